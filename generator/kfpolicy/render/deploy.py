"""Render deploy/webhook/ (kfpolicy serve) and deploy/opa/ (OPA with kube-mgmt), kustomize folders.

The objects live in Jinja2 templates beside this module (StrictUndefined: a missing value fails);
Python supplies only data: names, images, and the webhook rules derived from the catalogue's kinds
and rule operations. deploy/opa/policies.yaml is a ConfigMap built as data, holding the generated
Rego modules and the static `system.main` entry point (deploy_templates/opa/main.rego).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import yaml

from kfpolicy import __version__
from kfpolicy.catalogue.model import Catalogue
from kfpolicy.errors import KfpolicyError
from kfpolicy.render.common import header

TEMPLATES = Path(__file__).parent / "deploy_templates"
SYSTEM_MAIN = TEMPLATES / "opa" / "main.rego"
WEBHOOK_NAME, WEBHOOK_NAMESPACE = "kfpolicy-webhook", "kfpolicy-system"
OPA_NAME, OPA_NAMESPACE = "kfpolicy-opa", "kfpolicy-opa"
IMAGE_NAME = "kfpolicy"
# The OPA release the suite cross-checks against (opa-golib-python-bindings embeds it).
OPA_IMAGE = "openpolicyagent/opa:1.20.2"
KUBE_MGMT_IMAGE = "openpolicyagent/kube-mgmt:9.2.1"
TIMEOUT_SECONDS = 5
FILES = {
    "webhook": ("namespace", "rbac", "deployment", "webhook", "kustomization"),
    "opa": ("namespace", "rbac", "certificate", "deployment", "webhook", "kustomization"),
}


def webhook_rules(cat: Catalogue) -> list[dict[str, Any]]:
    """One admission rule per checked kind: its group, versions and resource, and the operations
    its rules apply to."""
    rules = []
    for kind in sorted(cat.kinds.values(), key=lambda k: k.id):
        operations = sorted({op for r in cat.rules.values() if kind.id in r.kinds for op in r.operations})
        if kind.status == "skipped" or not operations:
            continue
        rules.append(
            {
                "apiGroups": [kind.group],
                "apiVersions": list(kind.versions),
                "operations": operations,
                "resources": [kind.kind.lower() + "s"],
                "scope": "Cluster" if kind.scope == "Cluster" else "Namespaced",
            }
        )
    return rules


def policy_configmap(rego_files: dict[str, str]) -> dict[str, Any]:
    """The ConfigMap kube-mgmt loads into OPA: every module, keyed by its path with dots."""
    modules = {
        path.removeprefix("rego/").replace("/", "."): text for path, text in sorted(rego_files.items())
    }
    modules["system.main.rego"] = SYSTEM_MAIN.read_text(encoding="utf-8")
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": f"{OPA_NAME}-policies",
            "namespace": OPA_NAMESPACE,
            "labels": {"openpolicyagent.org/policy": "rego"},
        },
        "data": modules,
    }


def _values(cat: Catalogue, target: str) -> dict[str, Any]:
    name, namespace = (WEBHOOK_NAME, WEBHOOK_NAMESPACE) if target == "webhook" else (OPA_NAME, OPA_NAMESPACE)
    return {
        "name": name,
        "namespace": namespace,
        "port": 8443,
        "profile": cat.default_profile,
        "image": f"{IMAGE_NAME}:{__version__}",
        "image_name": IMAGE_NAME,
        "image_tag": __version__,
        "opa_image": OPA_IMAGE,
        "kube_mgmt_image": KUBE_MGMT_IMAGE,
        "timeout_seconds": TIMEOUT_SECONDS,
        "excluded_namespaces": sorted({"kube-system", namespace}),
        "dns_names": [f"{name}.{namespace}.svc", f"{name}.{namespace}.svc.cluster.local"],
        "rules": webhook_rules(cat),
    }


def _checked(path: str, text: str) -> str:
    """Fail generation, naming the file, if a template does not render to Kubernetes objects."""
    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        raise KfpolicyError(f"{path}: the template renders invalid YAML: {exc}") from None
    if not docs or not all(isinstance(d, dict) and d.get("apiVersion") and d.get("kind") for d in docs):
        raise KfpolicyError(f"{path}: the template must render Kubernetes objects (apiVersion and kind)")
    return text


def _to_yaml(value: Any, indent: int) -> str:
    """A value as block YAML, every line indented by `indent` spaces (for nesting in a template)."""
    text = yaml.safe_dump(value, sort_keys=False, default_flow_style=False).rstrip("\n")
    return "\n".join(" " * indent + line for line in text.splitlines())


def render_deploy(cat: Catalogue, rego_files: dict[str, str]) -> dict[str, str]:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["to_yaml"] = _to_yaml
    out: dict[str, str] = {}
    for target, names in FILES.items():
        values = _values(cat, target)
        for name in names:
            path = f"deploy/{target}/{name}.yaml"
            text = env.get_template(f"{target}/{name}.yaml.j2").render(values)
            out[path] = header("#", f"generator/kfpolicy/render/deploy_templates/{target}") + _checked(
                path, text
            )
    # The modules are indented with tabs, which YAML block scalars cannot hold: quoted strings.
    configmap = yaml.safe_dump(policy_configmap(rego_files), sort_keys=False, width=1000)
    out["deploy/opa/policies.yaml"] = header("#", "rego/ and deploy_templates/opa/main.rego") + configmap
    return out
