"""Render gatekeeper/: one ConstraintTemplate per rule, Constraints per profile with a kustomization,
a sync Config for referential rules, gator suites from the catalogue examples, and the template
version lock. Pure: catalogue (+ the previous lock) -> {path: text}.

A template's main module is the rule's own body (package renamed, its `violation` heads renamed
to `rule_violation`) plus a generated part: `params` from `input.parameters` over the catalogue
defaults, the kind/operation guard the portable entry point applies, and the `violation` contract
Gatekeeper wants ({msg, details} with details.rule). Stricter rules it yields to ride along as
libs, so one template decides exactly like data.kubeflow.violation does for that rule.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from kfpolicy.catalogue.model import Catalogue, Example, Rule
from kfpolicy.errors import CatalogueError
from kfpolicy.rego_facts import module_facts
from kfpolicy.render.common import header
from kfpolicy.render.rego import library_modules, rule_module
from kfpolicy.render.templating import render_template

ROOT = "gatekeeper"
TEMPLATES = f"{ROOT}/templates"
PROFILES = f"{ROOT}/profiles"
SUITES = f"{ROOT}/suites"
LOCK_PATH = f"{TEMPLATES}/versions.lock.json"
TARGET = "admission.k8s.gatekeeper.sh"
TEMPLATE_API = "templates.gatekeeper.sh/v1"
CONSTRAINT_API = "constraints.gatekeeper.sh/v1beta1"
SUITE_API = "test.gatekeeper.sh/v1alpha1"
CONFIG_API = "config.gatekeeper.sh/v1alpha1"
EXCLUDED_NAMESPACES = ["kube-system", "gatekeeper-system"]
YIELDS_PARAM = "kfpolicyYieldsTo"
FIRST_VERSION = "1.0.0"
PART_OF = {"app.kubernetes.io/part-of": "kfpolicy"}
# Stages Gatekeeper profiles leave out: the API server's CRD schema already rejects these.
LEFT_OUT_STAGES = frozenset({"schema"})
TYPE_TEXT = {
    "FieldValueRequired": "Required value",
    "FieldValueInvalid": "Invalid value",
    "FieldValueForbidden": "Forbidden",
    "FieldValueNotSupported": "Unsupported value",
    "FieldValueDuplicate": "Duplicate value",
    "FieldValueTooLong": "Too long",
    "FieldValueTooMany": "Too many",
    "InternalError": "Internal error",
}


@dataclass(frozen=True)
class GatekeeperOptions:
    code_field: bool = False  # code: [{engine: Rego, source: {version: v1}}] instead of rego:


# --- names -------------------------------------------------------------------------------------


def constraint_kind(rule_id: str) -> str:
    """`replicas-non-negative` -> `KfReplicasNonNegative`."""
    return "Kf" + "".join(part[:1].upper() + part[1:] for part in rule_id.split("-"))


def template_name(rule_id: str) -> str:
    return constraint_kind(rule_id).lower()


def template_path(rule_id: str) -> str:
    return f"{TEMPLATES}/{rule_id}.yaml"


# --- Rego --------------------------------------------------------------------------------------

PARAMETERS_PACKAGE = "lib.kubeflow.parameters"


def main_module(cat: Catalogue, rule: Rule) -> str:
    """The template's `rego`: Gatekeeper's `violation` contract over the rule's package (a lib)."""
    return render_template(
        "gatekeeper/main.rego.j2",
        header=header("#", f"catalogue/rules/{rule.id}/rule.yaml"),
        package=template_name(rule.id),
        rule=rule,
        yields=[cat.rules[r] for r in rule.yields_to],
        yields_param=YIELDS_PARAM,
        yields_defaults={r: {} for r in rule.yields_to},
    )


def parameters_module(cat: Catalogue, rule: Rule) -> str:
    """The template's own lib.kubeflow.parameters: input.parameters over the catalogue defaults."""
    rules = [rule, *(cat.rules[r] for r in rule.yields_to)]
    return render_template(
        "gatekeeper/parameters.rego.j2",
        header=header("#", f"catalogue/rules/{rule.id}/rule.yaml"),
        rule_id=rule.id,
        yields_param=YIELDS_PARAM,
        defaults={r.id: r.default_parameters for r in rules},
    )


def _package_for(ref: str, packages: Mapping[str, str]) -> str | None:
    """The longest package that a data reference (data.a.b.c) falls in."""
    parts = ref.split(".")[1:]
    for n in range(len(parts), 0, -1):
        package = ".".join(parts[:n])
        if package in packages:
            return package
    return None


