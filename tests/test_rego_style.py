"""Shipped Rego keeps lines of at most 120 characters (a tab counts as 4), as the Rego style guide and
Regal ask: the portable modules of render_rego (rule modules, library, entry points) and the Rego in
every Gatekeeper ConstraintTemplate.

The one exception is a line made long by a single string literal that no wrapping can shorten: a
double-quoted or raw string of at least LONG_LITERAL characters (quotes included), with at most
LINE_REST characters left on the line once that literal is taken out (indentation, `name := `,
`} else := ... if {`, a call's opening or closing punctuation). A long regular expression or message
stays one literal: splitting it with concat would cost work at evaluation time, and the message
must stay byte-identical."""

from __future__ import annotations

import re
from typing import Any

import yaml

from kfpolicy.catalogue import Catalogue
from kfpolicy.render.rego import render_rego

MAX_WIDTH = 120
TAB_WIDTH = 4
LONG_LITERAL = 96
LINE_REST = 24
STRING_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`')


def width(line: str) -> int:
    return len(line.replace("\t", " " * TAB_WIDTH))


def unbreakable(line: str) -> bool:
    """The line's excess is one string literal: one long literal, and little else on the line."""
    literals = [m for m in STRING_LITERAL.finditer(line) if len(m.group()) >= LONG_LITERAL]
    if len(literals) != 1:
        return False
    literal = literals[0]
    rest = line[: literal.start()] + line[literal.end():]
    return width(rest) <= LINE_REST


def long_lines(name: str, text: str) -> list[str]:
    """`name:N: width` for each line of `text` over MAX_WIDTH that is not an unbreakable literal."""
    return [
        f"{name}:{number}: {width(line)}"
        for number, line in enumerate(text.splitlines(), start=1)
        if width(line) > MAX_WIDTH and not unbreakable(line)
    ]


def exempt_lines(files: dict[str, str]) -> list[str]:
    return [
        f"{name}:{number}"
        for name, text in files.items()
        for number, line in enumerate(text.splitlines(), start=1)
        if width(line) > MAX_WIDTH and unbreakable(line)
    ]


def template_rego(files: dict[str, str]) -> dict[str, str]:
    """The Rego of every ConstraintTemplate (each target's main module and libs), keyed by its place."""
    found = {}
    for path, text in files.items():
        if not path.endswith(".yaml"):
            continue
        docs: list[Any] = list(yaml.safe_load_all(text))
        for doc in docs:
            if isinstance(doc, dict) and doc.get("kind") == "ConstraintTemplate":
                found.update(_target_rego(path, doc))
    return found


def _target_rego(path: str, doc: dict[str, Any]) -> dict[str, str]:
    found = {}
    for t, target in enumerate(doc["spec"]["targets"]):
        found[f"{path}[{t}].rego"] = target["rego"]
        for k, lib in enumerate(target.get("libs", [])):
            found[f"{path}[{t}].libs[{k}]"] = lib
    return found


def test_the_check_flags_long_code_and_passes_one_long_literal() -> None:
    call = "violation contains core.invalid(" + ", ".join(f'"field {i}"' for i in range(12)) + ") if {"
    assert width(call) > MAX_WIDTH
    assert long_lines("m.rego", call) == [f"m.rego:1: {width(call)}"]
    message = '"' + "x" * 110 + '"'
    assert long_lines("m.rego", f"\t\t{message},") == []
    assert long_lines("m.rego", "} else := " + message + " if {") == []
    assert long_lines("m.rego", "pattern := `" + "[a-z]" * 30 + "`") == []
    # A long literal does not excuse a long call around it, nor do two literals each too short.
    wrapped = f"violation contains core.invalid(\"spec.trainer.numNodes\", nodes, {message}) if {{"
    assert long_lines("m.rego", wrapped) == [f"m.rego:1: {width(wrapped)}"]
    two = '\t"' + "y" * 70 + '", "' + "z" * 70 + '"'
    assert long_lines("m.rego", two) == [f"m.rego:1: {width(two)}"]
    # Tabs count as four, quotes escaped inside a literal do not end it.
    assert width("\t" * 30) == MAX_WIDTH
    assert long_lines("m.rego", "\t\t" + '"' + 'say \\"hi\\" ' * 12 + '",') == []


def test_rendered_rego_lines_are_at_most_120_characters(catalogue: Catalogue) -> None:
    files = render_rego(catalogue)
    assert any(name.startswith("rego/rules/") for name in files)
    assert [line for name, text in sorted(files.items()) for line in long_lines(name, text)] == []
    # The exception stays an exception: a handful of long messages, URLs and patterns.
    assert len(exempt_lines(files)) <= 12


def test_gatekeeper_template_rego_lines_are_at_most_120_characters(files: dict[str, str]) -> None:
    rego = template_rego(files)
    assert any(name.endswith(".libs[0]") for name in rego)
    assert [line for name, text in sorted(rego.items()) for line in long_lines(name, text)] == []
