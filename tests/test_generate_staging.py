"""generate writes through a staging folder: an interrupted run leaves the previous tree whole and
no temporary files; a staging folder left by a killed run is removed by the next one."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kfpolicy.catalogue import Catalogue
from kfpolicy.generate import STAGING_PREFIX, generate

KFPOLICY = [sys.executable, "-m", "kfpolicy.cli"]


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _leftovers(root: Path) -> list[str]:
    return [p.name for p in root.rglob(".kfpolicy-*")]


def test_an_interrupt_while_staging_leaves_the_old_tree(tmp_path: Path, catalogue: Catalogue,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    generate(catalogue, tmp_path)
    stale = Path(__file__).parent / "rego" / "snippets" / "stale.rego"
    shutil.copyfile(stale, tmp_path / "rego" / "stale.rego")
    before = _tree(tmp_path)
    writes = 0
    real_write = Path.write_bytes

    def write_then_interrupt(self: Path, data: bytes) -> int:
        nonlocal writes
        writes += 1
        if writes == 20:
            raise KeyboardInterrupt
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        generate(catalogue, tmp_path)
    assert _tree(tmp_path) == before
    assert _leftovers(tmp_path) == []


def test_a_leftover_staging_folder_is_removed(tmp_path: Path, catalogue: Catalogue) -> None:
    (tmp_path / f"{STAGING_PREFIX}killed" / "new").mkdir(parents=True)
    result = generate(catalogue, tmp_path)
    assert result.written and _leftovers(tmp_path) == []
    assert generate(catalogue, tmp_path, check=True).drifted == []


def test_signals_during_a_real_run_leave_no_temporary_files(tmp_path: Path) -> None:
    """SIGINT and SIGTERM at several moments of `kfpolicy generate`: never a temporary file, and
    the tree is either absent (interrupted before the swap) or complete."""
    out = tmp_path / "out"
    for delay in (0.5, 1.0, 1.5, 2.0, 3.0):
        for sig in (signal.SIGINT, signal.SIGTERM):
            proc = subprocess.Popen([*KFPOLICY, "generate", "--out", str(out)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            proc.send_signal(sig)
            proc.wait(timeout=120)
            if out.exists():
                assert _leftovers(out) == [], (delay, sig)
            if (out / "rego").exists():
                check = subprocess.run([*KFPOLICY, "generate", "--check", "--out", str(out)],
                                       capture_output=True, timeout=120)
                assert check.returncode == 0, (delay, sig, check.stderr)
