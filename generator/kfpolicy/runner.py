"""Evaluate documents against the generated portable Rego on a chosen engine.

The engine is loaded once per (profile, parameters, inventory) and reused for every document; each
document costs one JSON serialisation and one query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from kfpolicy.catalogue.model import Catalogue
from kfpolicy.catalogue.parameters import check_parameters
from kfpolicy.engine_input import input_json
from kfpolicy.engines import UNDEFINED, Engine, make_engine
from kfpolicy.errors import KfpolicyError
from kfpolicy.inputs import Document, DocumentError
from kfpolicy.merge import member_object
from kfpolicy.render.profile_data import kubeflow_data
from kfpolicy.yamlio import LineTree

VIOLATION_QUERY = "data.kubeflow.violation"


def inventory_objects(cat: Catalogue, objects: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The objects of the kinds rules may read (the catalogue's inventory kinds): given beside the
    jobs, they are referential data too (a TrainJob's runtime in the same file)."""
    return [dict(o) for o in objects if isinstance(o.get("kind"), str) and o["kind"] in cat.inventory]


@dataclass(frozen=True)
class Violation:
    rule: str
    enforcement: str
    msg: str
    field: str
    type: str
    value: Any

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "enforcement": self.enforcement,
            "msg": self.msg,
            "field": self.field,
            "type": self.type,
            "value": self.value,
        }


@dataclass(frozen=True)
class Result:
    source: str
    api_version: Any
    kind: Any
    namespace: Any
    name: Any
    operation: str
    decision: str
    violations: tuple[Violation, ...] = field(default_factory=tuple)
    reason: str = ""  # why a skip was skipped
    lines: LineTree | None = field(default=None, compare=False, repr=False)

    @property
    def line(self) -> int | None:
        return None if self.lines is None else self.lines.line

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "line": self.line,
            "apiVersion": self.api_version,
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
            "operation": self.operation,
            "decision": self.decision,
            "violations": [v.to_json() for v in self.violations],
            "reason": self.reason or None,
        }


