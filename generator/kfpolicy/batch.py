"""Evaluate a batch of read items (documents, skipped inputs, input errors) into one Report, and the
exit code `eval` and `audit` share."""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable

from kfpolicy.inputs import DocumentError, Item, SkippedInput
from kfpolicy.report import Report
from kfpolicy.runner import DocumentEvaluator, Result, evaluate_isolated

EXIT_OK, EXIT_VIOLATIONS, EXIT_INPUT = 0, 1, 2


def skipped_result(item: SkippedInput) -> Result:
    """A file or document read and deliberately not evaluated, reported as a skip with its reason."""
    return Result(
        source=item.source,
        api_version=None,
        kind=None,
        namespace=None,
        name=None,
        operation="",
        decision="skip",
        reason=item.reason,
    )


def run_batch(evaluator: DocumentEvaluator, items: Iterable[Item]) -> Report:
    """Results in input order, each with the seconds its evaluation took."""
    results: list[Result] = []
    times: list[float] = []
    errors: list[DocumentError] = []
    for item in items:
        if isinstance(item, DocumentError):
            errors.append(item)
        elif isinstance(item, SkippedInput):
            results.append(skipped_result(item))
            times.append(0.0)
        else:
            start = time.perf_counter()
            outcome = evaluate_isolated(evaluator, item)
            if isinstance(outcome, DocumentError):
                errors.append(outcome)
                continue
            results.append(outcome)
            times.append(time.perf_counter() - start)
    return Report(results=results, errors=errors, times=times)


def exit_code(report: Report, *, fail_on_warn: bool = False) -> int:
    """2 when some input could not be checked, 1 for a denial (or a warning with --fail-on-warn), else 0."""
    return exit_code_of({r.decision for r in report.results}, bool(report.errors), fail_on_warn=fail_on_warn)


def exit_code_of(decisions: Collection[str], errors: bool, *, fail_on_warn: bool = False) -> int:
    """exit_code from the decisions made and whether there were input errors."""
    if errors:
        return EXIT_INPUT
    if "deny" in decisions or (fail_on_warn and "warn" in decisions):
        return EXIT_VIOLATIONS
    return EXIT_OK
