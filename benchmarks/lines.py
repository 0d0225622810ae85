"""What locating findings costs: reading manifests with and without the line index, and rendering
each output format.

    python benchmarks/lines.py            # 2,000 copies of benchmarks/pytorchjob.yaml in one stream
    python benchmarks/lines.py -n 200     # a shorter run

Prints, per document: the strict YAML load without line numbers (PyYAML's load_all with the same
loader), with them (yamlio.load_chunk_with_lines per document: the same composed nodes, plus one
walk that records each key's line), the whole read as `kfpolicy eval` does it, and the time each
report format takes for the evaluated batch. Single process; figures vary with the machine's load.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from kfpolicy.batch import run_batch
from kfpolicy.catalogue import load_catalogue
from kfpolicy.inputs import read_text
from kfpolicy.report import FORMATS, render
from kfpolicy.runner import Evaluator
from kfpolicy.yamlio import _loader_for as loader_for
from kfpolicy.yamlio import load_chunk_with_lines, split_documents

HERE = Path(__file__).resolve().parent


def best_of(fn: Callable[[], Any], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-n", type=int, default=2000, help="documents in the stream")
    n = parser.parse_args().n
    one = (HERE / "pytorchjob.yaml").read_text(encoding="utf-8")
    text = "---\n".join([one] * n)
    loader = loader_for(text)
    plain = best_of(lambda: list(yaml.load_all(text, Loader=loader)))
    lines = best_of(lambda: [load_chunk_with_lines(chunk) for chunk in split_documents(text)])
    read = best_of(lambda: list(read_text(text, "stream.yaml")))
    print(f"{n:,} documents of {len(one):,} bytes")
    print(f"  YAML load, no lines          {plain / n * 1e6:8.1f} us/doc")
    print(f"  YAML load with line index    {lines / n * 1e6:8.1f} us/doc  (+{lines / plain - 1:.0%})")
    print(f"  whole read (read_text)       {read / n * 1e6:8.1f} us/doc")
    cat = load_catalogue([])
    report = run_batch(Evaluator(cat), read_text(text, "stream.yaml"))
    print(f"rendering {len(report.results):,} results:")
    for fmt in FORMATS:
        seconds = best_of(partial(render, report, fmt, cat))
        print(f"  -o {fmt:<7} {seconds / len(report.results) * 1e6:8.1f} us/result")


if __name__ == "__main__":
    main()
