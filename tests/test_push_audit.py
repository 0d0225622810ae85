"""`kfpolicy push` against a loopback stand-in for OPA's REST API, and `kfpolicy audit` against a
loopback stand-in for the Kubernetes API server (no OPA server or cluster exists here)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from fake_servers import serve
from kfpolicy.cli import cli
from kfpolicy.render.rego import render_rego


def test_push_uploads_every_module_and_the_profile_data(catalogue):
    def opa(method, path, body):
        if method == "PUT" and path.startswith("/v1/policies/"):
            return 200, {}
        if method == "PUT" and path == "/v1/data/kubeflow":
            return 204, None
        return 404, {"code": "not_found"}

    with serve(opa) as (url, seen):
        result = CliRunner().invoke(cli, ["push", "--opa-url", url, "--profile", "restricted"])
    assert result.exit_code == 0, result.output
    policies = {p for m, p, _ in seen if p.startswith("/v1/policies/")}
    expected = {"/v1/policies/kfpolicy/" + p.removeprefix("rego/") for p in render_rego(catalogue)}
    assert policies == expected
    uploaded = {p: b.decode() for m, p, b in seen if p.startswith("/v1/policies/")}
    assert (
        uploaded["/v1/policies/kfpolicy/kubeflow/main.rego"]
        == render_rego(catalogue)["rego/kubeflow/main.rego"]
    )
    data = [json.loads(b) for m, p, b in seen if p == "/v1/data/kubeflow"]
    assert data and data[0]["profile"] == "restricted"


def test_push_reports_a_refusing_server_without_traceback():
    def opa(method, path, body):
        return 400, {"code": "invalid_parameter", "message": "error(s) occurred while compiling module(s)",
                     "errors": [{"code": "rego_parse_error", "message": "bad"}]}

    with serve(opa) as (url, _):
        result = CliRunner().invoke(cli, ["push", "--opa-url", url])
    assert result.exit_code == 2
    assert "refused" in result.output and "Traceback" not in result.output


def test_push_unreachable_server_is_an_input_error():
    result = CliRunner().invoke(cli, ["push", "--opa-url", "http://127.0.0.1:9", "--timeout", "0.5"])
    assert result.exit_code == 2
    assert "cannot reach OPA" in result.output


def test_push_rejects_a_url_with_a_path():
    result = CliRunner().invoke(cli, ["push", "--opa-url", "http://127.0.0.1:8181/v1/policies"])
    assert result.exit_code == 2 and "server root" in result.output


def _kubeconfig(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "fake",
        "clusters": [{"name": "fake", "cluster": {"server": url}}],
        "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake"}}],
        "users": [{"name": "fake", "user": {"token": "t"}}],
    }))
    return path


def test_audit_lists_cluster_objects_and_evaluates_them(tmp_path):
    bad = {"metadata": {"name": "neg", "namespace": "team-a"},
           "spec": {"tfReplicaSpecs": {"Worker": {"replicas": -2, "template": {"spec": {
               "containers": [{"name": "tensorflow", "image": "tf:2"}]}}}}}}

    def apiserver(method, path, body):
        if path.startswith("/apis/kubeflow.org/v1/tfjobs"):
            return 200, {"apiVersion": "kubeflow.org/v1", "kind": "TFJobList", "items": [bad]}
        return 404, {"kind": "Status", "code": 404, "reason": "NotFound"}

    with serve(apiserver) as (url, seen):
        result = CliRunner().invoke(
            cli, ["audit", "--kubeconfig", str(_kubeconfig(tmp_path, url)), "-o", "json"]
        )
    assert result.exit_code == 1, result.output
    out = json.loads(result.output)
    assert [r["name"] for r in out["results"]] == ["neg"]
    assert out["results"][0]["decision"] == "deny"
    assert any(p.startswith("/apis/trainer.kubeflow.org/v1alpha1/trainjobs") for _, p, _ in seen)


def test_audit_without_credentials_is_an_input_error(tmp_path):
    result = CliRunner().invoke(cli, ["audit", "--kubeconfig", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "credentials" in result.output
