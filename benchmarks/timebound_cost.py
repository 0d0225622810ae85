"""What `eval --timeout` (each document in a forked worker) costs over evaluating in the process:
N copies of benchmarks/pytorchjob.yaml in one stream, evaluated R times each way.

    python benchmarks/timebound_cost.py            # N=2000, R=3
    python benchmarks/timebound_cost.py 500 5
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _run(path: Path, timeout: str) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "kfpolicy.cli", "eval", "--timeout", timeout, str(path)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=1800)
    return time.monotonic() - started


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else 2000
    rounds = int(argv[1]) if len(argv) > 1 else 3
    job = (HERE / "pytorchjob.yaml").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "batch.yaml"
        path.write_text("\n---\n".join(job for _ in range(count)), encoding="utf-8")
        times: dict[str, list[float]] = {"0": [], "10": []}
        for _ in range(rounds):
            for timeout in times:  # interleaved, so machine load hits both alike
                times[timeout].append(_run(path, timeout))
    inside, bounded = statistics.median(times["0"]), statistics.median(times["10"])
    print(f"{count} documents, median of {rounds} runs")
    print(f"  in the process (--timeout 0): {inside:.2f} s")
    print(f"  forked worker (--timeout 10): {bounded:.2f} s")
    print(f"  cost per document: {(bounded - inside) / count * 1e6:.0f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
