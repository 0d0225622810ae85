"""Policy reloads (parameters file change, SIGHUP, a broken file) and --on-error."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from kfpolicy.errors import EngineError
from kfpolicy.inputs import Document
from kfpolicy.runner import Result
from kfpolicy.serve.app import ServerState, make_app
from kfpolicy.serve.certmanager import DirectoryCertificates
from kfpolicy.serve.metrics import Metrics
from kfpolicy.serve.policies import PolicySource, PolicyStore
from serve_client import review, running


def _gpu_job(gpus: int) -> dict[str, Any]:
    container = {
        "name": "xgboost",
        "image": "x",
        "resources": {
            "requests": {"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": gpus},
            "limits": {"cpu": "1", "memory": "1Gi", "nvidia.com/gpu": gpus},
        },
    }
    return {
        "apiVersion": "kubeflow.org/v1",
        "kind": "XGBoostJob",
        "metadata": {"name": "x", "namespace": "ns"},
        "spec": {
            "xgbReplicaSpecs": {"Master": {"replicas": 1, "template": {"spec": {"containers": [container]}}}}
        },
    }


def _caps(path: Path, gpus: str) -> None:
    path.write_text(json.dumps({"resource-limit-caps": {"max_limits": {"nvidia.com/gpu": gpus}}}))


def _reloads(server: Any, outcome: str) -> float:
    _status, text = server.connect().call("GET", "/metrics")
    for line in text.decode().splitlines():
        if line.startswith(f'kfpolicy_policy_reloads_total{{outcome="{outcome}"}}'):
            return float(line.split()[-1])
    return 0.0


def _until_allowed(server: Any, job: dict[str, Any], allowed: bool, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.validate(server.connect(), review(job))["allowed"] is allowed:
            return True
        time.sleep(0.2)
    return False


def test_parameters_are_reloaded_on_change_and_a_broken_file_keeps_the_old_policies(tmp_path):
    params = tmp_path / "params.json"
    _caps(params, "8")
    job = _gpu_job(4)
    args = ["--self-signed", "--profile", "restricted", "--parameters", str(params)]
    with running(args, tmp_path / "certs") as server:
        assert server.validate(server.connect(), review(job))["allowed"] is True
        _caps(params, "2")
        assert _until_allowed(server, job, False)
        params.write_text("{not: [valid")
        deadline = time.monotonic() + 20
        while _reloads(server, "failure") < 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _reloads(server, "failure") >= 1
        denied = server.validate(server.connect(), review(job))  # the previous policies still answer
        assert denied["allowed"] is False and "nvidia.com/gpu" in denied["status"]["message"]


def test_sighup_reloads_the_policies(tmp_path):
    with running(["--self-signed"], tmp_path) as server:
        before = _reloads(server, "success")
        server.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 20
        while _reloads(server, "success") <= before and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _reloads(server, "success") == before + 1
        assert server.proc.poll() is None
        assert server.terminate() == 0


class _FailingEvaluator:
    """Stands in for an engine that fails mid-evaluation (the real policies never do)."""

    def evaluate(self, doc: Document) -> Result:
        raise EngineError(f"embedded engine failed on data.kubeflow.violation: boom ({doc.source})")


@pytest.mark.parametrize(("on_error", "allowed"), [("deny", False), ("allow", True)])
def test_an_evaluation_error_is_answered_by_on_error(tmp_path, on_error, allowed):
    store = PolicyStore(PolicySource())
    store.evaluator = _FailingEvaluator()  # type: ignore[assignment]
    state = ServerState(store, DirectoryCertificates(tmp_path), Metrics(), on_error=on_error)

    async def call() -> dict[str, Any]:
        async with TestClient(TestServer(make_app(state))) as client:
            resp = await client.post("/validate", data=json.dumps(review({"kind": "PyTorchJob"}, uid="u9")))
            assert resp.status == 200
            body: dict[str, Any] = await resp.json()
            return body["response"]

    answer = asyncio.run(call())
    assert answer["uid"] == "u9" and answer["allowed"] is allowed
    text = answer["warnings"][0] if allowed else answer["status"]["message"]
    assert text.startswith("kfpolicy could not evaluate the policies: embedded engine failed")
    if not allowed:
        assert answer["status"]["code"] == 500
    assert state.metrics.registry.get_sample_value("kfpolicy_evaluation_errors_total") == 1
