"""The restricted profile's own rules, on both engines: required requests and limits (init containers
too), the GPU cap, and no host namespaces; baseline asks none of this."""

from __future__ import annotations

import pytest

from kfpolicy.runner import Evaluator
from resource_jobs import C0, evaluate, found, job

# --- restricted-only rules -------------------------------------------------------------------------


def test_resources_required_reports_each_missing_entry(evaluators: dict[str, Evaluator]) -> None:
    result = evaluate(evaluators["restricted"], job({"requests": {"cpu": "1"}}))
    assert found(result) == [
        ("resources-required", f"{C0}.resources.limits[cpu]",
         f"{C0}.resources.limits[cpu]: Required value: every container must set a limit for cpu"),
        ("resources-required", f"{C0}.resources.limits[memory]",
         f"{C0}.resources.limits[memory]: Required value: every container must set a limit for memory"),
        ("resources-required", f"{C0}.resources.requests[memory]",
         f"{C0}.resources.requests[memory]: Required value: every container must set a request for memory"),
    ]
    assert not found(evaluate(evaluators["baseline"], job({"requests": {"cpu": "1"}})))


def test_restricted_checks_init_containers_too(evaluators: dict[str, Evaluator]) -> None:
    obj = job({"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}})
    pod = obj["spec"]["pytorchReplicaSpecs"]["Worker"]["template"]["spec"]
    assert evaluate(evaluators["restricted"], obj).decision == "allow"
    pod["initContainers"] = [
        {"name": "init", "image": "busybox:1.36", "securityContext": {"privileged": True}}
    ]
    init = "spec.pytorchReplicaSpecs[Worker].template.spec.initContainers[0]"
    fields = [f for _, f, _ in found(evaluate(evaluators["restricted"], obj))]
    assert sorted(fields) == [f"{init}.resources.limits[cpu]", f"{init}.resources.limits[memory]",
                              f"{init}.resources.requests[cpu]", f"{init}.resources.requests[memory]",
                              f"{init}.securityContext.privileged"]


def test_gpu_cap_in_restricted(evaluators: dict[str, Evaluator]) -> None:
    sized = {"cpu": "1", "memory": "1Gi"}
    at_cap = job({"requests": {**sized, "nvidia.com/gpu": 8}, "limits": {**sized, "nvidia.com/gpu": "8"}})
    assert evaluate(evaluators["restricted"], at_cap).decision == "allow"
    over = job({"requests": {**sized, "nvidia.com/gpu": 9}, "limits": {**sized, "nvidia.com/gpu": 9}})
    field = f"{C0}.resources.limits[nvidia.com/gpu]"
    assert found(evaluate(evaluators["restricted"], over)) == [
        ("resource-limit-caps", field, f'{field}: Invalid value: "9": must be less than or equal to 8')]
    assert evaluate(evaluators["baseline"], over).decision == "allow"


@pytest.mark.parametrize("flag", ["hostNetwork", "hostPID", "hostIPC"])
def test_host_namespaces_forbidden_in_restricted_only(evaluators: dict[str, Evaluator], flag: str) -> None:
    obj = job({"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}})
    obj["spec"]["pytorchReplicaSpecs"]["Worker"]["template"]["spec"][flag] = True
    result = evaluate(evaluators["restricted"], obj)
    assert [(v.rule, v.type, v.field) for v in result.violations] == [
        (
            "pod-security-baseline",
            "FieldValueForbidden",
            f"spec.pytorchReplicaSpecs[Worker].template.spec.{flag}",
        )
    ]
    assert evaluate(evaluators["baseline"], obj).decision == "allow"
    obj["spec"]["pytorchReplicaSpecs"]["Worker"]["template"]["spec"][flag] = False
    assert evaluate(evaluators["restricted"], obj).decision == "allow"
