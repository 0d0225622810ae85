"""`kfpolicy eval` over a generated batch with several --jobs values: wall rate, CPU and peak RSS.

    python benchmarks/jobs_rate.py                         # 3,000 manifests, --jobs 1 and 2
    python benchmarks/jobs_rate.py --count 20000 --jobs 1 2 --corpus /tmp/c20k   # keep the corpus

The manifests are benchmarks/jobs.py's batch corpus (one small job per file). Each run is one
whole process (`-o json`, output discarded): wall seconds, manifests/s, user+system CPU of the
process and its workers, and the largest resident set of the process or any one worker (wait4's
ru_maxrss, what `/usr/bin/time -v` prints). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import KFPOLICY, ROOT, run_child  # noqa: E402


def corpus(count: int, folder: Path) -> Path:
    """The generated batch in `folder` (written once; reused when it already holds `count` files)."""
    import jobs
    from kfpolicy.catalogue import load_catalogue

    folder.mkdir(parents=True, exist_ok=True)
    if len(list(folder.glob("*.yaml"))) != count:
        kinds = {k: v.to_rego() for k, v in load_catalogue().kinds.items()}
        jobs.write_corpus(kinds, count, folder)
    return folder


def run(folder: Path, jobs: int) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MiB) of one `kfpolicy eval` over the folder."""
    done = run_child([*KFPOLICY, "eval", str(folder), "-o", "json", "--jobs", str(jobs)], cwd=ROOT)
    return done.wall, done.cpu, done.maxrss_kib / 1024


def main() -> int:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--corpus", type=Path, default=None, help="folder to keep the generated corpus in")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kfpolicy-jobs-") as tmp:
        folder = corpus(args.count, args.corpus or Path(tmp) / "corpus")
        head = ("manifests", "jobs", "wall s", "manifests/s", "CPU s", "peak RSS MiB")
        print("{:>9} {:>4} {:>8} {:>11} {:>8} {:>12}".format(*head))
        for jobs in args.jobs:
            wall, cpu, rss = run(folder, jobs)
            rate = args.count / wall
            print(f"{args.count:>9,} {jobs:>4} {wall:>8.2f} {rate:>11.0f} {cpu:>8.2f} {rss:>12.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
