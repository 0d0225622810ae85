"""The OPA bundle: layout OPA expects, and the policies inside it decide like rego/ on real OPA."""

from __future__ import annotations

import io
import json
import re
import tarfile

from kfpolicy.engines import OpaGolibEngine
from kfpolicy.render.bundle import ROOTS, render_bundle
from kfpolicy.render.rego import render_rego

JOB = {
    "apiVersion": "kubeflow.org/v1",
    "kind": "TFJob",
    "metadata": {"name": "neg"},
    "spec": {"tfReplicaSpecs": {"Worker": {"replicas": -1, "template": {"spec": {
        "containers": [{"name": "tensorflow", "image": "tf:2"}]}}}}},
}


def _members(payload: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(payload), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def test_bundle_has_manifest_data_and_every_module(catalogue):
    rego = render_rego(catalogue)
    files = _members(render_bundle(catalogue, rego))
    manifest = json.loads(files["/.manifest"])
    assert manifest["roots"] == ROOTS
    assert len(manifest["revision"]) == 16
    assert {"/" + p.removeprefix("rego/") for p in rego} <= set(files)
    data = json.loads(files["/data.json"])
    assert data["kubeflow"]["profile"] == catalogue.default_profile


def test_every_package_sits_under_a_declared_root(catalogue):
    """OPA refuses a bundle whose packages fall outside its manifest roots."""
    for path, text in render_rego(catalogue).items():
        package = re.search(r"^package ([\w.]+)", text, re.MULTILINE).group(1)
        data_path = package.replace(".", "/")
        assert any(data_path == root or data_path.startswith(root + "/") for root in ROOTS), (path, package)


def test_bundle_decides_like_the_rego_tree_on_real_opa(catalogue):
    files = _members(render_bundle(catalogue, render_rego(catalogue), "upstream"))
    modules = {name: body.decode() for name, body in files.items() if name.endswith(".rego")}
    engine = OpaGolibEngine()
    engine.load(modules, json.loads(files["/data.json"]))
    # upstream has no replicas-non-negative rule; baseline (the default) has it.
    assert "replicas-non-negative" not in json.dumps(
        engine.evaluate("data.kubeflow.violation", json.dumps(JOB))
    )
    baseline = OpaGolibEngine()
    baseline_files = _members(render_bundle(catalogue, render_rego(catalogue)))
    baseline.load({n: b.decode() for n, b in baseline_files.items() if n.endswith(".rego")},
                  json.loads(baseline_files["/data.json"]))
    denied = baseline.evaluate("data.kubeflow.deny", json.dumps(JOB))
    assert (
        "spec.tfReplicaSpecs[Worker].replicas: Invalid value: -1: must be greater than or equal to 0"
        in denied
    )
