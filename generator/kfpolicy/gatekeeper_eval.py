"""Evaluate the generated Gatekeeper artefacts the way Gatekeeper does, without a cluster.

Per ConstraintTemplate: its Rego and libs in the mode its field implies (legacy `rego:` is Rego
v0 with future.keywords, `code: [{engine: Rego, source: {version: v1}}]` is v1), `input.review`
shaped like the AdmissionRequest Gatekeeper builds, `input.parameters` from the Constraint,
`data.inventory` in Gatekeeper's sync shape, and the Constraint's `match` applied first. The same
machinery runs the gator suites (`kfpolicy test`), reading them as `gator verify` does.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from kfpolicy.catalogue.loader import check_parameters
from kfpolicy.catalogue.model import Catalogue
from kfpolicy.engines import UNDEFINED, Engine, make_engine
from kfpolicy.engines.regorus_engine import RegorusEngine
from kfpolicy.errors import CatalogueError, KfpolicyError
from kfpolicy.inputs import Document
from kfpolicy.rego_facts import ModuleFacts, data_roots, module_facts
from kfpolicy.render.gatekeeper import (
    CONSTRAINT_API,
    PROFILES,
    SUITE_API,
    SUITES,
    TARGET,
    TEMPLATE_API,
    TEMPLATES,
    GatekeeperOptions,
    _merge,
    render_gatekeeper,
)
from kfpolicy.report import CheckOutcome
from kfpolicy.runner import Result, Violation, applies, decide, inventory_tree, result_base
from kfpolicy.yamlio import load_all

GROUP = "gatekeeper suites"
ALLOWED_DATA_ROOTS = frozenset({"lib", "inventory"})


# --- templates ---------------------------------------------------------------------------------


def template_modules(template: Mapping[str, Any]) -> tuple[str, list[str], str]:
    """(main module, libs, Rego version "v0" | "v1") of a ConstraintTemplate's Gatekeeper target,
    as Gatekeeper reads it: `code` with a Rego engine wins over the legacy `rego` field."""
    targets = template.get("spec", {}).get("targets") or []
    target = next((t for t in targets if isinstance(t, dict) and t.get("target") == TARGET), None)
    if target is None:
        raise KfpolicyError(f"template {template.get('metadata', {}).get('name')}: no {TARGET} target")
    for code in target.get("code") or []:
        if isinstance(code, dict) and code.get("engine") == "Rego":
            source = code.get("source") or {}
            version = "v1" if source.get("version") == "v1" else "v0"
            return str(source.get("rego", "")), [str(x) for x in source.get("libs") or []], version
    return str(target.get("rego", "")), [str(x) for x in target.get("libs") or []], "v0"


def _facts(text: str, rego_version: str) -> ModuleFacts:
    try:
        return module_facts(text, "template.rego", rego_v0=rego_version == "v0")
    except CatalogueError as exc:
        raise KfpolicyError(f"template module does not parse: {exc}") from None


def _package(text: str, rego_version: str = "v1") -> str:
    return _facts(text, rego_version).package


def template_problems(template: Mapping[str, Any]) -> list[str]:
    """What Gatekeeper would reject (or a structural schema would), checked statically."""
    problems: list[str] = []
    meta = template.get("metadata") or {}
    name = meta.get("name", "")
    kind = (((template.get("spec") or {}).get("crd") or {}).get("spec") or {}).get("names", {}).get("kind", "")
    if template.get("apiVersion") != TEMPLATE_API or template.get("kind") != "ConstraintTemplate":
        problems.append("apiVersion/kind must be templates.gatekeeper.sh/v1 ConstraintTemplate")
    if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", str(kind)):
        problems.append(f"constraint kind {kind!r} is not a Kubernetes kind name")
    if name != str(kind).lower():
        problems.append(f"metadata.name {name!r} must be the lowercase constraint kind {str(kind).lower()!r}")
    if len(str(name)) > 63:
        problems.append(f"metadata.name {name!r} is longer than 63 characters")
    for key, value in (meta.get("labels") or {}).items():
        if not re.fullmatch(r"([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]?", str(value)) or len(str(value)) > 63:
            problems.append(f"label {key}: value {value!r} is not a valid label value")
    annotations = meta.get("annotations") or {}
    for key in ("metadata.gatekeeper.sh/title", "metadata.gatekeeper.sh/version", "description"):
        if not annotations.get(key):
            problems.append(f"annotation {key} missing")
    if not re.fullmatch(r"\d+\.\d+\.\d+", str(annotations.get("metadata.gatekeeper.sh/version", ""))):
        problems.append("metadata.gatekeeper.sh/version is not semver")
    validation = (((template.get("spec") or {}).get("crd") or {}).get("spec") or {}).get("validation")
    if validation is not None:
        problems.extend(schema_problems(validation.get("openAPIV3Schema"), "openAPIV3Schema"))
    main, libs, version = template_modules(template)
    for i, text in enumerate([main, *libs]):
        where = "rego" if i == 0 else f"libs[{i - 1}]"
        try:
            facts = _facts(text, version)
        except KfpolicyError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if i == 0 and "violation" not in facts.rule_names:
            problems.append("the main module defines no `violation` rule")
        if i > 0 and not facts.package.startswith("lib."):
            problems.append(f"{where}: package {facts.package} must start with lib.")
        bad = data_roots(facts) - ALLOWED_DATA_ROOTS
        if bad:
            problems.append(f"{where}: references data.{', data.'.join(sorted(bad))} (only data.lib, data.inventory)")
        if "rego.v1" in facts.imports:
            problems.append(f"{where}: import rego.v1 (Gatekeeper rejects it)")
    return problems


def schema_problems(schema: Any, where: str) -> list[str]:
    """Structural-schema check: a type (or int-or-string / preserve-unknown-fields) at every level."""
    if not isinstance(schema, Mapping):
        return [f"{where}: not a schema object"]
    out: list[str] = []
    markers = schema.get("x-kubernetes-int-or-string") or schema.get("x-kubernetes-preserve-unknown-fields")
    if not schema.get("type") and not markers:
        out.append(f"{where}: no type")
    allowed = {"type", "description", "properties", "items", "required", "enum", "minimum", "maximum",
               "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems",
               "maxItems", "multipleOf", "format", "nullable", "title", "additionalProperties", "default",
               "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields"}
    for key in schema:
        if key not in allowed:
            out.append(f"{where}: {key} is not allowed in a structural schema")
    if "properties" in schema and "additionalProperties" in schema:
        out.append(f"{where}: properties and additionalProperties together")
    for name, sub in (schema.get("properties") or {}).items():
        out.extend(schema_problems(sub, f"{where}.properties.{name}"))
    if "items" in schema:
        out.extend(schema_problems(schema["items"], f"{where}.items"))
    if isinstance(schema.get("additionalProperties"), Mapping):
        out.extend(schema_problems(schema["additionalProperties"], f"{where}.additionalProperties"))
    if schema.get("type") == "array" and "items" not in schema:
        out.append(f"{where}: array without items")
    return out


class CompiledTemplate:
    """One template loaded into its own engine (Gatekeeper compiles each template separately)."""

    def __init__(self, template: Mapping[str, Any], engine: str = "embedded") -> None:
        self.template = template
        self.kind = template["spec"]["crd"]["spec"]["names"]["kind"]
        main, libs, self.rego_version = template_modules(template)
        self.package = _package(main, self.rego_version)
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


# --- match -------------------------------------------------------------------------------------


def _glob(pattern: str, value: str) -> bool:
    if pattern.endswith("*"):
        return value.startswith(pattern[:-1])
    if pattern.startswith("*"):
        return value.endswith(pattern[1:])
    return pattern == value


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def _labels(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    labels = meta.get("labels")
    return labels if isinstance(labels, dict) else {}


def _gvk(obj: Mapping[str, Any]) -> tuple[str, str]:
    group, _, _ = str(obj.get("apiVersion", "")).rpartition("/")
    return group, str(obj.get("kind", ""))


def _matches_one(match: Mapping[str, Any], obj: Mapping[str, Any], namespace: str,
                 namespaces: Mapping[str, Mapping[str, Any]]) -> bool:
    group, kind = _gvk(obj)
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    name = str(meta.get("name") or "")
    kinds = match.get("kinds")
    if kinds:
        if not any(
            ("*" in (k.get("apiGroups") or ["*"]) or group in (k.get("apiGroups") or []))
            and ("*" in (k.get("kinds") or ["*"]) or kind in (k.get("kinds") or []))
            for k in kinds
        ):
            return False
    scope = match.get("scope", "*")
    if (scope == "Cluster" and namespace) or (scope == "Namespaced" and not namespace):
        return False
    is_namespace = group == "" and kind == "Namespace"
    ns_name = name if is_namespace else namespace
    if match.get("namespaces") and ns_name and not any(_glob(p, ns_name) for p in match["namespaces"]):
        return False
    if match.get("excludedNamespaces") and ns_name and any(_glob(p, ns_name) for p in match["excludedNamespaces"]):
        return False
    if match.get("labelSelector") and not selector_matches(match["labelSelector"], _labels(obj)):
        return False
    if match.get("namespaceSelector"):
        if is_namespace:
            ns_labels = _labels(obj)
        elif not namespace:
            ns_labels = None
        else:
            ns_obj = namespaces.get(namespace)
            if ns_obj is None:
                return False  # Gatekeeper needs the Namespace synced (or in the gator case's inventory)
            ns_labels = _labels(ns_obj)
        if ns_labels is not None and not selector_matches(match["namespaceSelector"], ns_labels):
            return False
    if match.get("name") and not _glob(match["name"], name):
        return False
    return True


def matches(match: Mapping[str, Any] | None, review: Mapping[str, Any],
            namespaces: Mapping[str, Mapping[str, Any]]) -> bool:
    """A Constraint's spec.match against a review: object or oldObject may match (as Gatekeeper)."""
    if not match:
        return True
    namespace = str(review.get("namespace") or "")
    objs = [o for o in (review.get("object"), review.get("oldObject")) if isinstance(o, dict)]
    return any(_matches_one(match, o, namespace, namespaces) for o in objs)


