"""yamlfast reads every document to the same values as the strict reader, or leaves it to the strict
reader (same values, same errors): over hypothesis-generated documents full of the scalars YAML 1.1
and 1.2 read differently, the repository's own YAML, and the upstream examples when given."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kfpolicy import yamlfast
from kfpolicy.engine_input import input_json
from kfpolicy.safevalues import unsafe_value
from kfpolicy.yamlio import Chunk, split_documents
from kfpolicy.yamlio import load_chunk_with_lines as strict

ROOT = Path(__file__).resolve().parents[1]

_TRICKY = [
    "yes", "No", "ON", "off", "y", "n", "true", "False", "TRUE", "null", "Null", "~", "", "012", "0o12",
    "0x1F", "0b101", "1e3", "1E3", "1.0e3", "1.0e+3", "1e-3", "+1", "-0", ".5", "1.", "1_000", "1_0.5",
    "1:20", "1:20.5", "190:20:30", ".inf", "-.Inf", ".nan", "2024-01-01", "2001-12-14t21:59:43.10-05:00",
    "=", "<<", "12345678901234567890", "3.14", "007", "09", "0", "00", "-012", "0.5", "1e", "e3", "1.2.3",
    "500m", "2Gi", "a b", "#x", "x#y", "'q'", '"dq"', "'yes'", '"012"', '"1e3"', "'on'", "a: b", "-", "- x",
    "0x_", "0b_", "._", "+._",
    "1" * 400, "1." + "0" * 400, "9" * 18, "-" + "9" * 19, "1.0", "-0.0", "2.50", "0.0",
    "[a, b]", "{a: 1}", "*x", "&a x", "!!str 1", "? x", "|", ">", "%x", "\\x", "é", "\u2028", "ab\u0085",
]


def _canonical(value: Any) -> Any:
    """Values with their types (1, 1.0 and True compare equal in Python; here they do not)."""
    if isinstance(value, dict):
        return ("map", [(_canonical(k), _canonical(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [_canonical(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def _read(reader: Any, text: str) -> Any:
    try:
        doc, lines = reader(Chunk(text, 2))
    except (yaml.YAMLError, ValueError) as exc:
        return ("error", type(exc).__name__, str(exc))
    if lines is not None:
        lines = (lines.line, sorted((str(k), v.line) for k, v in (lines.children or {}).items()))
    return (_canonical(doc), lines)


def assert_same(text: str) -> None:
    assert _read(yamlfast.load_chunk_with_lines, text) == _read(strict, text), text
    try:
        doc, _lines, checked = yamlfast.load_chunk_checked(Chunk(text, 0))
    except yaml.YAMLError:
        return
    if checked:  # expand_parsed then skips unsafe_value: it must have nothing to say
        assert unsafe_value(doc) is None, text
    if checked & yamlfast.Known.PLAIN_NUMBERS:  # the engines' JSON text is then not rewritten
        assert input_json(doc, plain_numbers=True) == input_json(doc), text


_scalars = st.sampled_from(_TRICKY) | st.text(alphabet="ab01:.-_eEyonx +", max_size=8)
_keys = st.sampled_from(["a", "b", "on", "yes", "1", "012", "<<", "'on'", '"a"', "x y"])


@st.composite
def _block(draw: Any, depth: int = 0) -> str:
    indent = "  " * depth
    lines = []
    for key in draw(st.lists(_keys, min_size=1, max_size=4)):
        kind = draw(st.sampled_from(["scalar", "scalar", "list", "flow", "map"] if depth < 3 else ["scalar"]))
        if kind == "scalar":
            lines.append(f"{indent}{key}: {draw(_scalars)}")
        elif kind == "list":
            lines.append(f"{indent}{key}:")
            lines.extend(f"{indent}- {item}" for item in draw(st.lists(_scalars, min_size=1, max_size=3)))
        elif kind == "flow":
            lines.append(f"{indent}{key}: [{', '.join(draw(st.lists(_scalars, max_size=3)))}]")
        else:
            lines.append(f"{indent}{key}:")
            lines.append(draw(_block(depth + 1)))
    return "\n".join(lines)


@settings(max_examples=600, deadline=None)
@given(_block())
def test_generated_documents_read_the_same(text: str) -> None:
    assert_same(text)


@pytest.mark.parametrize("scalar", _TRICKY)
def test_each_tricky_scalar_reads_the_same(scalar: str) -> None:
    assert_same(f"a: {scalar}\n")
    assert_same(f"- {scalar}\n- [{scalar}]\n")
    assert_same(f"{scalar}: x\n")


def _documents(folder: Path) -> list[tuple[str, str]]:
    out = []
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() in (".yaml", ".yml") and path.is_file():
            text = path.read_bytes().decode("utf-8", "replace")
            out.extend((f"{path}#{i}", chunk.text) for i, chunk in enumerate(split_documents(text)))
    return out


def test_the_repository_yaml_reads_the_same() -> None:
    docs = [d for sub in ("examples", "tests", "benchmarks") for d in _documents(ROOT / sub)]
    assert len(docs) > 100
    fast = 0
    for _name, text in docs:
        assert_same(text)
        try:
            yamlfast.fast_load(text)
            fast += 1
        except yamlfast._Differs:
            pass
    assert fast > len(docs) // 2, "most documents take the fast path"


@pytest.mark.upstream_examples
def test_the_upstream_examples_read_the_same(upstream_examples: Path) -> None:
    for _name, text in _documents(upstream_examples):
        assert_same(text)


@pytest.mark.parametrize(
    "text",
    ["a: 1\na: 2\n", "a: [\n", "a: &x 1\nb: *x\n", "a:\n\tb: 1\n", "a: 1\n...\nb: 2\n", "? [a]\n: 1\n",
     "a: " + "[" * 500 + "]" * 500 + "\n", "1: a\ntrue: b\n"],
)
def test_refusals_keep_the_strict_messages(text: str) -> None:
    assert_same(text)


@pytest.mark.parametrize("scalar", ["0x_", "0b_", "+0x_"])
def test_numbers_int_cannot_read_are_yaml_errors(scalar: str) -> None:
    with pytest.raises(yaml.YAMLError, match="invalid integer"):
        strict(Chunk(f"a: {scalar}\n", 0))


_risky_text = st.text(alphabet="ab01:.-_eE+ \n\t#|>&*!?[]{},'\"<\\\u2028\u0085é", max_size=60)


@settings(max_examples=1500, deadline=None)
@given(_risky_text | _block())
def test_the_line_by_line_guard_answers_as_the_whole_text_pattern(text: str) -> None:
    assert yamlfast._risky(text) == (yamlfast._RISKY_TEXT.search(text) is not None), repr(text)
    assert yamlfast._risky(text) == (yamlfast._RISKY_TEXT.search(text) is not None), "remembered lines"


def test_the_line_by_line_guard_answers_as_the_pattern_on_the_repository_yaml() -> None:
    docs = [d for sub in ("examples", "tests", "benchmarks") for d in _documents(ROOT / sub)]
    for name, text in docs:
        assert yamlfast._risky(text) == (yamlfast._RISKY_TEXT.search(text) is not None), name
