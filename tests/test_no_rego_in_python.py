"""Rego lives in .rego files (or Jinja2 templates of Rego): no string literal in a .py module of
generator/ or benchmarks/ carries Rego text. An ast scan of every string constant (f-string parts
included) for lines shaped like Rego statements; prose that names a keyword in passing is not flagged."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("generator", "benchmarks")
REGO_LINE = re.compile(
    r"""^\s*package\s+[A-Za-z_][\w.]*\s*$
      | ^\s*import\s+(?:data|future|input|rego)\.[\w.]+
      | ^\s*default\s+\w+\s*:?=
      | \bif\s*\{\s*$
      | ^\s*[\w.]+(?:\[[^\]]*\])?\s+contains\s+\S.*\bif\b
      | ^\s*\}\s*else\s*:?=
      | ^\s*some\s+\w+(?:\s*,\s*\w+)?\s+in\s+\S
      | ^\s*\w+\s*:=\s*input\.
    """,
    re.VERBOSE,
)


def rego_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if REGO_LINE.search(line)]


def _string_constants(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


def test_the_scan_recognises_rego_and_passes_prose() -> None:
    """The detector finds every statement shape in real generated Rego, and none in prose about it."""
    module = (ROOT / "rego" / "kubeflow" / "main.rego").read_text(encoding="utf-8")
    found = rego_lines(module)
    assert "package kubeflow" in found
    assert "import data.kubeflow.config" in found
    assert any(line.startswith("deny contains") for line in found)
    assert rego_lines('x := "a"\nallow if {\n\tsome c in input.containers\n}') == [
        "allow if {", "some c in input.containers"
    ]
    prose = "The built-in catalogue, package data of kfpolicy; rules name a `package ` line; if {x} holds."
    assert rego_lines(prose) == []


def test_no_python_module_carries_rego_text() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {hit}"
        for folder in SCANNED
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line, text in _string_constants(path)
        for hit in rego_lines(text)
    ]
    scanned = sum(1 for folder in SCANNED for _ in (ROOT / folder).rglob("*.py"))
    assert scanned > 30
    assert found == []
