"""Issue 16's figures for one tree, or side by side with a baseline tree (one run, same machine).

    python benchmarks/speedups.py                          # this checkout
    python benchmarks/speedups.py --baseline /tmp/base     # and a baseline checkout (its generator/)
    python benchmarks/speedups.py --batch 3000 --admissions 3000

Rows: start-up (CPU of `kfpolicy eval` on one manifest, program cache warm), per admission of
benchmarks/pytorchjob.yaml under baseline on the embedded engine (process CPU per call: median and
p99), growth with containers per replica spec (1/4/16/64/256, Master + Worker), and `kfpolicy eval`
over a generated batch (whole process: wall rate and CPU, with --jobs 1 and the default jobs where
the tree has --jobs). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))


def _cpu_calls(fn: Any, n: int, budget: float) -> list[float]:
    out: list[float] = []
    spent = 0.0
    for _ in range(n):
        c0 = time.process_time()
        fn()
        took = time.process_time() - c0
        out.append(took)
        spent += took
        if spent > budget and len(out) >= 5:
            break
    return out


def _child(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - t0, usage.ru_utime + usage.ru_stime


def measure(batch: int, admissions: int) -> dict[str, Any]:
    import jobs
    from kfpolicy.catalogue import load_catalogue
    from kfpolicy.inputs import Document, read_paths
    from kfpolicy.runner import Evaluator

    out: dict[str, Any] = {}
    env = dict(os.environ)
    kfpolicy = [sys.executable, "-m", "kfpolicy"]
    manifest = str(HERE / "pytorchjob.yaml")
    _child([*kfpolicy, "eval", manifest], env)  # warms the program cache, where the tree has one
    runs = [_child([*kfpolicy, "eval", manifest], env) for _ in range(5)]
    startup = statistics.median(c for _, c in runs)
    out["start-up: `kfpolicy eval pytorchjob.yaml`, CPU median of 5 (s)"] = startup

    cat = load_catalogue()
    ev = Evaluator(cat, profile="baseline")
    if hasattr(ev.engine, "compile_after"):
        ev.engine.compile_after = 0
    doc = next(d for d in read_paths([manifest]) if isinstance(d, Document))
    for _ in range(50):
        ev.evaluate(doc)
    calls = sorted(_cpu_calls(lambda: ev.evaluate(doc), admissions, 5.0))
    out["per admission, CPU median (us)"] = statistics.median(calls) * 1e6
    out["per admission, CPU p99 (us)"] = calls[min(len(calls) - 1, int(len(calls) * 0.99))] * 1e6

    kinds = {k: v.to_rego() for k, v in cat.kinds.items()}
    for n in (1, 4, 16, 64, 256):
        grow = Document(source="grow", obj=jobs.job(kinds["pytorchjob"], "grow", ["Master", "Worker"], n))
        ev.evaluate(grow)
        ys = _cpu_calls(lambda grow=grow: ev.evaluate(grow), 200, 1.5)
        out[f"growth: {n} containers per replica spec (Master + Worker), CPU median (us)"] = (
            statistics.median(ys) * 1e6
        )

    with tempfile.TemporaryDirectory(prefix="kfpolicy-speedups-") as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        jobs.write_corpus(kinds, batch, corpus)
        has_jobs = "--jobs" in subprocess.run([*kfpolicy, "eval", "--help"], capture_output=True,
                                              text=True, env=env, check=False).stdout
        variants = [["--jobs", "1"], []] if has_jobs else [[]]
        for extra in variants:
            wall, cpu = _child([*kfpolicy, "eval", str(corpus), "-o", "json", *extra], env)
            label = " ".join(extra) or "default settings"
            out[f"batch of {batch:,} YAML manifests, {label}: manifests/s (wall)"] = batch / wall
            out[f"batch of {batch:,} YAML manifests, {label}: CPU s"] = cpu
    return out


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--baseline", type=Path, default=None, help="a baseline checkout to measure too")
    parser.add_argument("--batch", type=int, default=3000)
    parser.add_argument("--admissions", type=int, default=3000)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("KFPOLICY_CACHE_DIR", str(Path(tempfile.gettempdir()) / "kfpolicy-speedups-cache"))
    if args.json:
        print(json.dumps(measure(args.batch, args.admissions)))
        return 0
    columns: list[tuple[str, dict[str, Any]]] = []
    trees = [("baseline", args.baseline), ("this tree", ROOT)] if args.baseline else [("this tree", ROOT)]
    for name, tree in trees:
        env = dict(os.environ, PYTHONPATH=str(Path(tree) / "generator"))
        sizes = ["--batch", str(args.batch), "--admissions", str(args.admissions)]
        cmd = [sys.executable, __file__, "--json", *sizes]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
        columns.append((name, json.loads(done.stdout.splitlines()[-1])))
    rows = list(dict.fromkeys(k for _, col in columns for k in col))
    print("| measurement | " + " | ".join(name for name, _ in columns) + " |")
    print("|---|" + "---|" * len(columns))
    for row in rows:
        cells = [f"{col[row]:,.3f}" if row in col and col[row] < 10 else f"{col.get(row, float('nan')):,.0f}"
                 for _, col in columns]
        print(f"| {row} | " + " | ".join(cells) + " |")
    print(f"\nload average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