def template_libs(cat: Catalogue, rule: Rule, main: str) -> list[str]:
    """The modules the main module needs, transitively, read from their syntax trees: the rule,
    the rules it yields to, the library modules they import (with Gatekeeper's parameter module)."""
    modules = {module_facts(text).package: text for text in library_modules(cat).values()}
    modules[PARAMETERS_PACKAGE] = parameters_module(cat, rule)
    modules.update({r.package: rule_module(r) for r in [rule, *(cat.rules[y] for y in rule.yields_to)]})
    needed: set[str] = set()
    queue = [main]
    while queue:
        facts = module_facts(queue.pop())
        for ref in sorted(facts.data_refs | {i for i in facts.imports if i.startswith("data.")}):
            package = _package_for(ref, modules)
            if package is not None and package not in needed:
                needed.add(package)
                queue.append(modules[package])
    return [modules[p] for p in sorted(needed)]


def for_yaml(rego: str) -> str:
    """Rego as it sits in YAML: leading tabs become two spaces, so the block literal style applies."""
    lines = []
    for line in rego.split("\n"):
        stripped = line.lstrip("\t")
        lines.append("  " * (len(line) - len(stripped)) + stripped.rstrip(" "))
    return "\n".join(lines)


# --- parameters --------------------------------------------------------------------------------

_KEEP = ("description", "minimum", "maximum", "minLength", "maxLength", "pattern", "minItems", "maxItems",
         "multipleOf", "enum", "title")
_FORMATS = frozenset({"int32", "int64", "float", "double", "byte", "date", "date-time", "password"})


def openapi_schema(schema: Mapping[str, Any], where: str = "parameters") -> dict[str, Any]:
    """A structural OpenAPI v3 schema from a catalogue JSON schema: a type (or an int-or-string /
    preserve-unknown-fields marker) at every level, only keywords CRDs accept."""
    out: dict[str, Any] = {}
    types = schema.get("type")
    type_list = [types] if isinstance(types, str) else list(types or [])
    if "null" in type_list:
        type_list.remove("null")
        out["nullable"] = True
    if not type_list and "const" in schema:
        type_list = [_json_type(schema["const"])]
    if not type_list and "enum" in schema:
        type_list = sorted({_json_type(v) for v in schema["enum"] if v is not None})
    if len(type_list) == 1:
        out["type"] = type_list[0]
    elif set(type_list) <= {"integer", "string", "number"} and type_list:
        out["x-kubernetes-int-or-string"] = True
    else:
        out["x-kubernetes-preserve-unknown-fields"] = True
    for key in _KEEP:
        if key in schema:
            out[key] = copy.deepcopy(schema[key])
    if "const" in schema:
        out["enum"] = [schema["const"]]
    if isinstance(schema.get("exclusiveMinimum"), (int, float)) and not isinstance(schema["exclusiveMinimum"], bool):
        out["minimum"], out["exclusiveMinimum"] = schema["exclusiveMinimum"], True
    if isinstance(schema.get("exclusiveMaximum"), (int, float)) and not isinstance(schema["exclusiveMaximum"], bool):
        out["maximum"], out["exclusiveMaximum"] = schema["exclusiveMaximum"], True
    if schema.get("format") in _FORMATS:
        out["format"] = schema["format"]
    if "default" in schema:
        extra = f"Default: {json.dumps(schema['default'], sort_keys=True)}."
        out["description"] = f"{out['description']} {extra}" if out.get("description") else extra
    if out.get("type") == "object":
        props = schema.get("properties")
        if isinstance(props, Mapping) and props:
            out["properties"] = {k: openapi_schema(v, f"{where}.{k}") for k, v in sorted(props.items())}
            if isinstance(schema.get("required"), list) and schema["required"]:
                out["required"] = list(schema["required"])
        elif isinstance(schema.get("additionalProperties"), Mapping):
            out["additionalProperties"] = openapi_schema(schema["additionalProperties"], f"{where}.*")
        else:
            out["x-kubernetes-preserve-unknown-fields"] = True
    if out.get("type") == "array":
        items = schema.get("items")
        out["items"] = openapi_schema(items, f"{where}[]") if isinstance(items, Mapping) and items else {
            "x-kubernetes-preserve-unknown-fields": True}
    return out


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def parameters_schema(cat: Catalogue, rule: Rule) -> dict[str, Any] | None:
    props: dict[str, Any] = {}
    if rule.parameters_schema.get("properties"):
        props = openapi_schema(rule.parameters_schema).get("properties", {})
        if YIELDS_PARAM in props:
            raise CatalogueError(f"{rule.directory / 'rule.yaml'}: parameters.{YIELDS_PARAM}: reserved name")
    if rule.yields_to:
        props[YIELDS_PARAM] = {
            "type": "object",
            "description": (
                "Generated by kfpolicy: the stricter rules of the profile (ids: "
                + ", ".join(rule.yields_to)
                + ") with their parameters. This rule stays silent on a field one of them reports. "
                "Absent: all of them, with their defaults."
            ),
            "x-kubernetes-preserve-unknown-fields": True,
        }
    if not props:
        return None
    return {"type": "object", "properties": props}


