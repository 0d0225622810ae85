"""The bad-input tests' harness: the CLI (`eval -o json`) run in a child process that reports its
peak RSS, a good manifest and a PyTorchJob builder, and the checks every bad-input case shares
(no traceback or engine error; an input error names its file or document)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

GOOD = """apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: good}
spec:
  pytorchReplicaSpecs:
    Worker:
      replicas: 1
      template:
        spec:
          containers: [{name: pytorch, image: pytorch:2}]
"""


def pytorch(worker: str) -> str:
    """A PyTorchJob whose Worker replica spec is the given YAML (indented under Worker)."""
    body = "\n".join("      " + line for line in worker.strip("\n").splitlines())
    return (
        "apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata: {name: bad}\nspec:\n"
        f"  pytorchReplicaSpecs:\n    Worker:\n{body}\n"
    )


# Runs the CLI in a child process and reports its peak RSS (KiB) on the last line of stderr.
# VmHWM is this process's own high-water mark; ru_maxrss would carry over the forking parent's
# (pytest's) peak across exec on Linux, so it is only the fallback.
RUNNER = """
import resource, sys
from kfpolicy.cli import main

def peak_kib():
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
finally:
    sys.stdout.flush()
    print(f"MAXRSS_KIB={peak_kib()}", file=sys.stderr)
sys.exit(code)
"""


class Run:
    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.code = proc.returncode
        lines = proc.stderr.splitlines()
        self.maxrss_kib = (
            int(lines[-1].split("=")[1]) if lines and lines[-1].startswith("MAXRSS_KIB=") else -1
        )
        self.stderr = "\n".join(lines[:-1] if self.maxrss_kib >= 0 else lines)
        self.stdout = proc.stdout

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)


def kfpolicy(*args: str, cwd: Path, stdin: bytes | None = None) -> Run:
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, "eval", "-o", "json", *args],
        cwd=cwd, input=stdin.decode("utf-8", "surrogateescape") if stdin is not None else None,
        capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    run = Run(proc)
    assert "Traceback" not in run.stderr, run.stderr
    assert "internal error" not in run.stderr, run.stderr
    assert "engine failed" not in run.stderr and "engine rejected" not in run.stderr, run.stderr
    return run


def sources(run: Run) -> dict[str, str]:
    return {r["source"].rsplit("/", 1)[-1]: r["decision"] for r in run.json["results"]}


def input_error(run: Run, name: str) -> None:
    assert run.code == 2, (run.code, run.stderr)
    assert f"kfpolicy: error: {name}" in run.stderr, run.stderr


def slug(case: str) -> str:
    return case.replace(" ", "-")


def error_line(run: Run, where: str) -> str:
    assert run.code == 2, (run.code, run.stderr)
    lines = [line for line in run.stderr.splitlines() if line.startswith(f"kfpolicy: error: {where}: ")]
    assert lines, f"no error naming {where}:\n{run.stderr}"
    return lines[0]
