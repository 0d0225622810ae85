"""Evaluate a profile's generated templates and constraints the way Gatekeeper's webhook does:
each template in its own engine, in the Rego version its field implies, match first."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kfpolicy.admission import admission_request
from kfpolicy.catalogue.loader import ALL_PROFILE
from kfpolicy.catalogue.model import Catalogue
from kfpolicy.catalogue.parameters import check_parameters
from kfpolicy.engines import UNDEFINED, Engine, make_engine
from kfpolicy.engines.regorus_engine import RegorusEngine
from kfpolicy.errors import KfpolicyError
from kfpolicy.gatekeeper.lint import module_package, template_modules
from kfpolicy.gatekeeper.match import matches, namespaces_of
from kfpolicy.gatekeeper.names import CONSTRAINT_API, PROFILES, TEMPLATES, GatekeeperOptions
from kfpolicy.gatekeeper.render import render_gatekeeper
from kfpolicy.inputs import Document
from kfpolicy.merge import deep_merge
from kfpolicy.runner import Result, decide, inventory_tree, result_base, skip_reason, violations_from
from kfpolicy.yamlio import load_all


class CompiledTemplate:
    """One template loaded into its own engine (Gatekeeper compiles each template separately)."""

    def __init__(self, template: Mapping[str, Any], engine: str = "embedded") -> None:
        self.template = template
        self.kind = template["spec"]["crd"]["spec"]["names"]["kind"]
        main, libs, self.rego_version = template_modules(template)
        self.package = module_package(main, self.rego_version)
        self.modules = {"template.rego": main, **{f"lib{i:03d}.rego": text for i, text in enumerate(libs)}}
        self.engine_name = engine
        self._base: Engine | None = None
        self._by_inventory: dict[str, Engine] = {}

    def _new_engine(self) -> Engine:
        if self.engine_name == "embedded":
            return RegorusEngine(rego_v0=self.rego_version == "v0")
        return make_engine(self.engine_name)

    def engine_for(self, inventory: Mapping[str, Any], key: str | None = None) -> Engine:
        key = json.dumps(inventory, sort_keys=True) if key is None else key
        if key in self._by_inventory:
            return self._by_inventory[key]
        if self.engine_name == "embedded":
            if self._base is None:
                self._base = self._new_engine()
                self._base.load(self.modules, {})
            assert isinstance(self._base, RegorusEngine)
            engine: Engine = self._base.clone()
            engine.add_data({"inventory": inventory})  # type: ignore[attr-defined]
        else:
            engine = self._new_engine()
            engine.load(self.modules, {"inventory": inventory})
        if len(self._by_inventory) > 64:
            self._by_inventory.clear()
        self._by_inventory[key] = engine
        return engine

    def violations(self, rego_input: Mapping[str, Any] | str, inventory: Mapping[str, Any],
                   inventory_key: str | None = None) -> list[dict[str, Any]]:
        """`rego_input` as an object or already serialised to JSON."""
        text = rego_input if isinstance(rego_input, str) else json.dumps(rego_input)
        raw = self.engine_for(inventory, inventory_key).evaluate(f"data.{self.package}.violation", text)
        return [] if raw is UNDEFINED else list(raw)


def document_review(doc: Document) -> dict[str, Any]:
    """A document as the webhook sees it: an AdmissionReview's request as given, a manifest as CREATE."""
    request = doc.input.get("request") if isinstance(doc.input, dict) and doc.rego_input is not None else None
    if isinstance(request, dict):
        review = dict(request)
        review["object"] = doc.obj
        if doc.old_object is not None:
            review["oldObject"] = doc.old_object
        return review
    return admission_request(doc.obj, operation=doc.operation, old_object=doc.old_object)


@dataclass
class Bound:
    constraint: dict[str, Any]
    template: CompiledTemplate

    @property
    def action(self) -> str:
        return str(self.constraint.get("spec", {}).get("enforcementAction") or "deny")

    @property
    def parameters(self) -> Any:
        return self.constraint.get("spec", {}).get("parameters")

    def review(
        self,
        review: Mapping[str, Any],
        inventory: Mapping[str, Any],
        *,
        review_json: str | None = None,
        inventory_key: str | None = None,
    ) -> list[dict[str, Any]]:
        """Match, then evaluate: input.review and input.parameters, data.inventory."""
        if not matches(self.constraint.get("spec", {}).get("match"), review, namespaces_of(inventory)):
            return []
        text = '{"review":' + (json.dumps(review) if review_json is None else review_json)
        if self.parameters is not None:
            text += ',"parameters":' + json.dumps(self.parameters)
        return self.template.violations(text + "}", inventory, inventory_key)


def parse_docs(text: str | bytes) -> list[Any]:
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    return [d for d in load_all(text) if d is not None]


def one_object(files: Mapping[str, str | bytes], path: str) -> dict[str, Any]:
    if path not in files:
        raise KfpolicyError(f"{path}: no such generated file")
    docs = parse_docs(files[path])
    if len(docs) != 1 or not isinstance(docs[0], dict):
        raise KfpolicyError(f"{path}: expected exactly one object")
    return docs[0]