def _namespaces(inventory: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    found = ((inventory.get("cluster") or {}).get("v1") or {}).get("Namespace") or {}
    return {k: v for k, v in found.items() if isinstance(v, dict)}


# --- reviews -----------------------------------------------------------------------------------


def admission_request(obj: Mapping[str, Any], *, operation: str, old_object: Any = None,
                      user: str = "kfpolicy") -> dict[str, Any]:
    """The AdmissionRequest Gatekeeper's webhook evaluates. operation "" is what audit and gator
    send for plain objects (no uid, no user either)."""
    group, _, version = str(obj.get("apiVersion", "")).rpartition("/")
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    review: dict[str, Any] = {
        "uid": "",
        "kind": {"group": group, "version": version, "kind": str(obj.get("kind", ""))},
        "resource": {"group": "", "version": "", "resource": ""},
        "operation": operation,
        "userInfo": {"username": user} if operation else {},
        "object": obj,
    }
    if isinstance(meta.get("name"), str) and meta["name"]:
        review["name"] = meta["name"]
    if isinstance(meta.get("namespace"), str) and meta["namespace"]:
        review["namespace"] = meta["namespace"]
    if old_object is not None:
        review["oldObject"] = old_object
    return review


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


# --- constraints bound to templates ------------------------------------------------------------


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

    def review(self, review: Mapping[str, Any], inventory: Mapping[str, Any], *, review_json: str | None = None,
               inventory_key: str | None = None) -> list[dict[str, Any]]:
        """Match, then evaluate: input.review and input.parameters, data.inventory."""
        if not matches(self.constraint.get("spec", {}).get("match"), review, _namespaces(inventory)):
            return []
        text = '{"review":' + (json.dumps(review) if review_json is None else review_json)
        if self.parameters is not None:
            text += ',"parameters":' + json.dumps(self.parameters)
        return self.template.violations(text + "}", inventory, inventory_key)


def parse_docs(text: str | bytes) -> list[Any]:
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    return [d for d in load_all(text) if d is not None]


def _one(files: Mapping[str, str | bytes], path: str) -> dict[str, Any]:
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
            obj = _one(files, path)
            if obj.get("apiVersion") == CONSTRAINT_API:
                out.append(obj)
    return out


def templates_by_kind(files: Mapping[str, str | bytes]) -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted(files):
        if path.startswith(TEMPLATES + "/") and path.endswith(".yaml"):
            obj = _one(files, path)
            if obj.get("kind") == "ConstraintTemplate":
                out[obj["spec"]["crd"]["spec"]["names"]["kind"]] = obj
    return out


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
        """`compiled` (template kind -> CompiledTemplate) may be shared between evaluators of the
        same files and engine, so each template compiles once."""
        self.catalogue = cat
        self.profile = profile or cat.default_profile
        if self.profile not in cat.profiles or self.profile == "all":
            raise KfpolicyError(f"unknown Gatekeeper profile {self.profile!r} "
                                f"(choose from {', '.join(sorted(p for p in cat.profiles if p != 'all'))})")
        files = files if files is not None else render_gatekeeper(cat, options)
        templates = templates_by_kind(files)
        self.inventory = inventory_tree(inventory)
        self._inventory_key = json.dumps(self.inventory, sort_keys=True)
        self.bound: list[Bound] = []
        for constraint in profile_constraints(files, self.profile):
            rule_id = constraint["metadata"].get("labels", {}).get("kfpolicy/rule", "")
            if parameters and rule_id in parameters:
                check_parameters(f"parameters for {rule_id}", cat.rules[rule_id].parameters_schema, parameters[rule_id])
                spec = constraint["spec"]
                spec["parameters"] = _merge(spec.get("parameters") or {}, dict(parameters[rule_id]))
            template = templates.get(constraint["kind"])
            if template is None:
                raise KfpolicyError(f"constraint {constraint['metadata']['name']}: no template for {constraint['kind']}")
            cache = compiled if compiled is not None else {}
            if constraint["kind"] not in cache:
                cache[constraint["kind"]] = CompiledTemplate(template, engine)
            self.bound.append(Bound(constraint, cache[constraint["kind"]]))
        for rule_id in parameters or {}:
            if rule_id not in cat.rules:
                raise KfpolicyError(f"parameters: unknown rule {rule_id!r}")

    @property
    def rules(self) -> list[str]:
        return sorted(b.constraint["metadata"]["labels"]["kfpolicy/rule"] for b in self.bound)

    def evaluate(self, doc: Document, inventory: Iterable[Mapping[str, Any]] | None = None) -> Result:
        """One document; `inventory` replaces the evaluator's referential objects for this call."""
        base = result_base(doc)
        if not applies(self.catalogue, doc):
            return Result(decision="skip", **base)
        review = document_review(doc)
        review_json = json.dumps(review)
        tree = self.inventory if inventory is None else inventory_tree(inventory)
        key = self._inventory_key if inventory is None else json.dumps(tree, sort_keys=True)
        found = []
        for b in self.bound:
            for v in b.review(review, tree, review_json=review_json, inventory_key=key):
                d = v.get("details") if isinstance(v.get("details"), dict) else {}
                found.append(Violation(rule=str(d.get("rule", "")), enforcement=b.action, msg=str(v.get("msg", "")),
                                       field=str(d.get("field", "")), type=str(d.get("type", "")), value=d.get("value")))
        violations = tuple(sorted(found, key=lambda x: (x.field, x.rule, x.msg)))
        return Result(decision=decide(violations), violations=violations, **base)


# --- gator suites ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuiteRun:
    outcomes: list[CheckOutcome]
    suites_run: int
    suite_files: int


def _assert(assertion: Mapping[str, Any], messages: Sequence[str]) -> str:
    pattern = assertion.get("message") or ""
    want = assertion.get("violations", "yes")
    if isinstance(want, bool):  # YAML 1.1 readers turn a bare yes/no into booleans
        want = "yes" if want else "no"
    hits = [m for m in messages if re.search(pattern, m)] if pattern else list(messages)
    if want == "yes" and not hits:
        return f"expected at least one violation{' matching ' + repr(pattern) if pattern else ''}, got none"
    if want == "no" and hits:
        return f"expected no violation{' matching ' + repr(pattern) if pattern else ''}, got {hits}"
    if isinstance(want, int) and len(hits) != want:
        return f"expected {want} violation(s){' matching ' + repr(pattern) if pattern else ''}, got {len(hits)}: {hits}"
    return ""


def run_suites(files: Mapping[str, str | bytes], *, engine: str = "embedded", root: str = SUITES) -> SuiteRun:
    """Run every gator Suite under root the way `gator verify <root>/...` does."""
    outcomes: list[CheckOutcome] = []
    suite_paths = sorted(p for p in files if p.startswith(root + "/") and p.endswith((".yaml", ".yml")))
    top_level = [p for p in suite_paths if "/" not in p[len(root) + 1:]]
    run = 0
    compiled: dict[str, CompiledTemplate] = {}
    for path in suite_paths:
        docs = parse_docs(files[path])
        suite = docs[0] if len(docs) == 1 and isinstance(docs[0], dict) else None
        if not suite or suite.get("apiVersion") != SUITE_API or suite.get("kind") != "Suite":
            continue  # gator verify silently ignores these
        run += 1
        suite_dir = posixpath.dirname(path)
        for test in suite.get("tests") or []:
            tname = f"{path.removeprefix(root + '/')}/{test.get('name')}"
            try:
                tpath = posixpath.normpath(posixpath.join(suite_dir, test["template"]))
                cpath = posixpath.normpath(posixpath.join(suite_dir, test["constraint"]))
                template, constraint = _one(files, tpath), _one(files, cpath)
                if constraint.get("kind") != template["spec"]["crd"]["spec"]["names"]["kind"]:
                    raise KfpolicyError(f"constraint kind {constraint.get('kind')} is not the template's")
                if tpath not in compiled:
                    compiled[tpath] = CompiledTemplate(template, engine)
                bound = Bound(constraint, compiled[tpath])
            except (KfpolicyError, KeyError, TypeError) as exc:
                outcomes.append(CheckOutcome(GROUP, tname, False, f"test cannot run: {exc}"))
                continue
            for case in test.get("cases") or []:
                cname = f"{tname}/{case.get('name')}"
                outcomes.append(CheckOutcome(GROUP, cname, *_run_case(files, suite_dir, bound, case)))
    if run != len(top_level):
        outcomes.append(CheckOutcome(GROUP, "suite count", False,
                                     f"{len(top_level)} suite files but {run} ran as gator Suites"))
    else:
        outcomes.append(CheckOutcome(GROUP, "suite count", True, ""))
    return SuiteRun(outcomes, run, len(top_level))


def _run_case(files: Mapping[str, str | bytes], suite_dir: str, bound: Bound,
              case: Mapping[str, Any]) -> tuple[bool, str]:
    try:
        objs = parse_docs(files[posixpath.normpath(posixpath.join(suite_dir, case["object"]))])
        if len(objs) != 1:
            return False, f"object file defines {len(objs)} objects"
        inventory: list[Any] = []
        for p in case.get("inventory") or []:
            inventory.extend(parse_docs(files[posixpath.normpath(posixpath.join(suite_dir, p))]))
        obj = objs[0]
        if obj.get("kind") == "AdmissionReview" and str(obj.get("apiVersion", "")).startswith("admission.k8s.io/"):
            review = dict(obj["request"])
        else:
            review = admission_request(obj, operation="")
        assertions = case.get("assertions") or []
        if not assertions:
            return False, "assertions must be non-empty"
        messages = [str(v.get("msg", "")) for v in bound.review(review, inventory_tree(inventory))]
    except (KeyError, TypeError, yaml.YAMLError, KfpolicyError) as exc:
        return False, f"case cannot run: {exc}"
    problems = [p for p in (_assert(a, messages) for a in assertions) if p]
    return not problems, "; ".join(problems)


def check_gatekeeper(cat: Catalogue, engine: str = "embedded") -> Iterator[CheckOutcome]:
    """`kfpolicy test`'s Gatekeeper part: every template is structurally valid and every suite passes."""
    files = render_gatekeeper(cat)
    for _, template in sorted(templates_by_kind(files).items()):
        problems = template_problems(template)
        yield CheckOutcome(GROUP, f"template {template['metadata']['name']}", not problems, "; ".join(problems))
    yield from run_suites(files, engine=engine).outcomes
