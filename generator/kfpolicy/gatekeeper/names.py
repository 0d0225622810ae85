"""Names, paths and API versions of the generated Gatekeeper objects."""

from __future__ import annotations

from dataclasses import dataclass

ROOT = "gatekeeper"


TEMPLATES = f"{ROOT}/templates"


PROFILES = f"{ROOT}/profiles"


SUITES = f"{ROOT}/suites"


# The template version lock is JSON, but not named .json/.yaml: `kubectl apply -f` and `gator test -f`
# read every such file in a folder as a Kubernetes object, so it stays out of their way.
LOCK_PATH = f"{ROOT}/versions.lock"
LEGACY_LOCK_PATH = f"{TEMPLATES}/versions.lock.json"  # read once, when migrating an older tree


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


@dataclass(frozen=True)
class GatekeeperOptions:
    code_field: bool = False  # code: [{engine: Rego, source: {version: v1}}] instead of rego:


def constraint_kind(rule_id: str) -> str:
    """`replicas-non-negative` -> `KfReplicasNonNegative`."""
    return "Kf" + "".join(part[:1].upper() + part[1:] for part in rule_id.split("-"))


def template_name(rule_id: str) -> str:
    return constraint_kind(rule_id).lower()


def template_path(rule_id: str) -> str:
    return f"{TEMPLATES}/{rule_id}.yaml"
