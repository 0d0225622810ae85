"""`kfpolicy serve` as a real process over TLS on loopback: decisions, bad requests, reloads, drain."""

from __future__ import annotations

import json
import signal
import socket
import ssl
import time
from pathlib import Path
from typing import Any

import pytest

from kfpolicy.inputs import Document, read_paths
from kfpolicy.runner import Evaluator
from kfpolicy.serve.review import response_for
from serve_client import HOSTNAME, review, running

JOBS = Path(__file__).parent / "jobs"


def _corpus() -> list[Document]:
    docs = [d for d in read_paths([str(JOBS)]) if isinstance(d, Document)]
    assert len(docs) > 30
    return docs


def _review_of(doc: Document, uid: str) -> dict[str, Any]:
    if isinstance(doc.rego_input, dict):  # already an AdmissionReview
        body = json.loads(json.dumps(doc.rego_input))
        body["request"]["uid"] = uid
        return body
    return review(doc.obj, uid=uid)


def test_answers_the_corpus_like_the_evaluator_on_one_keep_alive_connection(tmp_path, catalogue):
    evaluator = Evaluator(catalogue, profile="baseline")
    decisions = set()
    with running(["--self-signed", "--cert-validity", "1h", "--profile", "baseline"], tmp_path) as server:
        conn = server.connect()
        for i, doc in enumerate(_corpus()):
            uid = f"uid-{i}"
            expected = response_for(uid, evaluator.evaluate(doc))["response"]
            answer = server.validate(conn, _review_of(doc, uid))
            assert answer == expected, doc.source
            decisions.add("deny" if not answer["allowed"] else "warn" if answer["warnings"] else "allow")
        assert conn.sock is not None  # the same TLS connection served every request
        conn.close()
    assert decisions == {"allow", "deny", "warn"}


def test_denial_carries_403_and_the_upstream_aggregate_message(tmp_path):
    job: dict[str, Any] = {
        "apiVersion": "kubeflow.org/v1",
        "kind": "PyTorchJob",
        "metadata": {"name": "j", "namespace": "ns"},
        "spec": {
            "pytorchReplicaSpecs": {
                "Master": {
                    "replicas": 2,
                    "template": {"spec": {"containers": [{"name": "pytorch", "image": "x"}]}},
                },
                "Worker": {
                    "replicas": -1,
                    "template": {"spec": {"containers": [{"name": "pytorch", "image": "x"}]}},
                },
            }
        },
    }
    with running(["--self-signed"], tmp_path) as server:
        answer = server.validate(server.connect(), review(job, uid="abc"))
    assert answer["uid"] == "abc" and answer["allowed"] is False
    status = answer["status"]
    assert (status["code"], status["reason"]) == (403, "Forbidden")
    assert status["message"].startswith("[") and status["message"].endswith("]")
    assert "spec.pytorchReplicaSpecs[Master].replicas: Forbidden: must be 1" in status["message"]


def test_hostname_is_checked_against_ca_crt(tmp_path):
    with running(["--self-signed"], tmp_path) as server:
        ctx = ssl.create_default_context(cafile=str(tmp_path / "ca.crt"))
        with (
            socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock,
            pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"),
        ):
            ctx.wrap_socket(sock, server_hostname="other.example.svc")
        for name in ("kfpolicy-webhook", "kfpolicy-webhook.kfpolicy-system.svc.cluster.local", HOSTNAME):
            with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
                ctx.wrap_socket(sock, server_hostname=name).close()
    assert oct((tmp_path / "tls.key").stat().st_mode & 0o777) == "0o600"


BAD_BODIES = {
    "not JSON": b"{nope",
    "wrong apiVersion": json.dumps(
        {**review({"kind": "PyTorchJob"}), "apiVersion": "admission.k8s.io/v1beta1"}
    ),
    "wrong kind": json.dumps({**review({"kind": "PyTorchJob"}), "kind": "TokenReview"}),
    "no request": json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}),
    "no uid": json.dumps(
        {
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "request": {"operation": "CREATE", "object": {"kind": "PyTorchJob"}},
        }
    ),
    "over the limit": json.dumps(review({"kind": "PyTorchJob", "data": "x" * 5000})),
    "not UTF-8": b"\xff\xfe{}",
    "a JSON list": b"[]",
}


def test_bad_requests_get_400_and_the_server_keeps_serving(tmp_path):
    job = {"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": {"name": "ok"}}
    with running(["--self-signed", "--max-body-bytes", "4000", "--body-timeout", "1"], tmp_path) as server:
        conn = server.connect()
        for name, body in BAD_BODIES.items():
            status, data = conn.call("POST", "/validate", body if isinstance(body, bytes) else body.encode())
            assert status == 400, name
            assert json.loads(data)["error"].startswith("not an AdmissionReview"), name
            conn.close()  # a 400 may close the connection: the next request opens a new one
        # A body sent too slowly: the headers promise 200 bytes, 10 arrive.
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
            ctx = ssl.create_default_context(cafile=str(tmp_path / "ca.crt"))
            tls = ctx.wrap_socket(raw, server_hostname=HOSTNAME)
            tls.sendall(
                b"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b'Content-Length: 200\r\n\r\n{"apiVersi'
            )
            answer = tls.recv(4096).decode()
            assert answer.startswith("HTTP/1.1 400") and "not received within 1 s" in answer
        assert server.validate(server.connect(), review(job))["allowed"] is not None
        status, metrics = server.connect().call("GET", "/metrics")
        assert f"kfpolicy_bad_requests_total {len(BAD_BODIES) + 1}.0" in metrics.decode()


def test_sigterm_finishes_the_request_in_flight_and_exits_0(tmp_path):
    body = json.dumps(
        review({"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": {"name": "j"}})
    ).encode()
    with running(["--self-signed", "--body-timeout", "20"], tmp_path) as server:
        ctx = ssl.create_default_context(cafile=str(tmp_path / "ca.crt"))
        tls = ctx.wrap_socket(
            socket.create_connection(("127.0.0.1", server.port), timeout=20), server_hostname=HOSTNAME
        )
        head = (
            f"POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        tls.sendall(head + body[:20])
        time.sleep(0.5)
        server.proc.send_signal(signal.SIGTERM)
        # Soon no new connection is accepted, while the request in flight is still unfinished.
        deadline = time.monotonic() + 10
        refused = False
        while not refused and time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
                time.sleep(0.1)
            except OSError:
                refused = True
        assert refused
        tls.sendall(body[20:])
        answer = tls.recv(65536).decode()
        tls.close()
        assert answer.startswith("HTTP/1.1 200"), answer
        assert '"allowed": false' in answer
        assert server.proc.wait(30) == 0


def test_two_workers_share_the_port_and_stop_cleanly_on_sigterm(tmp_path):
    job = {"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": {"name": "j"}}
    with running(["--self-signed", "--workers", "2"], tmp_path) as server:
        answers = []
        for i in range(20):  # new connections, spread by the kernel over both workers
            conn = server.connect()
            answers.append(server.validate(conn, review(job, uid=f"w{i}")))
            conn.close()
        assert all(a["allowed"] is False for a in answers)
        assert [a["uid"] for a in answers] == [f"w{i}" for i in range(20)]
        assert server.terminate() == 0
