"""`python -m kfpolicy ...` runs the CLI with the current interpreter (as the benchmarks do)."""

from kfpolicy.cli import main

main()
