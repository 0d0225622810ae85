"""`kfpolicy eval`'s report and exit code: rendered whole, or written window by window for a large
batch in a format that allows it (report/stream.py), so its results are not all held at once."""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterable, Sequence

import click

from kfpolicy.batch import exit_code_of
from kfpolicy.bounded import Queryable
from kfpolicy.catalogue.model import Catalogue
from kfpolicy.inputs import DocumentError
from kfpolicy.parallel import joined, run_streaming
from kfpolicy.rawinputs import RawItem
from kfpolicy.report import Report, render
from kfpolicy.report.stream import STREAMED_FORMATS, StreamedReport


def finish(report: Report, cat: Catalogue, output: str, verbose: bool, fail_on_warn: bool) -> None:
    """Write the whole report, then exit as the results say."""
    click.echo(render(report, output, cat, verbose=verbose))
    _exit(report.errors, {r.decision for r in report.results}, output, fail_on_warn)


def evaluate_streamed(
    evaluator: Queryable,
    raws: Iterable[RawItem],
    jobs: int,
    timeout: float,
    *,
    cat: Catalogue,
    output: str,
    verbose: bool,
    fail_on_warn: bool,
) -> None:
    """Evaluate a large batch over `jobs` workers, writing the report as windows of it are done
    where the format allows, then exit as the results say."""
    if output not in STREAMED_FORMATS:  # the format needs every result first
        reports: list[Report] = []
        run_streaming(evaluator, raws, jobs, timeout, reports.append)
        finish(joined(reports), cat, output, verbose, fail_on_warn)
        return
    stream = StreamedReport(output, lambda text: click.echo(text, nl=False), verbose=verbose)
    run_streaming(evaluator, raws, jobs, timeout, stream.add)
    stream.finish()
    _exit(stream.errors, +stream.counts, output, fail_on_warn)


def _exit(
    errors: Sequence[DocumentError], decisions: Collection[str], output: str, fail_on_warn: bool
) -> None:
    """After the report: input errors on stderr too (but in text, which shows them), the exit code."""
    for e in errors:
        if output != "text":
            click.echo(f"kfpolicy: error: {e}", err=True)
    code = exit_code_of(decisions, bool(errors), fail_on_warn=fail_on_warn)
    if code:
        sys.exit(code)
