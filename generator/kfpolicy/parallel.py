"""`kfpolicy eval --jobs N`: a large batch split over N forked processes.

The loaded (and compiled) evaluator and the read items are inherited by each worker through fork, so
nothing is pickled on the way in; each worker evaluates one contiguous slice of the items and sends
back its outcomes (results without their line trees, which stay in the parent). The parent puts the
slices together in input order, so the report and the exit code are those of one process. Under a
time bound each worker has its own BoundedEvaluator.

Small batches (fewer than MIN_DOCUMENTS documents) and real OPA (whose Go runtime does not survive a
fork) are evaluated in the process.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Sequence
from dataclasses import replace
from multiprocessing.connection import Connection
from typing import Any

from kfpolicy.batch import run_batch, skipped_result
from kfpolicy.bounded import BoundedEvaluator, Queryable
from kfpolicy.inputs import Document, DocumentError, Item, SkippedInput
from kfpolicy.report import Report
from kfpolicy.runner import DocumentEvaluator, Result, evaluate_isolated

MIN_DOCUMENTS = 200

Outcome = tuple[Result | DocumentError, float] | None


def usable_cpus() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def in_process(jobs: int, documents: int, engine: str) -> bool:
    return jobs <= 1 or documents < MIN_DOCUMENTS or engine == "opa"


def _evaluate_slice(evaluator: DocumentEvaluator, items: Sequence[Item]) -> list[Outcome]:
    out: list[Outcome] = []
    for item in items:
        if not isinstance(item, Document):
            out.append(None)
            continue
        start = time.perf_counter()
        outcome = evaluate_isolated(evaluator, item)
        elapsed = time.perf_counter() - start
        out.append((replace(outcome, lines=None) if isinstance(outcome, Result) else outcome, elapsed))
    return out


def _work(evaluator: Queryable, items: Sequence[Item], timeout: float, conn: Connection) -> None:
    try:
        if timeout:
            with BoundedEvaluator(evaluator, timeout) as bounded:
                outcomes = _evaluate_slice(bounded, items)
        else:
            outcomes = _evaluate_slice(evaluator, items)
        conn.send(outcomes)
    finally:
        conn.close()


def run_parallel(evaluator: Queryable, items: Sequence[Item], jobs: int, timeout: float) -> Report:
    """As batch.run_batch (with a BoundedEvaluator when timeout is set), over `jobs` processes."""
    context = multiprocessing.get_context("fork")
    size = len(items)
    workers: list[tuple[Any, Connection, int, int]] = []
    for index in range(jobs):
        start, end = index * size // jobs, (index + 1) * size // jobs
        receive, send = context.Pipe(duplex=False)
        worker = context.Process(target=_work, args=(evaluator, items[start:end], timeout, send))
        worker.start()
        send.close()
        workers.append((worker, receive, start, end))
    outcomes: list[Outcome] = []
    for worker, receive, start, end in workers:
        try:
            part: list[Outcome] = receive.recv()
        except EOFError:  # the worker died: its documents are errors, the others still count
            part = [
                None if not isinstance(item, Document)
                else (DocumentError(item.source, "not evaluated: its worker process died", item.line), 0.0)
                for item in items[start:end]
            ]
        receive.close()
        worker.join()
        outcomes.extend(part)
    return _report(items, outcomes)


def _report(items: Sequence[Item], outcomes: Sequence[Outcome]) -> Report:
    results: list[Result] = []
    times: list[float] = []
    errors: list[DocumentError] = []
    for item, outcome in zip(items, outcomes, strict=True):
        if isinstance(item, DocumentError):
            errors.append(item)
        elif isinstance(item, SkippedInput):
            results.append(skipped_result(item))
            times.append(0.0)
        elif outcome is not None:
            value, elapsed = outcome
            if isinstance(value, DocumentError):
                errors.append(value)
                continue
            results.append(replace(value, lines=item.lines))
            times.append(elapsed)
    return Report(results=results, errors=errors, times=times)


__all__ = ["MIN_DOCUMENTS", "in_process", "run_batch", "run_parallel", "usable_cpus"]
