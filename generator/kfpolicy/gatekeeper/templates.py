"""ConstraintTemplates, one per rule, and their versions: bumped through the lock when the content changes."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from kfpolicy.catalogue.model import Catalogue, Rule
from kfpolicy.gatekeeper.names import (
    FIRST_VERSION,
    PART_OF,
    TARGET,
    TEMPLATE_API,
    GatekeeperOptions,
    constraint_kind,
    template_name,
)
from kfpolicy.gatekeeper.rego import for_yaml, main_module, template_libs
from kfpolicy.gatekeeper.schema import parameters_schema


def sync_kinds(cat: Catalogue, rule: Rule) -> list[tuple[str, str, str]]:
    """(group, version, kind) of the objects the rule reads from data.inventory (its `reads`)."""
    return [(cat.inventory[k].group, cat.inventory[k].version, k) for k in sorted(rule.reads)]


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
    parts = version.split(".")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts):
        return FIRST_VERSION
    return f"{parts[0]}.{parts[1]}.{int(parts[2]) + 1}"


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
