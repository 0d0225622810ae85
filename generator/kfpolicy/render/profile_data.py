"""Profiles as data: the active rules and their settings that data.kubeflow carries.

One builder for every consumer (the bundle's data.json, `kfpolicy push`, the evaluator), so the
static Rego in rego/kubeflow/config.rego reads one shape: data.kubeflow.rules, {<rule id>:
{"enforcement": ..., "parameters": {...}}}, and optional overrides in data.kubeflow.parameters.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from kfpolicy.catalogue.loader import ALL_PROFILE
from kfpolicy.catalogue.model import Catalogue


def profile_rules(
    cat: Catalogue, profile: str, only: Sequence[str] | None = None
) -> dict[str, dict[str, Any]]:
    """The profile's rules with their enforcement and parameters; `only` narrows them (rule ids not in
    the profile are left out)."""
    settings = cat.profiles[profile].rules
    chosen = sorted(settings) if only is None else sorted(set(only) & set(settings))
    return {
        rule_id: {"enforcement": settings[rule_id].enforcement, "parameters": settings[rule_id].parameters}
        for rule_id in chosen
    }


def kubeflow_data(
    cat: Catalogue,
    profile: str | None = None,
    *,
    only: Sequence[str] | None = None,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """data.kubeflow for one profile: its name (for readers and the Gatekeeper evaluator), its rules,
    and the caller's parameter overrides if any."""
    name = profile or cat.default_profile
    data: dict[str, Any] = {"profile": name, "rules": profile_rules(cat, name, only)}
    if parameters:
        data["parameters"] = {rule_id: dict(values) for rule_id, values in parameters.items()}
    return data


def profile_files(cat: Catalogue) -> dict[str, str]:
    """bundles/profiles/<profile>.json: each shipped profile's data.kubeflow, for `opa eval -d` and
    conftest `--data` users who want a profile other than the default (kfpolicy's test-only profile,
    which enables every rule, is not shipped)."""
    shipped = [name for name in sorted(cat.profiles) if name != ALL_PROFILE]
    return {
        f"bundles/profiles/{name}.json": json.dumps(
            {"kubeflow": kubeflow_data(cat, name)}, indent=2, sort_keys=True
        ) + "\n"
        for name in shipped
    }
