"""The JSON report: every result with its line (and each violation's), the summary, input errors."""

from __future__ import annotations

import json
from typing import Any

from kfpolicy.report.common import Report, summary, violation_line


def eval_document(report: Report) -> dict[str, Any]:
    results = []
    for r in report.results:
        item = r.to_json()
        for out, v in zip(item["violations"], r.violations, strict=True):
            out["line"] = violation_line(r, v)
        results.append(item)
    doc: dict[str, Any] = {"results": results, "summary": summary(report.results)}
    if report.errors:
        doc["errors"] = [{"source": e.source, "line": e.line, "message": e.message} for e in report.errors]
    return doc


def eval_json(report: Report) -> str:
    return json.dumps(eval_document(report), indent=2)
