"""The JSON report: every result with its line (and each violation's), the summary, input errors."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from kfpolicy.inputs import DocumentError
from kfpolicy.report.common import Report, summary, violation_line
from kfpolicy.runner import Result


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
    return json.dumps(eval_document(report), indent=2)
