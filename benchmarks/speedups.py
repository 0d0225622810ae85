"""Issue 16's rows alone, for this checkout and any earlier ones beside it (one run, same machine).

    python benchmarks/speedups.py                          # this checkout
    python benchmarks/speedups.py --baseline /tmp/base     # and a baseline checkout (repeatable)
    python benchmarks/speedups.py --batch 3000 --admissions 3000

The same rows as section T and the issue-16 rows of `benchmarks/run.py` (which measures them with
everything else, over 10,000 manifests), from the same code (benchmarks/targets.py, one child process
per tree), on a smaller batch by default. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import FULL, SMOKE, Report, pin_one_cpu  # noqa: E402
from target_rows import target_rows  # noqa: E402
from targets import checkout, measure_trees  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--baseline", type=checkout, action="append", default=[], metavar="DIR",
                        help="an earlier checkout to measure too (repeatable; columns in the order given)")
    parser.add_argument("--batch", type=int, default=3000, help="manifests in the generated batch")
    parser.add_argument("--admissions", type=int, default=3000, help="timed admissions per engine")
    parser.add_argument("--smoke", action="store_true", help="tiny N: check that every row is produced")
    args = parser.parse_args()
    if args.batch < 1 or args.admissions < 1:
        parser.error("--batch and --admissions must be at least 1")
    sizes = SMOKE if args.smoke else dataclasses.replace(FULL, batch=args.batch, latency_n=args.admissions)
    allowed = sorted(os.sched_getaffinity(0))
    print(pin_one_cpu(), file=sys.stderr)
    report = Report(baselines=[tree.name for tree in args.baseline])
    with tempfile.TemporaryDirectory(prefix="kfpolicy-speedups-") as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        target_rows(report, measure_trees(args.baseline, sizes, corpus, allowed))
    report.rows.sort(key=lambda row: "T12345".index(row.section))
    print(report.table())
    print(f"\nload average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
