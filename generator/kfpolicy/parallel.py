"""`kfpolicy eval` over a large batch: split over N forked worker processes (`--jobs`, 1 included).

The parent only splits the input into documents (rawinputs: text, file, index, first line). The
loaded (and compiled) evaluator and the split documents are inherited by each worker through fork,
so nothing is pickled on the way in; each worker parses and evaluates one contiguous slice in its
own process and sends back its outcomes (results with only the lines their report needs), watched
by the parent for the time bound (watched.py). The parent puts the slices together in input order,
so the report, its messages and the exit code are those of one process.

Small batches (fewer than MIN_DOCUMENTS documents) and real OPA (whose Go runtime does not survive a
fork) are evaluated in the process, each document under a BoundedEvaluator.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from kfpolicy.batch import run_batch, skipped_result
from kfpolicy.bounded import Queryable
from kfpolicy.inputs import DocumentError, SkippedInput
from kfpolicy.rawinputs import FileTally, RawDocument, RawItem
from kfpolicy.report import Report
from kfpolicy.runner import Result
from kfpolicy.watched import Outcome, Part, WatchedRun

MIN_DOCUMENTS = 200
# Documents a worker is given at a time when a batch is streamed (bounds the memory of a large run).
WINDOW = 2_000
# Characters of split input the first pass keeps, so that a batch this small is read once.
KEEP_CHARS = 32 * 1024 * 1024


def usable_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def in_process(documents: int, engine: str) -> bool:
    """Whether a batch is evaluated in this process rather than by watched workers."""
    return documents < MIN_DOCUMENTS or engine == "opa"


def _slices(raws: Sequence[RawItem], jobs: int) -> list[Sequence[RawItem]]:
    size = len(raws)
    return [raws[index * size // jobs : (index + 1) * size // jobs] for index in range(jobs)]


@contextmanager
def batch_frozen() -> Iterator[None]:
    """A batch over workers: what each fork freezes out of the garbage collector (see watched.py;
    the batch's long-lived objects, and cyclic garbage, which is therefore collected only after it)
    is given back to the collector when the batch is done."""
    try:
        yield
    finally:
        gc.unfreeze()


def run_parallel(evaluator: Queryable, raws: Sequence[RawItem], jobs: int, timeout: float) -> Report:
    """As batch.run_batch over rawinputs.expand(raws) under the time bound (none when 0), over `jobs`
    watched worker processes that each parse and evaluate one contiguous slice."""
    with batch_frozen():
        return _report(raws, WatchedRun(evaluator, _slices(raws, jobs), timeout).outcomes())


def windows(raws: Iterable[RawItem], size: int) -> Iterator[list[RawItem]]:
    """`raws` in runs of at least `size` items (the last may be shorter), each ending where a file ends."""
    window: list[RawItem] = []
    for raw in raws:
        window.append(raw)
        if len(window) >= size and (not isinstance(raw, RawDocument) or raw.last):
            yield window
            window = []
    if window:
        yield window


def run_streaming(
    evaluator: Queryable, raws: Iterable[RawItem], jobs: int, timeout: float, take: Callable[[Report], None]
) -> None:
    """run_parallel window after window (WINDOW documents per worker at a time), each window's report
    handed to `take` in input order: the input's text and the results are held about two windows at
    a time (unless `take` keeps them). While a window's workers run, this process reads the next
    window and hands on the previous one's report."""
    following = windows(raws, WINDOW * jobs)
    window = next(following, None)
    done: Report | None = None
    with batch_frozen():
        while window is not None:
            run = WatchedRun(evaluator, _slices(window, jobs), timeout)
            if done is not None:
                take(done)
            after = next(following, None)
            done = _report(window, run.outcomes())
            window = after
    if done is not None:
        take(done)


def joined(reports: Sequence[Report]) -> Report:
    """Reports of consecutive windows as one."""
    return Report(
        results=[r for report in reports for r in report.results],
        errors=[e for report in reports for e in report.errors],
        times=[t for report in reports for t in report.times],
    )


def _report(raws: Sequence[RawItem], outcomes: Sequence[Outcome]) -> Report:
    report = _Collected([], [], [])
    tally = FileTally()
    for raw, outcome in zip(raws, outcomes, strict=True):
        if not isinstance(raw, RawDocument):
            _add(report, raw)
            continue
        assert outcome is not None
        found, parts = outcome
        for part in parts:
            _add(report, part)
        skip = tally.after(raw, found)
        if skip is not None:
            _add(report, skip)
    return Report(results=report.results, errors=report.errors, times=report.times)


@dataclass(frozen=True)
class _Collected:
    results: list[Result]
    errors: list[DocumentError]
    times: list[float]


def _add(report: _Collected, part: Part) -> None:
    if isinstance(part, DocumentError):
        report.errors.append(part)
    elif isinstance(part, SkippedInput):
        report.results.append(skipped_result(part))
        report.times.append(0.0)
    else:
        value, elapsed = part
        if isinstance(value, DocumentError):
            report.errors.append(value)
        else:
            report.results.append(value)
            report.times.append(elapsed)


__all__ = [
    "KEEP_CHARS",
    "MIN_DOCUMENTS",
    "WINDOW",
    "in_process",
    "joined",
    "run_batch",
    "run_parallel",
    "run_streaming",
    "usable_cpus",
    "windows",
]
