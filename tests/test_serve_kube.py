"""caBundle patching and the runtime watch, through the real `kubernetes` client, against a loopback
stand-in of the Kubernetes API (no cluster exists here), and the server using both."""

from __future__ import annotations

import base64
import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

from kfpolicy.serve import certs, kube
from kube_standin import KubeStandIn, standing_in
from serve_client import review, running

NAME = "kfpolicy-webhook"


def _until(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def _bundle_subjects(api: KubeStandIn) -> list[set[Any]]:
    return [
        {c.subject for c in certs.load_bundle(base64.b64decode(w["clientConfig"].get("caBundle", "")))}
        for w in api.vwc["webhooks"]
    ]


def test_ca_bundle_patch_is_retried_after_409_conflicts(tmp_path):
    api = KubeStandIn(NAME)
    api.conflicts = 2
    now = dt.datetime.now(dt.UTC)
    ca = certs.new_ca("test", now, dt.timedelta(days=1))
    with standing_in(api, tmp_path) as kubeconfig:
        patcher = kube.CaBundlePatcher(kube.api_client(str(kubeconfig)), NAME, threading.Event())
        assert patcher.patch(ca.cert_pem()) is True
    assert api.patches == 3  # two conflicts, then the patch computed from the fresh object
    assert _bundle_subjects(api) == [{ca.cert.subject}, {ca.cert.subject}]


def test_ca_bundle_keeps_other_valid_cas_and_drops_expired_ones():
    now = dt.datetime.now(dt.UTC)
    ours = certs.new_ca("ours", now, dt.timedelta(days=1))
    other = certs.new_ca("other-replica", now, dt.timedelta(days=1))
    expired = certs.new_ca("old", now - dt.timedelta(days=3), dt.timedelta(days=1))
    current = base64.b64encode(certs.bundle_pem([other.cert, expired.cert, ours.cert])).decode()
    merged = certs.load_bundle(kube.merged_bundle(ours.cert_pem(), current, now))
    assert [c.subject for c in merged] == [ours.cert.subject, other.cert.subject]


def test_runtime_watch_lists_follows_changes_and_lists_again_after_410_gone(tmp_path):
    api = KubeStandIn(NAME)
    api.put("clustertrainingruntimes", "torch-distributed")
    seen: list[list[str]] = []

    def names() -> list[str]:
        return seen[-1] if seen else []

    stop = threading.Event()
    with standing_in(api, tmp_path) as kubeconfig:
        watcher = kube.RuntimeWatcher(
            kube.api_client(str(kubeconfig)),
            lambda objs: seen.append([o["metadata"]["name"] for o in objs]),
            stop,
            watch_timeout=5,
        )
        threads = watcher.start()
        try:
            assert _until(lambda: names() == ["torch-distributed"])
            api.put("trainingruntimes", "mine", namespace="team-a")
            assert _until(lambda: sorted(names()) == ["mine", "torch-distributed"])
            api.expire()
            api.put("clustertrainingruntimes", "deepspeed")
            assert _until(lambda: sorted(names()) == ["deepspeed", "mine", "torch-distributed"])
            api.delete("clustertrainingruntimes", "torch-distributed")
            assert _until(lambda: sorted(names()) == ["deepspeed", "mine"])
        finally:
            stop.set()
            for t in threads:
                t.join(10)
    assert api.watches_gone >= 1
    assert api.lists["clustertrainingruntimes"] >= 2  # listed again after 410 Gone
    assert not any(t.is_alive() for t in threads)


def test_server_patches_its_ca_bundle_and_checks_trainjobs_against_watched_runtimes(tmp_path):
    api = KubeStandIn(NAME)
    api.fail_lists = True
    trainjob = {
        "apiVersion": "trainer.kubeflow.org/v1alpha1",
        "kind": "TrainJob",
        "metadata": {"name": "tj", "namespace": "team-a"},
        "spec": {"runtimeRef": {"name": "torch"}},
    }
    certs_dir = tmp_path / "certs"
    with standing_in(api, tmp_path) as kubeconfig:
        args = [
            "--self-signed",
            "--webhook-config",
            NAME,
            "--watch-runtimes",
            "--kubeconfig",
            str(kubeconfig),
        ]
        with running(args, certs_dir, ready=False) as server:
            assert _until(lambda: (certs_dir / "ca.crt").is_file())
            status, text = server.connect().call("GET", "/readyz")
            assert status == 503 and b"runtimes not listed yet" in text
            api.fail_lists = False
            server.wait_ready()
            ours = {c.subject for c in certs.load_bundle((certs_dir / "ca.crt").read_bytes())}
            assert _until(lambda: all(s == ours for s in _bundle_subjects(api)))
            conn = server.connect()
            denied = server.validate(conn, review(trainjob))
            assert denied["allowed"] is False and "spec.RuntimeRef" in denied["status"]["message"]
            api.put("clustertrainingruntimes", "torch")
            assert _until(lambda: server.validate(server.connect(), review(trainjob))["allowed"] is True)
            assert server.terminate() == 0
