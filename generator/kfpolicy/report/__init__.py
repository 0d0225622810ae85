"""Render evaluation results and `kfpolicy test` outcomes, one module per output format."""

from __future__ import annotations

from kfpolicy.catalogue.model import Catalogue
from kfpolicy.report.ci import eval_github, eval_tap
from kfpolicy.report.common import DECISIONS, Report, summary
from kfpolicy.report.jsonout import eval_document, eval_json
from kfpolicy.report.outcomes import CheckOutcome, outcomes_text
from kfpolicy.report.sarif import eval_sarif
from kfpolicy.report.text import eval_table, eval_text

FORMATS = ("text", "json", "junit", "sarif", "github", "tap", "table")

__all__ = [
    "DECISIONS",
    "FORMATS",
    "CheckOutcome",
    "Report",
    "eval_document",
    "eval_github",
    "eval_json",
    "eval_sarif",
    "eval_table",
    "eval_tap",
    "eval_text",
    "outcomes_text",
    "render",
    "summary",
]


def render(report: Report, output: str, cat: Catalogue, *, verbose: bool = False) -> str:
    """The report in one of FORMATS."""
    if output == "json":
        return eval_json(report)
    if output == "junit":
        from kfpolicy.report.junit import eval_junit  # junitparser and xml: only for this format

        return eval_junit(report)
    if output == "sarif":
        return eval_sarif(report, cat)
    if output == "github":
        return eval_github(report)
    if output == "tap":
        return eval_tap(report)
    if output == "table":
        return eval_table(report)
    return eval_text(report, verbose=verbose)
