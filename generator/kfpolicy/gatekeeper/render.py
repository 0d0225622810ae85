"""Render gatekeeper/: templates, the version lock, constraints per profile, suites. Pure: catalogue
(+ the previous lock) -> {path: text}."""

from __future__ import annotations

import json

from kfpolicy.catalogue.model import Catalogue
from kfpolicy.gatekeeper.constraints import profile_files
from kfpolicy.gatekeeper.names import LOCK_PATH, TEMPLATES, GatekeeperOptions, template_path
from kfpolicy.gatekeeper.suites import suite_files
from kfpolicy.gatekeeper.templates import parse_lock, render_templates
from kfpolicy.gatekeeper.yaml_text import yaml_file


def render_gatekeeper(
    cat: Catalogue, options: GatekeeperOptions | None = None, lock_text: str | bytes | None = None
) -> dict[str, str]:
    """Every file under gatekeeper/, keyed by path relative to the repository root."""
    options = options or GatekeeperOptions()
    templates, lock = render_templates(cat, options, parse_lock(lock_text))
    files: dict[str, str] = {}
    for rid, obj in templates.items():
        files[template_path(rid)] = yaml_file(f"catalogue/rules/{rid}/", obj)
    files[f"{TEMPLATES}/kustomization.yaml"] = yaml_file(
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
