"""Constraints per profile, with their kustomization and the sync Config of the rules that read the
cluster."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kfpolicy.catalogue.model import Catalogue, Rule
from kfpolicy.gatekeeper.names import (
    CONFIG_API,
    CONSTRAINT_API,
    EXCLUDED_NAMESPACES,
    LEFT_OUT_STAGES,
    PART_OF,
    PROFILES,
    YIELDS_PARAM,
    constraint_kind,
)
from kfpolicy.gatekeeper.templates import sync_kinds
from kfpolicy.gatekeeper.yaml_text import yaml_file


def match_kinds(cat: Catalogue, rule: Rule) -> list[dict[str, Any]]:
    groups: dict[str, set[str]] = {}
    for kid in rule.kinds:
        k = cat.kinds[kid]
        groups.setdefault(k.group, set()).add(k.kind)
    return [{"apiGroups": [g], "kinds": sorted(ks)} for g, ks in sorted(groups.items())]


def gatekeeper_rules(cat: Catalogue, profile: str) -> list[Rule]:
    """The rules of a profile that Gatekeeper enforces (schema-stage rules are left to the API server)."""
    return [
        cat.rules[r] for r in sorted(cat.profiles[profile].rules) if cat.rules[r].stage not in LEFT_OUT_STAGES
    ]


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
        files[f"{base}/{rule.id}.yaml"] = yaml_file(
            f"catalogue/rules/{rule.id}/rule.yaml and catalogue/profiles.yaml", obj
        )
        resources.append(f"{rule.id}.yaml")
        sync.update(sync_kinds(cat, rule))
    if sync:
        config = {
            "apiVersion": CONFIG_API,
            "kind": "Config",
            "metadata": {"name": "config", "namespace": "gatekeeper-system", "labels": dict(PART_OF)},
            "spec": {
                "sync": {"syncOnly": [{"group": g, "version": v, "kind": k} for g, v, k in sorted(sync)]}
            },
        }
        files[f"{base}/sync-config.yaml"] = yaml_file(
            "the referential rules of this profile (they read data.inventory)", config
        )
        resources.append("sync-config.yaml")
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": resources,
    }
    files[f"{base}/kustomization.yaml"] = yaml_file(
        f"catalogue/profiles.yaml (profile {profile})", kustomization
    )
    return files
