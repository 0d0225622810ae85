"""`kfpolicy eval --jobs N`: a large batch split over N forked processes.

The parent only splits the input into documents (rawinputs: text, file, index, first line). The
loaded (and compiled) evaluator and the split documents are inherited by each worker through fork,
so nothing is pickled on the way in; each worker parses and evaluates one contiguous slice and sends
back its outcomes (results with only the lines their report needs). The parent puts the slices
together in input order, so the report, its messages and the exit code are those of one process. Under a
time bound each worker has its own BoundedEvaluator.

Small batches (fewer than MIN_DOCUMENTS documents) and real OPA (whose Go runtime does not survive a
fork) are evaluated in the process.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import Any

from kfpolicy.batch import run_batch, skipped_result
from kfpolicy.bounded import BoundedEvaluator, Queryable
from kfpolicy.inputs import Document, DocumentError, SkippedInput
from kfpolicy.rawinputs import FileTally, RawDocument, RawItem, parse
from kfpolicy.report import Report
from kfpolicy.report.common import field_path
from kfpolicy.runner import DocumentEvaluator, Result, evaluate_isolated
from kfpolicy.yamllines import LineTree

MIN_DOCUMENTS = 200
# Documents a worker is given at a time when a batch is streamed (bounds the memory of a large run).
WINDOW = 2_000

# One item of a worker's document: an input error, a skip, or an evaluation and its seconds.
Part = DocumentError | SkippedInput | tuple[Result | DocumentError, float]
# A worker's answer for one split item: (whether it held a document, its parts); None for the
# parent's own items (errors and skips met while reading).
Outcome = tuple[bool, list[Part]] | None


def usable_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def in_process(jobs: int, documents: int, engine: str) -> bool:
    return jobs <= 1 or documents < MIN_DOCUMENTS or engine == "opa"


def _pruned(result: Result) -> Result:
    """The result with only the lines its report needs (the object's, its violations' fields')."""
    tree = result.lines
    if tree is None:
        return result
    top = LineTree(tree.line)
    for violation in result.violations:
        source, kept = tree, top
        for step in field_path(violation.field) if violation.field else ():
            child = source.child(step)
            if child is None:
                break
            if kept.children is None:
                kept.children = {}
            kept = kept.children.setdefault(step, LineTree(child.line))
            source = child
    return replace(result, lines=top)


def _evaluate_slice(evaluator: DocumentEvaluator, raws: Sequence[RawItem]) -> list[Outcome]:
    out: list[Outcome] = []
    for raw in raws:
        if not isinstance(raw, RawDocument):
            out.append(None)
            continue
        found, items = parse(raw)
        parts: list[Part] = []
        for item in items:
            if not isinstance(item, Document):
                parts.append(item)
                continue
            start = time.perf_counter()
            outcome = evaluate_isolated(evaluator, item)
            elapsed = time.perf_counter() - start
            parts.append((_pruned(outcome) if isinstance(outcome, Result) else outcome, elapsed))
        out.append((found, parts))
    return out


def _work(evaluator: Queryable, raws: Sequence[RawItem], timeout: float, conn: Connection) -> None:
    try:
        if timeout:
            with BoundedEvaluator(evaluator, timeout) as bounded:
                outcomes = _evaluate_slice(bounded, raws)
        else:
            outcomes = _evaluate_slice(evaluator, raws)
        conn.send(outcomes)
    finally:
        conn.close()


def _lost(raw: RawItem) -> Outcome:
    if not isinstance(raw, RawDocument):
        return None
    error = DocumentError(f"{raw.file}#{raw.index}", "not evaluated: its worker process died")
    return True, [error]


def run_parallel(evaluator: Queryable, raws: Sequence[RawItem], jobs: int, timeout: float) -> Report:
    """As batch.run_batch over rawinputs.expand(raws) (with a BoundedEvaluator when timeout is set),
    over `jobs` processes that each parse and evaluate one contiguous slice."""
    context = multiprocessing.get_context("fork")
    size = len(raws)
    workers: list[tuple[Any, Connection, int, int]] = []
    for index in range(jobs):
        start, end = index * size // jobs, (index + 1) * size // jobs
        receive, send = context.Pipe(duplex=False)
        worker = context.Process(target=_work, args=(evaluator, raws[start:end], timeout, send))
        worker.start()
        send.close()
        workers.append((worker, receive, start, end))
    outcomes: list[Outcome] = []
    for worker, receive, start, end in workers:
        try:
            part: list[Outcome] = receive.recv()
        except EOFError:  # the worker died: its documents are errors, the others still count
            part = [_lost(raw) for raw in raws[start:end]]
        receive.close()
        worker.join()
        outcomes.extend(part)
    return _report(raws, outcomes)


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


def run_streaming(evaluator: Queryable, raws: Iterable[RawItem], jobs: int, timeout: float) -> Report:
    """run_parallel window after window (WINDOW documents per worker at a time): the input's text is
    held one window at a time; only the results (with their pruned line trees) accumulate."""
    results: list[Result] = []
    errors: list[DocumentError] = []
    times: list[float] = []
    for window in windows(raws, WINDOW * jobs):
        report = run_parallel(evaluator, window, jobs, timeout)
        results.extend(report.results)
        errors.extend(report.errors)
        times.extend(report.times)
    return Report(results=results, errors=errors, times=times)


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
    "MIN_DOCUMENTS",
    "WINDOW",
    "in_process",
    "run_batch",
    "run_parallel",
    "run_streaming",
    "usable_cpus",
    "windows",
]
