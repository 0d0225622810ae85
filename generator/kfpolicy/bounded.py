"""A time bound for every evaluation.

The embedded engine holds the GIL and has no time limit of its own (its compiled mode stops at a
fixed instruction budget and then hands the input to the interpreter, which has none), so a bound
needs a second process. The loaded evaluator is forked into a worker (a fork copies the loaded
engine: nothing is parsed or compiled again) that answers one document at a time. When a document
passes the bound, or the worker dies on it, the worker is killed; the document becomes an error
that names the slow rule (each of the profile's rules is asked alone, under the same bound), and a
fresh worker is forked from the parent's evaluator for the documents after it.

Only for evaluators that survive a fork: the embedded engine (and Gatekeeper's, built on it). Real
OPA's Go runtime does not, so `--engine opa` evaluates in the process, without a bound.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, Protocol

from kfpolicy.catalogue.model import Catalogue
from kfpolicy.engine_input import input_json
from kfpolicy.errors import EngineError
from kfpolicy.inputs import Document
from kfpolicy.runner import DocumentEvaluator, Result

DEFAULT_SECONDS = 10.0


class Queryable(DocumentEvaluator, Protocol):
    """What the worker needs besides evaluate(): a query for one rule's violations."""

    catalogue: Catalogue
    profile: str

    def query(self, query: str, rego_input: Any) -> Any: ...


def _serve(evaluator: Queryable, conn: Connection) -> None:
    """The worker: answers ("doc", Document) and ("query", (query, input)) until the pipe closes."""
    while True:
        try:
            kind, payload = conn.recv()
        except EOFError:
            return
        try:
            answer = evaluator.evaluate(payload) if kind == "doc" else evaluator.query(*payload)
            conn.send(("ok", answer))
        except Exception as exc:  # any failure is this request's answer, not the worker's end
            conn.send(("error", str(exc) or type(exc).__name__))


class _Exceeded(Exception):
    """The request passed the bound, or the worker died on it."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


class BoundedEvaluator:
    """evaluate() as the wrapped evaluator's, each call in a forked worker under `seconds`."""

    def __init__(self, evaluator: Queryable, seconds: float = DEFAULT_SECONDS) -> None:
        self.evaluator = evaluator
        self.seconds = seconds
        self._worker: BaseProcess | None = None
        self._conn: Connection | None = None

    def _start(self) -> Connection:
        if self._conn is None:
            context = multiprocessing.get_context("fork")
            parent, child = context.Pipe()
            worker = context.Process(target=_serve, args=(self.evaluator, child), daemon=True)
            worker.start()
            child.close()
            self._worker, self._conn = worker, parent
        return self._conn

    def close(self) -> None:
        """End the worker (it holds a copy of the loaded engine)."""
        if self._worker is not None:
            self._worker.kill()
            self._worker.join()
        if self._conn is not None:
            self._conn.close()
        self._worker = self._conn = None

    def _ask(self, kind: str, payload: Any) -> Any:
        conn = self._start()
        conn.send((kind, payload))
        if not conn.poll(self.seconds):
            self.close()
            raise _Exceeded(f"took longer than {self.seconds:g} s; the other documents are evaluated")
        try:
            status, value = conn.recv()
        except EOFError:
            self.close()
            raise _Exceeded("crashed the engine; the other documents are evaluated") from None
        if status == "error":
            raise EngineError(value)
        return value

    def evaluate(self, doc: Document) -> Result:
        try:
            # The line tree stays here: pickling it both ways cost more than the evaluation.
            result: Result = replace(self._ask("doc", replace(doc, lines=None)), lines=doc.lines)
        except _Exceeded as exc:
            culprit = self._slow_rule(doc)
            named = f"rule {culprit}" if culprit else "the evaluation"
            raise EngineError(f"{named} {exc.why}") from None
        return result

    def _slow_rule(self, doc: Document) -> str:
        """The first of the profile's rules that alone passes the bound (or crashes) on this document."""
        cat = self.evaluator.catalogue
        profile = cat.profiles.get(self.evaluator.profile)
        rule_ids = sorted(profile.rules) if profile is not None else sorted(cat.rules)
        rego_input = doc.input
        input_json(rego_input)  # a document the engine cannot take fails before any rule is asked
        for rule_id in rule_ids:
            try:
                self._ask("query", (f"data.{cat.rules[rule_id].package}.violation", rego_input))
            except _Exceeded:
                return rule_id
            except EngineError:
                continue
        return ""

    def __enter__(self) -> BoundedEvaluator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
