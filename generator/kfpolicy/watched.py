"""One slice of a batch parsed and evaluated in a forked worker that the parent watches.

The worker evaluates in its own process, with no round trip per document: before each evaluation
it writes which document it is on and when it started into memory shared with the parent, and it
sends all its outcomes at the end. Under a time bound the parent checks that note a few times a
second. A document that passes the bound, or on which the worker dies, is evaluated again by the
parent under a BoundedEvaluator (so its error names the slow rule, worded as before); the slice is
then given to a fresh worker that takes that document's outcome as given. Without a time bound a
dead worker loses its slice (every document of it becomes an error), as before.
"""

from __future__ import annotations

import gc
import multiprocessing
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from typing import Any

from kfpolicy.bounded import BoundedEvaluator, Queryable
from kfpolicy.inputs import Document, DocumentError, SkippedInput
from kfpolicy.rawinputs import RawDocument, RawItem, parse
from kfpolicy.report.common import field_path
from kfpolicy.runner import DocumentEvaluator, Result, evaluate_isolated
from kfpolicy.yamllines import LineTree

# One item of a worker's document: an input error, a skip, or an evaluation and its seconds.
Part = DocumentError | SkippedInput | tuple[Result | DocumentError, float]
# A worker's answer for one split item: (whether it held a document, its parts); None for the
# parent's own items (errors and skips met while reading).
Outcome = tuple[bool, list[Part]] | None
# Where a slice's document sits: (position in the slice, index among the items it holds).
Place = tuple[int, int]
_POSITION, _INDEX, _STARTED = 0, 1, 2  # the shared note; _STARTED is 0.0 while not evaluating


def pruned(result: Result) -> Result:
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


def _timed(evaluator: DocumentEvaluator, doc: Document) -> tuple[Result | DocumentError, float]:
    start = time.perf_counter()
    outcome = evaluate_isolated(evaluator, doc)
    elapsed = time.perf_counter() - start
    return (pruned(outcome) if isinstance(outcome, Result) else outcome), elapsed


def evaluate_slice(
    evaluator: DocumentEvaluator, raws: Sequence[RawItem], given: dict[Place, Part], note: Any = None
) -> list[Outcome]:
    """Parse and evaluate each document of the slice (`given` outcomes are taken as they are),
    writing the document being evaluated into `note` when there is one."""
    out: list[Outcome] = []
    for position, raw in enumerate(raws):
        if not isinstance(raw, RawDocument):
            out.append(None)
            continue
        found, items = parse(raw)
        parts: list[Part] = []
        for index, item in enumerate(items):
            if not isinstance(item, Document):
                parts.append(item)
            elif (position, index) in given:
                parts.append(given[position, index])
            elif note is None:
                parts.append(_timed(evaluator, item))
            else:
                note[_POSITION], note[_INDEX], note[_STARTED] = position, index, time.monotonic()
                parts.append(_timed(evaluator, item))
                note[_STARTED] = 0.0
        out.append((found, parts))
    return out


def _work(evaluator: DocumentEvaluator, raws: Sequence[RawItem], given: dict[Place, Part], note: Any,
          conn: Connection) -> None:
    try:
        conn.send(evaluate_slice(evaluator, raws, given, note))
    finally:
        conn.close()


def _lost(raw: RawItem) -> Outcome:
    if not isinstance(raw, RawDocument):
        return None
    error = DocumentError(f"{raw.file}#{raw.index}", "not evaluated: its worker process died")
    return True, [error]


@dataclass
class Watched:
    """One slice and the worker evaluating it."""

    raws: Sequence[RawItem]
    given: dict[Place, Part] = field(default_factory=dict)
    outcomes: list[Outcome] | None = None
    process: Any = None
    conn: Connection | None = None
    note: Any = None

    def start(self, evaluator: DocumentEvaluator) -> None:
        context = multiprocessing.get_context("fork")
        self.note = context.RawArray("d", 3)
        receive, send = context.Pipe(duplex=False)
        self.process = context.Process(target=_work, args=(evaluator, self.raws, self.given, self.note, send))
        # What is alive now is frozen out of the garbage collector: the worker's collections then never
        # walk what it inherits (the loaded evaluator, the split input), which would also copy those
        # pages into it, and this process's no longer walk it on every window. It stays frozen until
        # the batch is done (parallel.batch_frozen gives it back).
        gc.freeze()
        self.process.start()
        send.close()
        self.conn = receive

    def stop(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.kill()
        if self.process is not None:
            self.process.join()
        if self.conn is not None:
            self.conn.close()
        self.process = self.conn = None

    def receive(self) -> bool:
        """Take the worker's outcomes; False when it died instead."""
        assert self.conn is not None
        try:
            self.outcomes = self.conn.recv()
        except EOFError:
            return False
        finally:
            self.stop()
        return True

    def busy_place(self, longer_than: float) -> Place | None:
        """The document the worker has been evaluating for longer than `longer_than` seconds (any
        time at all when 0), if any."""
        started = self.note[_STARTED]
        if not started or time.monotonic() - started <= longer_than:
            return None
        place = (int(self.note[_POSITION]), int(self.note[_INDEX]))
        return place if self.note[_STARTED] == started else None

    def settle(self, evaluator: Queryable, place: Place, timeout: float) -> None:
        """Evaluate the document at `place` here under the bound (its error names the slow rule)
        and give the slice to a fresh worker."""
        raw = self.raws[place[0]]
        assert isinstance(raw, RawDocument)
        doc = parse(raw)[1][place[1]]
        assert isinstance(doc, Document)
        with BoundedEvaluator(evaluator, timeout) as bounded:
            self.given[place] = _timed(bounded, doc)
        self.start(evaluator)


class WatchedRun:
    """Every slice in a worker of its own, started at once; `outcomes` waits for them (see the
    module doc), so the caller can do other work meanwhile."""

    def __init__(self, evaluator: Queryable, slices: Sequence[Sequence[RawItem]], timeout: float) -> None:
        self.evaluator = evaluator
        self.timeout = timeout
        self.watched = [Watched(raws) for raws in slices]
        for one in self.watched:
            one.start(evaluator)

    def outcomes(self) -> list[Outcome]:
        """Every slice's outcomes, in order."""
        evaluator, timeout = self.evaluator, self.timeout
        tick = min(0.25, timeout / 4) if timeout else None
        running: dict[Any, Watched] = {one.conn: one for one in self.watched if one.outcomes is None}
        while running:
            for conn in wait(list(running), tick):
                one = running.pop(conn)
                place = one.busy_place(0) if timeout else None
                if not one.receive():
                    if place is None:
                        one.outcomes = [_lost(raw) for raw in one.raws]
                    else:  # it died evaluating that document
                        one.settle(evaluator, place, timeout)
                        running[one.conn] = one
            if not timeout:
                continue
            for conn, one in list(running.items()):
                place = one.busy_place(timeout)
                if place is not None:
                    one.stop()
                    del running[conn]
                    one.settle(evaluator, place, timeout)
                    running[one.conn] = one
        out: list[Outcome] = []
        for one in self.watched:
            assert one.outcomes is not None
            out.extend(one.outcomes)
        return out
