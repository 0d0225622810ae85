"""Every Python module of the repository (generator/, benchmarks/, tests/, test data included) is at
most 300 lines: a module that grows past it is split by responsibility, not let grow."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT

MAX_LINES = 300
SCANNED = ("generator", "benchmarks", "tests")


def oversized(folder: Path, limit: int = MAX_LINES) -> list[str]:
    """The .py files under `folder` longer than `limit` lines, each as `path: N lines`."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            found.append(f"{path.relative_to(folder)}: {lines} lines")
    return found


def test_the_check_flags_a_module_one_line_over(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "at_limit.py").write_text("x = 1\n" * MAX_LINES, encoding="utf-8")
    assert oversized(tmp_path) == []
    (tmp_path / "pkg" / "over.py").write_text("x = 1\n" * (MAX_LINES + 1), encoding="utf-8")
    assert oversized(tmp_path) == [f"pkg/over.py: {MAX_LINES + 1} lines"]


def test_no_python_module_exceeds_300_lines() -> None:
    scanned = sum(1 for folder in SCANNED for _ in (ROOT / folder).rglob("*.py"))
    assert scanned > 150
    found = [f"{folder}/{entry}" for folder in SCANNED for entry in oversized(ROOT / folder)]
    assert found == []
