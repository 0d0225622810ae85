"""What Gatekeeper would refuse in a ConstraintTemplate, checked statically."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kfpolicy.errors import CatalogueError, KfpolicyError
from kfpolicy.gatekeeper.names import TARGET, TEMPLATE_API
from kfpolicy.rego_facts import ModuleFacts, data_roots, module_facts

ALLOWED_DATA_ROOTS = frozenset({"lib", "inventory"})


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


def module_facts_of(text: str, rego_version: str) -> ModuleFacts:
    try:
        return module_facts(text, "template.rego", rego_v0=rego_version == "v0")
    except CatalogueError as exc:
        raise KfpolicyError(f"template module does not parse: {exc}") from None


def module_package(text: str, rego_version: str = "v1") -> str:
    return module_facts_of(text, rego_version).package


def template_problems(template: Mapping[str, Any]) -> list[str]:
    """What Gatekeeper would reject (or a structural schema would), checked statically."""
    problems: list[str] = []
    meta = template.get("metadata") or {}
    name = meta.get("name", "")
    kind = (
        (((template.get("spec") or {}).get("crd") or {}).get("spec") or {}).get("names", {}).get("kind", "")
    )
    if template.get("apiVersion") != TEMPLATE_API or template.get("kind") != "ConstraintTemplate":
        problems.append("apiVersion/kind must be templates.gatekeeper.sh/v1 ConstraintTemplate")
    if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", str(kind)):
        problems.append(f"constraint kind {kind!r} is not a Kubernetes kind name")
    if name != str(kind).lower():
        problems.append(f"metadata.name {name!r} must be the lowercase constraint kind {str(kind).lower()!r}")
    if len(str(name)) > 63:
        problems.append(f"metadata.name {name!r} is longer than 63 characters")
    for key, value in (meta.get("labels") or {}).items():
        if (
            not re.fullmatch(r"([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]?", str(value))
            or len(str(value)) > 63
        ):
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
            facts = module_facts_of(text, version)
        except KfpolicyError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if i == 0 and "violation" not in facts.rule_names:
            problems.append("the main module defines no `violation` rule")
        if i > 0 and not facts.package.startswith("lib."):
            problems.append(f"{where}: package {facts.package} must start with lib.")
        bad = data_roots(facts) - ALLOWED_DATA_ROOTS
        if bad:
            problems.append(
                f"{where}: references data.{', data.'.join(sorted(bad))} (only data.lib, data.inventory)"
            )
        if "rego.v1" in facts.imports:
            problems.append(f"{where}: import rego.v1 (Gatekeeper rejects it)")
        if facts.inner_lib_refs:
            lines = ", ".join(map(str, facts.inner_lib_refs))
            problems.append(
                f"{where}: line {lines}: a data.lib reference inside another term (import the package: "
                "Gatekeeper does not rewrite such a reference to where it moves the libs)"
            )
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