def inventory_tree(objects: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Gatekeeper's data.inventory shape: cluster[gv][kind][name] and namespace[ns][gv][kind][name]."""
    tree: dict[str, Any] = {"cluster": {}, "namespace": {}}
    for obj in objects:
        meta = obj.get("metadata")
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        if not (isinstance(meta, dict) and isinstance(api_version, str) and isinstance(kind, str)):
            continue
        name, ns = meta.get("name"), meta.get("namespace")
        if not isinstance(name, str):
            continue
        branch = tree["namespace"].setdefault(ns, {}) if isinstance(ns, str) and ns else tree["cluster"]
        branch.setdefault(api_version, {}).setdefault(kind, {})[name] = obj
    return tree


def violations_from(raw: Any) -> tuple[Violation, ...]:
    if raw is UNDEFINED:
        return ()
    out = []
    for v in raw:
        d = v.get("details", {})
        out.append(
            Violation(
                rule=d.get("rule", ""),
                enforcement=d.get("enforcement", "deny"),
                msg=v.get("msg", ""),
                field=d.get("field", ""),
                type=d.get("type", ""),
                value=d.get("value"),
            )
        )
    return tuple(sorted(out, key=lambda x: (x.field, x.rule, x.msg)))


def result_base(doc: Document) -> dict[str, Any]:
    """The identifying fields of a Result, read defensively from any object."""
    obj = doc.obj
    meta = member_object(obj, "metadata")
    return {
        "source": doc.source,
        "api_version": obj.get("apiVersion"),
        "kind": obj.get("kind"),
        "namespace": meta.get("namespace"),
        "name": meta.get("name"),
        "operation": doc.operation,
        "lines": doc.lines,
    }


def skip_reason(cat: Catalogue, doc: Document) -> str:
    """Why kfpolicy does not check this document at all ("" when it does): it checks known, not
    skipped kinds on CREATE or UPDATE."""
    api_version, kind_name = doc.obj.get("apiVersion"), doc.obj.get("kind")
    if not (isinstance(api_version, str) and isinstance(kind_name, str)):
        return "no apiVersion and kind: not a Kubernetes object"
    kind = cat.kind_for(api_version, kind_name)
    if kind is None:
        return f"{kind_name} {api_version} is not a kind kfpolicy checks"
    if kind.status == "skipped":
        why = kind.description.split(". ")[0].rstrip(".")
        return f"{kind_name} {api_version} is skipped by the catalogue" + (f": {why}" if why else "")
    if doc.operation not in ("CREATE", "UPDATE"):
        return f"operation {doc.operation} is not checked (only CREATE and UPDATE)"
    return ""


def applies(cat: Catalogue, doc: Document) -> bool:
    """Whether kfpolicy checks this document at all: a known, not skipped kind on CREATE or UPDATE."""
    return not skip_reason(cat, doc)


def decide(violations: Sequence[Violation]) -> str:
    if any(v.enforcement == "deny" for v in violations):
        return "deny"
    if violations:
        return "warn"
    return "allow"


def generated_tree(cat: Catalogue, engine: Engine) -> dict[str, str]:
    """What an engine is loaded with: the portable rego/ modules, or gatekeeper/ for the Gatekeeper
    evaluator."""
    if getattr(engine, "loads", "rego") == "gatekeeper":
        from kfpolicy.gatekeeper.render import render_gatekeeper  # the Gatekeeper side builds on this module

        return render_gatekeeper(cat)
    from kfpolicy.catalogue.cache import cached_render

    return cached_render(cat, _render_rego)


def _render_rego(cat: Catalogue) -> dict[str, str]:
    from kfpolicy.render.rego import render_rego  # jinja2 and the templates: only when the cache misses

    return render_rego(cat)


class Evaluator:
    """One loaded engine for one profile; evaluate() answers for one document."""

    def __init__(
        self,
        cat: Catalogue,
        *,
        profile: str | None = None,
        engine: str = "embedded",
        inventory: Iterable[Mapping[str, Any]] = (),
        parameters: Mapping[str, Mapping[str, Any]] | None = None,
        only: Sequence[str] | None = None,
        modules: Mapping[str, str] | None = None,
    ) -> None:
        self.catalogue = cat
        self.profile = profile or cat.default_profile
        if self.profile not in cat.profiles:
            raise KfpolicyError(
                f"unknown profile {self.profile!r} (choose from {', '.join(sorted(cat.profiles))})"
            )
        for rule_id, values in (parameters or {}).items():
            if rule_id not in cat.rules:
                raise KfpolicyError(f"parameters: unknown rule {rule_id!r}")
            check_parameters(f"parameters for {rule_id}", cat.rules[rule_id].parameters_schema, values)
        kubeflow = kubeflow_data(cat, self.profile, only=only, parameters=parameters)
        data = {"kubeflow": kubeflow, "inventory": inventory_tree(inventory)}
        self.engine: Engine = make_engine(engine)
        self.engine.load(modules if modules is not None else generated_tree(cat, self.engine), data)
        # skip_reason by (apiVersion, kind, operation): documents of a batch share a few of them.
        self._skips: dict[tuple[str, str, str], str] = {}

    def expect(self, documents: int) -> None:
        """A hint: about this many documents follow (a large batch compiles the policies at once)."""
        hint = getattr(self.engine, "expect", None)
        if hint is not None:
            hint(documents, VIOLATION_QUERY)

    def _skip_reason(self, doc: Document) -> str:
        api_version, kind = doc.obj.get("apiVersion"), doc.obj.get("kind")
        if not (isinstance(api_version, str) and isinstance(kind, str)):
            return skip_reason(self.catalogue, doc)
        key = (api_version, kind, doc.operation)
        reason = self._skips.get(key)
        if reason is None:
            reason = skip_reason(self.catalogue, doc)
            if len(self._skips) < 256:
                self._skips[key] = reason
        return reason

    def evaluate(self, doc: Document) -> Result:
        base = result_base(doc)
        reason = self._skip_reason(doc)
        if reason:
            return Result(decision="skip", reason=reason, **base)
        raw = self.engine.evaluate(VIOLATION_QUERY, input_json(doc.input, plain_numbers=doc.plain_numbers))
        violations = violations_from(raw)
        return Result(decision=decide(violations), violations=violations, **base)

    def query(self, query: str, rego_input: Any) -> Any:
        return self.engine.evaluate(query, input_json(rego_input))


class DocumentEvaluator(Protocol):
    def evaluate(self, doc: Document) -> Result: ...


def evaluate_isolated(evaluator: DocumentEvaluator, doc: Document) -> Result | DocumentError:
    """One document in its own evaluation: whatever fails on it (its JSON, the engine, a time bound)
    becomes that document's error, so the others are still evaluated."""
    try:
        return evaluator.evaluate(doc)
    except (KfpolicyError, ValueError, OverflowError, RecursionError) as exc:
        return DocumentError(doc.source, f"not evaluated: {exc}", doc.line)


def evaluate_each(
    evaluator: DocumentEvaluator, docs: Iterable[Document]
) -> tuple[list[Result], list[DocumentError]]:
    """Every document through evaluate_isolated: the results, and the documents that failed."""
    results: list[Result] = []
    errors: list[DocumentError] = []
    for doc in docs:
        outcome = evaluate_isolated(evaluator, doc)
        (errors if isinstance(outcome, DocumentError) else results).append(outcome)  # type: ignore[arg-type]
    return results, errors
