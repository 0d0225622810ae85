"""Hostile inputs for the soak run: each attack builds a tree, runs `kfpolicy` on it in a child
process and records the exit code, the time and the child's peak RSS.

    python benchmarks/attacks.py            # every attack, one line each
    python benchmarks/attacks.py deep-flow  # only the named ones

An attack passes when the run ends with exit 0, 1 or 2 within its time limit and every document
that was not the attack (a good PyTorchJob beside it, named `good`) still has its result.
tests/test_attacks.py runs every attack as a regression test; soak.py --attacks prints the table.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from hostile import ATTACKS  # a sibling module of this script

__all__ = ["ATTACKS", "Outcome", "main", "run_attack"]

RUNNER = """
import sys
from kfpolicy.cli import main
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
finally:
    sys.stdout.flush()
    with open("/proc/self/status", encoding="ascii") as f:
        hwm = [line.split()[1] for line in f if line.startswith("VmHWM:")]
    print(f"MAXRSS_KIB={hwm[0] if hwm else -1}", file=sys.stderr)
sys.exit(code)
"""


@dataclass(frozen=True)
class Outcome:
    name: str
    code: int
    seconds: float
    peak_mib: float
    problems: list[str]


def _names(stdout: str) -> list[str]:
    try:
        results = json.loads(stdout)["results"]
    except (ValueError, KeyError, TypeError):
        return []
    return [str(r.get("name")) for r in results]


@contextlib.contextmanager
def _serving(server: Callable[[socket.socket], None] | None) -> Iterator[str]:
    """A loopback listener that hands each connection to server in a thread; yields its URL."""
    if server is None:
        yield ""
        return
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            server(conn)

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def run_attack(name: str, folder: Path) -> Outcome:
    """Build the attack in folder, run it, and say what went wrong (nothing, when it passes)."""
    attack = ATTACKS[name](folder)
    started = time.monotonic()
    try:
        with _serving(attack.server) as url:
            args = [a.replace("{url}", url) for a in attack.args]
            env = {**os.environ, "PYTHONHASHSEED": "0"}
            proc = subprocess.run([sys.executable, "-c", RUNNER, *args], cwd=folder, capture_output=True,
                                  text=True, timeout=attack.time_limit, env=env)
    except subprocess.TimeoutExpired:
        seconds = time.monotonic() - started
        return Outcome(name, -1, seconds, -1, [f"still running after {attack.time_limit:.0f} s"])
    seconds = time.monotonic() - started
    lines = proc.stderr.splitlines()
    peak = int(lines[-1].split("=")[1]) / 1024 if lines and lines[-1].startswith("MAXRSS_KIB=") else -1.0
    stderr = "\n".join(lines[:-1])
    problems = []
    if proc.returncode not in attack.codes:
        problems.append(f"exit {proc.returncode} (wanted one of {attack.codes}): {stderr[-600:]}")
    if "Traceback" in stderr:
        problems.append(f"a traceback: {stderr[-600:]}")
    if attack.mentions and attack.mentions not in stderr:
        problems.append(f"stderr does not mention {attack.mentions!r}: {stderr[-600:]}")
    found = _names(proc.stdout)
    problems.extend(f"no result for {want!r}" for want in attack.survivors if want not in found)
    return Outcome(name, proc.returncode, seconds, peak, problems)


def main(argv: list[str]) -> int:
    names = argv or list(ATTACKS)
    failed = 0
    print(f"{'attack':<24} {'exit':>4} {'seconds':>8} {'peak MiB':>9}  result")
    for name in names:
        with tempfile.TemporaryDirectory(prefix="kfpolicy-attack-") as tmp:
            outcome = run_attack(name, Path(tmp))
            for path in Path(tmp).rglob("*"):  # let the cleanup into folders the attack locked
                if path.is_dir() and not path.is_symlink():
                    path.chmod(0o755)
        failed += bool(outcome.problems)
        verdict = "ok" if not outcome.problems else "FAIL: " + "; ".join(outcome.problems)[:300]
        figures = f"{outcome.code:>4} {outcome.seconds:>8.1f} {outcome.peak_mib:>9.0f}"
        print(f"{name:<24} {figures}  {verdict}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
