"""Wrong types and invalid values inside a well-formed manifest are policy violations (exit 1) on
both engines, never errors; unknown kinds are `skip` (exit 0)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bad_input_cli import Run, kfpolicy, pytorch, sources
from bad_input_cli import slug as _slug

# --- well-formed manifests with wrong types or values: violations, not errors --------------------

WRONG_VALUES = {
    "replicas as a string": (
        'replicas: "3"\ntemplate: {spec: {containers: [{name: pytorch, image: x}]}}',
        "spec.pytorchReplicaSpecs[Worker].replicas",
    ),
    "containers as a map": (
        "replicas: 1\ntemplate: {spec: {containers: {pytorch: {image: x}}}}",
        "spec.pytorchReplicaSpecs[Worker].template.spec.containers",
    ),
    "resources as a string": (
        'replicas: 1\ntemplate: {spec: {containers: [{name: pytorch, image: x, resources: "1"}]}}',
        "spec.pytorchReplicaSpecs[Worker].template.spec.containers[0].resources",
    ),
    "invalid quantity": (
        "replicas: 1\ntemplate: {spec: {containers: [{name: pytorch, image: x, "
        "resources: {requests: {memory: 1Gii}}}]}}",
        "spec.pytorchReplicaSpecs[Worker].template.spec.containers[0].resources.requests",
    ),
    "template as a list": ("replicas: 1\ntemplate: [1, 2]", "spec.pytorchReplicaSpecs[Worker]"),
    "huge replicas": (
        "replicas: 1000000000000000000000000000000\n"
        "template: {spec: {containers: [{name: pytorch, image: x}]}}",
        "spec.pytorchReplicaSpecs[Worker].replicas",
    ),
    "float replicas": (
        "replicas: 1.5\ntemplate: {spec: {containers: [{name: pytorch, image: x}]}}",
        "spec.pytorchReplicaSpecs[Worker].replicas",
    ),
}


@pytest.fixture(scope="module", params=["embedded", "opa"])
def wrong_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Run:
    d = tmp_path_factory.mktemp("wrong")
    for case, (worker, _) in WRONG_VALUES.items():
        (d / f"{_slug(case)}.yaml").write_text(pytorch(worker), encoding="utf-8")
    return kfpolicy(".", "--engine", request.param, cwd=d)


@pytest.mark.parametrize("case", sorted(WRONG_VALUES))
def test_wrong_types_are_violations(case: str, wrong_run: Run) -> None:
    assert wrong_run.code == 1, (wrong_run.code, wrong_run.stderr)
    _, field = WRONG_VALUES[case]
    [result] = [r for r in wrong_run.json["results"] if r["source"].endswith(f"{_slug(case)}.yaml#0")]
    assert result["decision"] == "deny"
    fields = [v["field"] for v in result["violations"]]
    assert any(f.startswith(field) for f in fields), fields


def test_unknown_kinds_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n---\n"
        "apiVersion: kubeflow.org/v2\nkind: PyTorchJob\nmetadata: {name: future}\n---\n"
        "kind: PyTorchJob\nmetadata: {name: no-api-version}\n---\n"
        "apiVersion: [kubeflow.org/v1]\nkind: {PyTorchJob: 1}\n",
        encoding="utf-8",
    )
    run = kfpolicy("w.yaml", cwd=tmp_path)
    assert run.code == 0, run.stderr
    assert set(sources(run).values()) == {"skip"} and len(sources(run)) == 4
