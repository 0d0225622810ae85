"""The JSON report: every result with its line (and each violation's), the summary, input errors."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import orjson

from kfpolicy.inputs import DocumentError
from kfpolicy.report.common import Report, summary, violation_line
from kfpolicy.runner import Result


def _without_floats(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, float):
            return False
    return True


def indented_json(value: Any) -> str:
    """json.dumps(value, indent=2), written by orjson (many times faster) where the two write the
    same text: no floats (json writes repr(), orjson its own forms, NaN as null), only ASCII but DEL
    (json escapes the rest, orjson writes them as they are), string keys and 64-bit integers
    (orjson refuses the others)."""
    try:
        raw = orjson.dumps(value, option=orjson.OPT_INDENT_2)
    except TypeError:
        return json.dumps(value, indent=2)
    if raw.isascii() and b"\x7f" not in raw and _without_floats(value):
        return raw.decode("ascii")
    return json.dumps(value, indent=2)


def result_json(r: Result) -> dict[str, Any]:
    """One result as the JSON report has it, each violation with its line."""
    item = r.to_json()
    for out, v in zip(item["violations"], r.violations, strict=True):
        out["line"] = violation_line(r, v)
    return item


def errors_json(errors: Sequence[DocumentError]) -> list[dict[str, Any]]:
    return [{"source": e.source, "line": e.line, "message": e.message} for e in errors]


def eval_document(report: Report) -> dict[str, Any]:
    results = [result_json(r) for r in report.results]
    doc: dict[str, Any] = {"results": results, "summary": summary(report.results)}
    if report.errors:
        doc["errors"] = errors_json(report.errors)
    return doc


def eval_json(report: Report) -> str:
    return indented_json(eval_document(report))
