"""Every pod template of every kind (lib/kubeflow/pods.rego): the resource and pod-security rules
cover Trainer v2 with examples of its kinds, at the objects' own field paths, and their parameters
are checked."""

from __future__ import annotations

import pytest

from kfpolicy.catalogue import Catalogue
from kfpolicy.errors import KfpolicyError
from kfpolicy.inputs import Document
from kfpolicy.runner import Evaluator

POD_TEMPLATE_RULES = [
    "resource-quantities-valid",
    "resource-names-valid",
    "requests-within-limits",
    "extended-resources-limits",
    "resources-required",
    "resource-limit-caps",
    "pod-security-baseline",
]

RUNTIME = {
    "apiVersion": "trainer.kubeflow.org/v1alpha1",
    "kind": "ClusterTrainingRuntime",
    "metadata": {"name": "rdma"},
    "spec": {"template": {"spec": {"replicatedJobs": [{"name": "node", "template": {"spec": {"template": {
        "spec": {
            "volumes": [{"name": "ib", "hostPath": {"path": "/dev/infiniband"}},
                        {"name": "dshm", "emptyDir": {"medium": "Memory"}}],
            "containers": [{
                "name": "node", "image": "pytorch/pytorch:2.3.0",
                "securityContext": {"capabilities": {"add": ["IPC_LOCK"]}},
                "resources": {"limits": {"cpu": "8", "memory": "64Gi", "nvidia.com/gpu": 8}},
            }],
        }}}}}]}}},
}
POD = "spec.template.spec.replicatedJobs[0].template.spec.template.spec"


@pytest.mark.parametrize("rule_id", POD_TEMPLATE_RULES)
def test_rules_have_examples_of_trainer_v2_kinds(catalogue: Catalogue, rule_id: str) -> None:
    examples = catalogue.rules[rule_id].examples
    kinds = {e.object.get("kind") for e in examples if isinstance(e.object, dict)}
    assert "TrainJob" in kinds or rule_id == "pod-security-baseline"
    assert kinds & {"TrainingRuntime", "ClusterTrainingRuntime"}
    assert kinds & {"PyTorchJob", "TFJob", "MPIJob", "JAXJob", "XGBoostJob", "PaddleJob"}


@pytest.mark.parametrize("engine", ["embedded", "embedded-interpreter", "opa"])
def test_allow_lists_let_rdma_through_without_switching_controls_off(
    catalogue: Catalogue, engine: str
) -> None:
    doc = Document(source="runtime.yaml", obj=RUNTIME)
    denied = Evaluator(catalogue, profile="restricted", engine=engine).evaluate(doc)
    assert {(v.rule, v.field) for v in denied.violations} == {
        ("pod-security-baseline", f"{POD}.volumes[0].hostPath"),
        ("pod-security-baseline", f"{POD}.containers[0].securityContext.capabilities.add[0]"),
    }
    params = {"pod-security-baseline": {
        "allowed_capabilities": ["IPC_LOCK"], "allowed_host_paths": ["/dev/infiniband"]}}
    allowed = Evaluator(catalogue, profile="restricted", engine=engine, parameters=params).evaluate(doc)
    assert allowed.decision == "allow"
    # the allow-lists name exactly what they allow: another path and capability stay denied
    other = {"pod-security-baseline": {
        "allowed_capabilities": ["SYS_NICE"], "allowed_host_paths": ["/dev/infini"]}}
    still = Evaluator(catalogue, profile="restricted", engine=engine, parameters=other).evaluate(doc)
    assert {v.field for v in still.violations} == {v.field for v in denied.violations}


def test_an_unknown_level_is_a_clear_error(catalogue: Catalogue) -> None:
    with pytest.raises(KfpolicyError, match="level"):
        Evaluator(catalogue, profile="restricted", parameters={"pod-security-baseline": {"level": "strict"}})
