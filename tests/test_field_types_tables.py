"""field-types checks pod and container fields without a function call per field (for the compiled
mode's instruction budget): by type name only, so those tables must hold no integer field, and each
container field is read from a per-container signature whose order must match container_fields."""

from __future__ import annotations

from typing import Any

import pytest

from kfpolicy.catalogue import Catalogue
from kfpolicy.inputs import Document
from kfpolicy.runner import Evaluator

PACKAGE = "data.lib.kubeflow.rules.field_types"
CONTAINER = "spec.pytorchReplicaSpecs[Worker].template.spec.containers[0]"


def _interpreter(catalogue: Catalogue) -> Evaluator:
    return Evaluator(catalogue, engine="embedded-interpreter", only=["field-types"])


def test_pod_and_container_field_tables_hold_no_integer(catalogue: Catalogue) -> None:
    evaluator = _interpreter(catalogue)
    pod_fields = evaluator.query(f"{PACKAGE}.pod_fields", {})
    container_fields = evaluator.query(f"{PACKAGE}.container_fields", {})
    assert pod_fields and "integer" not in pod_fields.values()
    assert container_fields and "integer" not in [field["want"] for field in container_fields]


def test_replica_fields_keep_their_integer(catalogue: Catalogue) -> None:
    assert _interpreter(catalogue).query(f"{PACKAGE}.replica_fields", {})["replicas"] == "integer"


def _job(container: dict[str, Any]) -> dict[str, Any]:
    template = {"spec": {"containers": [{"name": "pytorch", "image": "i", **container}]}}
    return {"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": {"name": "j"},
            "spec": {"pytorchReplicaSpecs": {"Worker": {"replicas": 1, "template": template}}}}


CASES = [
    ({"name": 7}, "name", "must be a string"),
    ({"image": {}}, "image", "must be a string"),
    ({"resources": []}, "resources", "must be an object"),
    ({"securityContext": "x"}, "securityContext", "must be an object"),
    ({"resources": {"requests": 1}}, "resources.requests", "must be an object"),
    ({"resources": {"limits": "1"}}, "resources.limits", "must be an object"),
    ({"securityContext": {"privileged": "true"}}, "securityContext.privileged", "must be a boolean"),
    ({"securityContext": {"allowPrivilegeEscalation": 0}}, "securityContext.allowPrivilegeEscalation",
     "must be a boolean"),
]


@pytest.mark.parametrize("engine", ["embedded", "embedded-interpreter"])
@pytest.mark.parametrize(("container", "field", "detail"), CASES)
def test_each_container_field_is_reported_at_its_path(
    catalogue: Catalogue, engine: str, container: dict[str, Any], field: str, detail: str
) -> None:
    evaluator = Evaluator(catalogue, engine=engine, only=["field-types"])
    if engine == "embedded":
        evaluator.engine.compile_after = 0  # type: ignore[attr-defined]  # the compiled mode from the start
    result = evaluator.evaluate(Document(source="job.yaml", obj=_job(container)))
    assert [(v.field, v.msg.endswith(detail)) for v in result.violations] == [(f"{CONTAINER}.{field}", True)]
