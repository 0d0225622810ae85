"""The resource-rule tests' jobs and corpora: a PyTorchJob with one container built around given
resources, evaluation through an `Evaluator`, violations as sorted (rule, field, message) tuples, the
quantity grammar's valid and invalid strings, and malformed structures with the type errors they get."""

from __future__ import annotations

from typing import Any

import pytest

from kfpolicy.engines.opa_golib import available as opa_available
from kfpolicy.inputs import Document
from kfpolicy.runner import Evaluator, Result

ENGINES = [
    "embedded",
    pytest.param("opa", marks=pytest.mark.skipif(not opa_available(), reason="real OPA not installed")),
]
RESOURCE_RULES = [
    "resource-quantities-valid",
    "resource-names-valid",
    "requests-within-limits",
    "extended-resources-limits",
    "resources-required",
    "resource-limit-caps",
]
# Evaluated alone (resources-required would add noise to every object; it has its own tests in
# test_resource_restricted.py).
MINE = ["field-types", "resource-quantities-valid", "requests-within-limits", "extended-resources-limits",
        "resource-limit-caps", "pod-security-baseline"]
SYNTAX = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
C0 = "spec.pytorchReplicaSpecs[Worker].template.spec.containers[0]"


def job(resources: Any = None, *, kind: str = "PyTorchJob", **container: Any) -> dict[str, Any]:
    c: dict[str, Any] = {"name": "pytorch", "image": "pytorch/pytorch:2.3.0", **container}
    if resources is not None:
        c["resources"] = resources
    return {
        "apiVersion": "kubeflow.org/v1",
        "kind": kind,
        "metadata": {"name": "job"},
        "spec": {
            "pytorchReplicaSpecs": {"Worker": {"replicas": 2, "template": {"spec": {"containers": [c]}}}}
        },
    }


def evaluate(ev: Evaluator, obj: Any) -> Result:
    return ev.evaluate(Document(source="test", obj=obj))


def found(result: Result, rule: str | None = None) -> list[tuple[str, str, str]]:
    return sorted((v.rule, v.field, v.msg) for v in result.violations if rule is None or v.rule == rule)


# What Kubernetes' resource.ParseQuantity accepts (Go grammar: signed decimal, one suffix).
VALID = ["1", "0", "500m", "1.5", ".5", "1.", "+1", "007", "1e3", "1E3", "1e-3", "2e+2", "2Ki", "1Mi", "1Gi",
         "1Ti", "1Pi", "1Ei", "1n", "1u", "1k", "1M", "1G", "1T", "1P", "1E", "0.5Gi", "12345678901234567890",
         "00", "9Ei", "64" + "0" * 62]
INVALID = [
    "1Gii",
    "1K",
    "1 Gi",
    " 1",
    "1 ",
    "",
    ".",
    "1e",
    "1.2.3",
    "Gi",
    "1gi",
    "1mi",
    "0x10",
    "1,5",
    "-",
    "+",
    "1e3Gi",
    "1Mi2",
    "one",
    "1b",
    "1KiB",
    "∞",
    "１",  # noqa: RUF001 (a fullwidth digit on purpose)
    # whole numbers with suffix letters in a wrong order or number (the regex-free path)
    "1iM",
    "1Mk",
    "1kk",
    "Mi",
    "1EE",
    "1iGi",
    "6" * 65,
]


MALFORMED: dict[str, Any] = {
    "resources-string": job("1"),
    "resources-list": job([{"cpu": "1"}]),
    "requests-list": job({"requests": ["cpu"], "limits": {"cpu": "1"}}),
    "limits-string": job({"requests": {"nvidia.com/gpu": 1}, "limits": "nvidia.com/gpu=1"}),
    "containers-map": {**job(), "spec": {"pytorchReplicaSpecs": {"Worker": {"template": {"spec": {
        "containers": {"pytorch": {"image": "x", "resources": {"limits": {"cpu": "1Gii"}}}}}}}}}},
    "template-string": {**job(), "spec": {"pytorchReplicaSpecs": {"Worker": {"template": "pod"}}}},
    "replica-spec-list": {**job(), "spec": {"pytorchReplicaSpecs": {"Worker": [1, 2]}}},
    "replica-specs-string": {**job(), "spec": {"pytorchReplicaSpecs": "Worker"}},
    "spec-list": {**job(), "spec": ["pytorchReplicaSpecs"]},
    "container-string": {**job(), "spec": {"pytorchReplicaSpecs": {"Worker": {"template": {"spec": {
        "containers": ["pytorch"]}}}}}},
    "security-context-string": job(securityContext="privileged"),
}
EXPECTED_FIELD_TYPES = {
    "resources-string": [f"{C0}.resources"],
    "resources-list": [f"{C0}.resources"],
    "requests-list": [f"{C0}.resources.requests"],
    "limits-string": [f"{C0}.resources.limits"],
    "containers-map": ["spec.pytorchReplicaSpecs[Worker].template.spec.containers"],
    "template-string": ["spec.pytorchReplicaSpecs[Worker].template"],
    "replica-spec-list": ["spec.pytorchReplicaSpecs[Worker]"],
    "replica-specs-string": ["spec.pytorchReplicaSpecs"],
    "spec-list": [],
    "container-string": [f"{C0}"],
    "security-context-string": [f"{C0}.securityContext"],
}