# --- referential rules -------------------------------------------------------------------------


def sync_kinds(cat: Catalogue, rule: Rule) -> list[tuple[str, str, str]]:
    """(group, version, kind) of the objects the rule reads from data.inventory (its `reads`)."""
    return [(cat.inventory[k].group, cat.inventory[k].version, k) for k in sorted(rule.reads)]


# --- YAML --------------------------------------------------------------------------------------


# libyaml's emitter when PyYAML has it: the same bytes as the pure-Python one on every generated
# file (checked), five times faster, which keeps `kfpolicy generate` under a second.
class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    def ignore_aliases(self, data: Any) -> bool:
        return True


_AMBIGUOUS = re.compile(r"^(y|Y|n|N|=|~|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.?[0-9][0-9_.:eE+-]*)$")


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if _AMBIGUOUS.match(value):  # YAML 1.1 readers (Go) would take these for bools/numbers
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def to_yaml(doc: Any) -> str:
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def _file(source: str, *docs: Any) -> str:
    return header("#", source) + "".join(("---\n" if i else "") + to_yaml(d) for i, d in enumerate(docs))


# --- templates and versions --------------------------------------------------------------------


def template_object(cat: Catalogue, rule: Rule, options: GatekeeperOptions, version: str) -> dict[str, Any]:
    main = main_module(cat, rule)
    libs = [for_yaml(t) for t in template_libs(cat, rule, main)]
    rego = for_yaml(main)
    target: dict[str, Any] = {"target": TARGET}
    if options.code_field:
        source: dict[str, Any] = {"version": "v1", "rego": rego}
        if libs:
            source["libs"] = libs
        target["code"] = [{"engine": "Rego", "source": source}]
    else:
        target["rego"] = rego
        if libs:
            target["libs"] = libs
    annotations = {
        "metadata.gatekeeper.sh/title": rule.title,
        "metadata.gatekeeper.sh/version": version,
        "description": rule.description,
    }
    kinds = sync_kinds(cat, rule)
    if kinds:
        annotations["metadata.gatekeeper.sh/requires-sync-data"] = json.dumps(
            [[{"groups": [g], "versions": [v], "kinds": [k]} for g, v, k in kinds]], separators=(",", ":")
        )
    crd: dict[str, Any] = {"names": {"kind": constraint_kind(rule.id)}}
    schema = parameters_schema(cat, rule)
    if schema:
        crd["validation"] = {"openAPIV3Schema": schema}
    return {
        "apiVersion": TEMPLATE_API,
        "kind": "ConstraintTemplate",
        "metadata": {
            "name": template_name(rule.id),
            "annotations": annotations,
            "labels": {**PART_OF, "kfpolicy/rule": rule.id},
        },
        "spec": {"crd": {"spec": crd}, "targets": [target]},
    }


