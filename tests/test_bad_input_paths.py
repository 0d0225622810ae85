"""Unreadable and missing paths at the CLI: each is named with exit 2, and readable files beside it
are still evaluated."""

from __future__ import annotations

import os
from pathlib import Path

from bad_input_cli import GOOD, kfpolicy, sources
from bad_input_cli import error_line as _error_line
from bad_input_cli import slug as _slug

# --- unreadable paths ----------------------------------------------------------------------------


def _unreadable(kind: str, path: Path) -> None:
    if kind == "dangling symlink":
        path.symlink_to(path.parent / "missing" / "job.yaml")
    elif kind == "fifo":
        os.mkfifo(path)  # no writer: reading it would block forever
    elif kind == "symlink loop":
        path.symlink_to(path)
    elif kind == "no permission":
        path.write_text(GOOD, encoding="utf-8")
        path.chmod(0)


UNREADABLE = ["dangling symlink", "fifo", "symlink loop", "no permission"]


def test_unreadable_paths(tmp_path: Path) -> None:
    kinds = [k for k in UNREADABLE if not (k == "no permission" and os.geteuid() == 0)]
    # As root, mode 000 does not stop reading: that kind only runs as a normal user; the others
    # fail to read as root too.
    for kind in kinds:
        _unreadable(kind, tmp_path / f"{_slug(kind)}.yaml")
    (tmp_path / "other.yaml").write_text(GOOD, encoding="utf-8")
    names = [f"{_slug(k)}.yaml" for k in kinds]
    for args in ([*names, "other.yaml"], ["."]):  # named on the command line, and found in a folder
        run = kfpolicy(*args, cwd=tmp_path)
        for name in names:
            assert "cannot read" in _error_line(run, name if args != ["."] else f"{name}")
        assert sources(run) == {"other.yaml#0": "allow"}


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    run = kfpolicy("nope.yaml", cwd=tmp_path)
    assert run.code == 2 and "nope.yaml: no such file or folder" in run.stderr