def profile_constraints(files: Mapping[str, str | bytes], profile: str) -> list[dict[str, Any]]:
    base = f"{PROFILES}/{profile}/"
    out = []
    for path in sorted(files):
        if path.startswith(base) and path.endswith(".yaml"):
            obj = one_object(files, path)
            if obj.get("apiVersion") == CONSTRAINT_API:
                out.append(obj)
    return out


def templates_by_kind(files: Mapping[str, str | bytes]) -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted(files):
        if path.startswith(TEMPLATES + "/") and path.endswith(".yaml"):
            obj = one_object(files, path)
            if obj.get("kind") == "ConstraintTemplate":
                out[obj["spec"]["crd"]["spec"]["names"]["kind"]] = obj
    return out


def bind_constraints(
    files: Mapping[str, str | bytes],
    profile: str,
    *,
    engine: str = "embedded",
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    only: Iterable[str] | None = None,
    compiled: dict[str, CompiledTemplate] | None = None,
) -> list[Bound]:
    """The profile's Constraints (those of the rules in `only`, when given) bound to their compiled
    templates, with `parameters` (rule id -> values) merged over each constraint's spec.parameters.
    `compiled` (template kind -> CompiledTemplate) may be shared so each template compiles once."""
    templates = templates_by_kind(files)
    wanted = None if only is None else set(only)
    cache = compiled if compiled is not None else {}
    bound: list[Bound] = []
    for constraint in profile_constraints(files, profile):
        rule_id = constraint["metadata"].get("labels", {}).get("kfpolicy/rule", "")
        if wanted is not None and rule_id not in wanted:
            continue
        if parameters and rule_id in parameters:
            spec = constraint["spec"]
            spec["parameters"] = deep_merge(spec.get("parameters") or {}, dict(parameters[rule_id]))
        template = templates.get(constraint["kind"])
        if template is None:
            raise KfpolicyError(
                f"constraint {constraint['metadata']['name']}: no template for {constraint['kind']}"
            )
        if constraint["kind"] not in cache:
            cache[constraint["kind"]] = CompiledTemplate(template, engine)
        bound.append(Bound(constraint, cache[constraint["kind"]]))
    return bound


def review_violations(bound: Iterable[Bound], review: Mapping[str, Any], inventory: Mapping[str, Any],
                      inventory_key: str) -> list[dict[str, Any]]:
    """Every bound constraint's violations for one review, shaped like data.kubeflow.violation:
    {msg, details} with details.enforcement the constraint's enforcementAction."""
    review_json = json.dumps(review)
    found: list[dict[str, Any]] = []
    for b in bound:
        for v in b.review(review, inventory, review_json=review_json, inventory_key=inventory_key):
            details = v.get("details")
            found.append(
                {
                    "msg": v.get("msg", ""),
                    "details": {**(details if isinstance(details, dict) else {}), "enforcement": b.action},
                }
            )
    return found


class GatekeeperEvaluator:
    """A profile's Constraints and their templates, evaluated like Gatekeeper's webhook would."""

    def __init__(
        self,
        cat: Catalogue,
        *,
        profile: str | None = None,
        engine: str = "embedded",
        inventory: Iterable[Mapping[str, Any]] = (),
        parameters: Mapping[str, Mapping[str, Any]] | None = None,
        files: Mapping[str, str | bytes] | None = None,
        options: GatekeeperOptions | None = None,
        compiled: dict[str, CompiledTemplate] | None = None,
    ) -> None:
        self.catalogue = cat
        self.profile = profile or cat.default_profile
        if self.profile not in cat.profiles or self.profile == ALL_PROFILE:
            choices = ", ".join(sorted(p for p in cat.profiles if p != ALL_PROFILE))
            raise KfpolicyError(f"unknown Gatekeeper profile {self.profile!r} (choose from {choices})")
        for rule_id, values in (parameters or {}).items():
            if rule_id not in cat.rules:
                raise KfpolicyError(f"parameters: unknown rule {rule_id!r}")
            check_parameters(f"parameters for {rule_id}", cat.rules[rule_id].parameters_schema, values)
        files = files if files is not None else render_gatekeeper(cat, options)
        self.inventory = inventory_tree(inventory)
        self._inventory_key = json.dumps(self.inventory, sort_keys=True)
        self.bound = bind_constraints(
            files, self.profile, engine=engine, parameters=parameters, compiled=compiled
        )

    @property
    def rules(self) -> list[str]:
        return sorted(b.constraint["metadata"]["labels"]["kfpolicy/rule"] for b in self.bound)

    def evaluate(self, doc: Document, inventory: Iterable[Mapping[str, Any]] | None = None) -> Result:
        """One document; `inventory` replaces the evaluator's referential objects for this call."""
        base = result_base(doc)
        reason = skip_reason(self.catalogue, doc)
        if reason:
            return Result(decision="skip", reason=reason, **base)
        tree = self.inventory if inventory is None else inventory_tree(inventory)
        key = self._inventory_key if inventory is None else json.dumps(tree, sort_keys=True)
        violations = violations_from(review_violations(self.bound, document_review(doc), tree, key))
        return Result(decision=decide(violations), violations=violations, **base)
