"""Run one command and write its wall time, CPU time, exit code and peak RSS (JSON) to a file.

    python -I -S benchmarks/spawn.py REPORT.json COMMAND [ARG ...]

Why a separate small process: on Linux a child's ru_maxrss starts at the resident size of the process
that started it (exec records the old image's high-water mark), so a command started straight from a
benchmark process that has loaded the engines would report at least that process's size. Started
from this small interpreter, the figure is the command's own (and that of its largest worker).
Standard input, output and error are the command's; only the standard library is used.
"""

import json
import os
import subprocess
import sys
import time


def main() -> int:
    report, cmd = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    figures = {
        "wall": time.perf_counter() - start,
        "cpu": usage.ru_utime + usage.ru_stime,
        "code": os.waitstatus_to_exitcode(status),
        "maxrss_kib": usage.ru_maxrss,
    }
    with open(report, "w", encoding="utf-8") as out:
        json.dump(figures, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
