"""A loopback stand-in for the parts of the Kubernetes API the webhook uses: the Trainer runtimes
(list, and watch from a resourceVersion, answering 410 Gone for versions it no longer has) and one
ValidatingWebhookConfiguration (get, and strategic-merge patch with optimistic concurrency: a patch
whose metadata.resourceVersion is not the current one gets 409 Conflict, as the API server does)."""

from __future__ import annotations

import contextlib
import copy
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

GROUP = "trainer.kubeflow.org/v1alpha1"
KINDS = {"trainingruntimes": "TrainingRuntime", "clustertrainingruntimes": "ClusterTrainingRuntime"}
VWC_PATH = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/"
IDLE_WATCH = 0.2  # seconds a watch with nothing to report stays open


def _status(code: int, reason: str, message: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "code": code,
        "reason": reason,
        "message": message,
    }


class KubeStandIn:
    def __init__(self, webhook_name: str) -> None:
        self.lock = threading.Lock()
        self.version = 100
        self.expired_before = 0  # watches from an older resourceVersion get 410 Gone
        self.objects: dict[tuple[str, str, str], dict[str, Any]] = {}
        self.log: list[tuple[int, str, str, dict[str, Any]]] = []
        self.fail_lists = False
        self.conflicts = 0  # patches to answer 409 after a concurrent change
        self.patches = 0
        self.lists: dict[str, int] = dict.fromkeys(KINDS, 0)
        self.watches_gone = 0
        self.webhook_name = webhook_name
        self.vwc: dict[str, Any] = {
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "ValidatingWebhookConfiguration",
            "metadata": {"name": webhook_name, "resourceVersion": "1"},
            "webhooks": [
                {
                    "name": n,
                    "clientConfig": {"service": {"name": "kfpolicy-webhook", "namespace": "kfpolicy-system"}},
                    "sideEffects": "None",
                    "admissionReviewVersions": ["v1"],
                }
                for n in ("jobs.kfpolicy.kubeflow.org", "trainer.kfpolicy.kubeflow.org")
            ],
        }

    # --- changes made by the test ---------------------------------------------------------------
    def put(self, plural: str, name: str, namespace: str = "", event: str = "ADDED") -> None:
        with self.lock:
            self.version += 1
            meta: dict[str, Any] = {"name": name, "resourceVersion": str(self.version)}
            if namespace:
                meta["namespace"] = namespace
            obj = {"apiVersion": GROUP, "kind": KINDS[plural], "metadata": meta, "spec": {}}
            self.objects[(plural, namespace, name)] = obj
            self.log.append((self.version, plural, event, obj))

    def delete(self, plural: str, name: str, namespace: str = "") -> None:
        with self.lock:
            self.version += 1
            obj = self.objects.pop((plural, namespace, name))
            self.log.append((self.version, plural, "DELETED", obj))

    def expire(self) -> None:
        """Forget history: every watch from an older resourceVersion now gets 410 Gone."""
        with self.lock:
            self.expired_before = self.version + 1

    # --- the API ----------------------------------------------------------------------------------
    def handle(self, method: str, url: str, body: bytes) -> tuple[int, bytes]:
        parsed = urlparse(url)
        query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        if parsed.path.startswith(VWC_PATH):
            return self._vwc(method, parsed.path.removeprefix(VWC_PATH), body)
        plural = parsed.path.rsplit("/", 1)[-1]
        if method != "GET" or not parsed.path.startswith(f"/apis/{GROUP}/") or plural not in KINDS:
            return 404, json.dumps(_status(404, "NotFound", parsed.path)).encode()
        if query.get("watch", "").lower() == "true":
            return self._watch(plural, int(query.get("resourceVersion") or 0))
        with self.lock:
            if self.fail_lists:
                return 500, json.dumps(_status(500, "InternalError", "etcd is down")).encode()
            self.lists[plural] += 1
            items = [o for (p, _, _), o in sorted(self.objects.items()) if p == plural]
            listing = {
                "kind": KINDS[plural] + "List",
                "apiVersion": GROUP,
                "metadata": {"resourceVersion": str(self.version)},
                "items": items,
            }
        return 200, json.dumps(listing).encode()

    def _watch(self, plural: str, since: int) -> tuple[int, bytes]:
        with self.lock:
            if since < self.expired_before:
                self.watches_gone += 1
                gone = {
                    "type": "ERROR",
                    "object": _status(410, "Expired", f"too old resource version: {since}"),
                }
                return 200, json.dumps(gone).encode() + b"\n"
            events = [{"type": t, "object": o} for v, p, t, o in self.log if p == plural and v > since]
        if not events:
            time.sleep(IDLE_WATCH)
        return 200, b"".join(json.dumps(e).encode() + b"\n" for e in events)

    def _vwc(self, method: str, name: str, body: bytes) -> tuple[int, bytes]:
        with self.lock:
            if name != self.webhook_name:
                return 404, json.dumps(_status(404, "NotFound", name)).encode()
            if method == "GET":
                return 200, json.dumps(self.vwc).encode()
            if method != "PATCH":
                return 405, json.dumps(_status(405, "MethodNotAllowed", method)).encode()
            self.patches += 1
            if self.conflicts:  # someone else wrote in between
                self.conflicts -= 1
                self.vwc["metadata"]["resourceVersion"] = str(
                    int(self.vwc["metadata"]["resourceVersion"]) + 1
                )
            patch = json.loads(body)
            wanted = patch.get("metadata", {}).get("resourceVersion")
            current = self.vwc["metadata"]["resourceVersion"]
            if wanted is not None and wanted != current:
                return 409, json.dumps(_status(409, "Conflict", "the object has been modified")).encode()
            updated = copy.deepcopy(self.vwc)
            by_name = {w["name"]: w for w in updated["webhooks"]}
            for hook in patch.get("webhooks", []):
                by_name[hook["name"]]["clientConfig"].update(hook.get("clientConfig", {}))
            updated["metadata"]["resourceVersion"] = str(int(current) + 1)
            self.vwc = updated
            return 200, json.dumps(updated).encode()


@contextmanager
def standing_in(api: KubeStandIn, tmp_path: Path) -> Iterator[Path]:
    """Serve `api` on 127.0.0.1; yield a kubeconfig pointing at it."""

    class _H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, data = api.handle(self.command, self.path, body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a watch stopped early
                self.wfile.write(data)

        do_GET = do_PATCH = do_PUT = _answer

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), _H)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "standin",
                "clusters": [
                    {"name": "standin", "cluster": {"server": f"http://127.0.0.1:{server.server_address[1]}"}}
                ],
                "contexts": [{"name": "standin", "context": {"cluster": "standin", "user": "standin"}}],
                "users": [{"name": "standin", "user": {"token": "t"}}],
            }
        )
    )
    try:
        yield kubeconfig
    finally:
        server.shutdown()
        server.server_close()