def content_hash(template: Mapping[str, Any]) -> str:
    """The template's content without its version annotation, hashed canonically."""
    clone = copy.deepcopy(dict(template))
    clone["metadata"]["annotations"].pop("metadata.gatekeeper.sh/version", None)
    return hashlib.sha256(json.dumps(clone, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def bump_patch(version: str) -> str:
    m = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", version)
    if not m:
        return FIRST_VERSION
    return f"{m.group(1)}.{m.group(2)}.{int(m.group(3)) + 1}"


def next_version(previous: Mapping[str, Any] | None, digest: str) -> str:
    """Same content: the locked version (hand-edit the lock for a minor/major bump). Changed
    content: the locked version with its patch number bumped. A new template starts at 1.0.0."""
    if not isinstance(previous, Mapping) or not isinstance(previous.get("version"), str):
        return FIRST_VERSION
    if previous.get("sha256") == digest:
        return str(previous["version"])
    return bump_patch(str(previous["version"]))


def parse_lock(text: str | bytes | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def render_templates(
    cat: Catalogue, options: GatekeeperOptions, lock: Mapping[str, Any]
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """Template objects by rule id, and the new lock."""
    templates: dict[str, dict[str, Any]] = {}
    new_lock: dict[str, Any] = {}
    for rule in cat.rules_sorted():
        obj = template_object(cat, rule, options, FIRST_VERSION)
        digest = content_hash(obj)
        version = next_version(lock.get(rule.id), digest)
        obj["metadata"]["annotations"]["metadata.gatekeeper.sh/version"] = version
        templates[rule.id] = obj
        new_lock[rule.id] = {"sha256": digest, "version": version}
    return templates, new_lock


# --- constraints and profiles ------------------------------------------------------------------


def match_kinds(cat: Catalogue, rule: Rule) -> list[dict[str, Any]]:
    groups: dict[str, set[str]] = {}
    for kid in rule.kinds:
        k = cat.kinds[kid]
        groups.setdefault(k.group, set()).add(k.kind)
    return [{"apiGroups": [g], "kinds": sorted(ks)} for g, ks in sorted(groups.items())]


def gatekeeper_rules(cat: Catalogue, profile: str) -> list[Rule]:
    """The rules of a profile that Gatekeeper enforces (schema-stage rules are left to the API server)."""
    return [cat.rules[r] for r in sorted(cat.profiles[profile].rules) if cat.rules[r].stage not in LEFT_OUT_STAGES]


def constraint_object(
    cat: Catalogue,
    rule: Rule,
    *,
    name: str,
    enforcement: str,
    parameters: Mapping[str, Any] | None,
    yields: Mapping[str, Any] | None,
    labels: Mapping[str, str],
    excluded: bool = True,
) -> dict[str, Any]:
    match: dict[str, Any] = {"kinds": match_kinds(cat, rule)}
    if excluded:
        match["excludedNamespaces"] = list(EXCLUDED_NAMESPACES)
    spec: dict[str, Any] = {"enforcementAction": enforcement, "match": match}
    params = dict(parameters or {})
    if rule.yields_to:
        params[YIELDS_PARAM] = dict(yields or {})
    if params:
        spec["parameters"] = params
    return {
        "apiVersion": CONSTRAINT_API,
        "kind": constraint_kind(rule.id),
        "metadata": {"name": name, "labels": {**PART_OF, **labels, "kfpolicy/rule": rule.id}},
        "spec": spec,
    }


def profile_files(cat: Catalogue, profile: str) -> dict[str, str]:
    settings = cat.profiles[profile].rules
    base = f"{PROFILES}/{profile}"
    files: dict[str, str] = {}
    resources = ["../../templates"]
    sync: set[tuple[str, str, str]] = set()
    enforced = gatekeeper_rules(cat, profile)
    enforced_ids = {r.id for r in enforced}
    for rule in enforced:
        s = settings[rule.id]
        # Yield only to stricter rules this profile enforces in Gatekeeper too.
        yields = {y: settings[y].parameters for y in rule.yields_to if y in enforced_ids}
        obj = constraint_object(
            cat, rule, name=rule.id, enforcement=s.enforcement, parameters=s.parameters, yields=yields,
            labels={"kfpolicy/profile": profile},
        )
        files[f"{base}/{rule.id}.yaml"] = _file(f"catalogue/rules/{rule.id}/rule.yaml and catalogue/profiles.yaml", obj)
        resources.append(f"{rule.id}.yaml")
        sync.update(sync_kinds(cat, rule))
    if sync:
        config = {
            "apiVersion": CONFIG_API,
            "kind": "Config",
            "metadata": {"name": "config", "namespace": "gatekeeper-system", "labels": dict(PART_OF)},
            "spec": {"sync": {"syncOnly": [{"group": g, "version": v, "kind": k} for g, v, k in sorted(sync)]}},
        }
        files[f"{base}/sync-config.yaml"] = _file(
            "the referential rules of this profile (they read data.inventory)", config
        )
        resources.append("sync-config.yaml")
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": resources,
    }
    files[f"{base}/kustomization.yaml"] = _file(f"catalogue/profiles.yaml (profile {profile})", kustomization)
    return files


# --- gator suites ------------------------------------------------------------------------------


def go_regexp_quote(text: str) -> str:
    """Escape RE2 metacharacters (Go's regexp.QuoteMeta)."""
    return re.sub(r"([\\.+*?()|\[\]{}^$])", r"\\\1", text)


def _merge(base: Any, over: Any) -> Any:
    """object.union semantics: objects merge recursively, anything else is replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base[k], v) if k in base else copy.deepcopy(v)
        return out
    return copy.deepcopy(over)


def example_review(rule: Rule, ex: Example) -> dict[str, Any]:
    """An AdmissionReview for examples with an operation other than CREATE or an old object."""
    obj = ex.object if isinstance(ex.object, dict) else {}
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    group, _, version = str(obj.get("apiVersion", "")).rpartition("/")
    request: dict[str, Any] = {
        "uid": f"{rule.id}-{ex.name}",
        "kind": {"group": group, "version": version, "kind": str(obj.get("kind", ""))},
        "resource": {"group": group, "version": version, "resource": str(obj.get("kind", "")).lower() + "s"},
        "operation": ex.operation,
        "userInfo": {"username": "kfpolicy-example"},
        "object": ex.object,
    }
    if isinstance(meta.get("name"), str):
        request["name"] = meta["name"]
    if isinstance(meta.get("namespace"), str):
        request["namespace"] = meta["namespace"]
    if ex.old_object is not None:
        request["oldObject"] = ex.old_object
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}


def case_assertions(ex: Example) -> list[dict[str, Any]]:
    if not ex.violations:
        return [{"violations": "no"}]
    out: list[dict[str, Any]] = [{"violations": len(ex.violations)}]
    patterns: dict[str, int] = {}
    for v in ex.violations:
        if v.msg is not None:
            pattern = "^" + go_regexp_quote(v.msg) + "$"
        elif v.type in TYPE_TEXT and v.field:
            pattern = "^" + go_regexp_quote(f"{v.field}: {TYPE_TEXT[v.type]}")
        else:
            continue
        patterns[pattern] = patterns.get(pattern, 0) + 1
    out.extend({"violations": n, "message": p} for p, n in patterns.items())
    return out


def suite_files(cat: Catalogue, rule: Rule) -> dict[str, str]:
    base = f"{SUITES}/{rule.id}"
    defaults = cat.profiles["all"].rules[rule.id].parameters if "all" in cat.profiles else rule.default_parameters
    files: dict[str, str] = {}
    tests: list[dict[str, Any]] = []
    by_params: dict[str, dict[str, Any]] = {}
    source = f"catalogue/rules/{rule.id}/rule.yaml"
    for ex in rule.examples:
        if not isinstance(ex.object, dict):
            continue
        params = _merge(defaults, ex.parameters) if ex.parameters is not None else defaults
        key = json.dumps(params, sort_keys=True)
        if key not in by_params:
            n = len(by_params)
            cname = "constraint.yaml" if n == 0 and ex.parameters is None else f"constraint-{ex.name}.yaml"
            constraint = constraint_object(
                cat, rule, name=f"{rule.id}-suite", enforcement=rule.enforcement, parameters=params, yields={},
                labels={}, excluded=False,
            )
            files[f"{base}/{cname}"] = _file(source, constraint)
            test = {
                "name": rule.id if cname == "constraint.yaml" else f"{rule.id}-{ex.name}",
                "template": f"../templates/{rule.id}.yaml",
                "constraint": f"{rule.id}/{cname}",
                "cases": [],
            }
            by_params[key] = test
            tests.append(test)
        case: dict[str, Any] = {"name": ex.name}
        if ex.operation == "CREATE" and ex.old_object is None:
            files[f"{base}/{ex.name}.yaml"] = _file(source, ex.object)
        else:
            files[f"{base}/{ex.name}.yaml"] = _file(source, example_review(rule, ex))
        case["object"] = f"{rule.id}/{ex.name}.yaml"
        if ex.inventory:
            files[f"{base}/{ex.name}-inventory.yaml"] = _file(source, *ex.inventory)
            case["inventory"] = [f"{rule.id}/{ex.name}-inventory.yaml"]
        case["assertions"] = case_assertions(ex)
        by_params[key]["cases"].append(case)
    suite = {"apiVersion": SUITE_API, "kind": "Suite", "metadata": {"name": rule.id}, "tests": tests}
    files[f"{SUITES}/{rule.id}.yaml"] = _file(source, suite)
    return files


# --- everything --------------------------------------------------------------------------------


def render_gatekeeper(
    cat: Catalogue, options: GatekeeperOptions | None = None, lock_text: str | bytes | None = None
) -> dict[str, str]:
    """Every file under gatekeeper/, keyed by path relative to the repository root."""
    options = options or GatekeeperOptions()
    templates, lock = render_templates(cat, options, parse_lock(lock_text))
    files: dict[str, str] = {}
    for rid, obj in templates.items():
        files[template_path(rid)] = _file(f"catalogue/rules/{rid}/", obj)
    files[f"{TEMPLATES}/kustomization.yaml"] = _file(
        "catalogue/rules/",
        {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": [f"{rid}.yaml" for rid in templates],
        },
    )
    files[LOCK_PATH] = json.dumps(lock, indent=2, sort_keys=True) + "\n"
    for profile in sorted(cat.profiles):
        if profile != "all":
            files.update(profile_files(cat, profile))
    for rule in cat.rules_sorted():
        files.update(suite_files(cat, rule))
    return files
