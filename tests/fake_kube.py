"""A loopback stand-in for the parts of the Kubernetes API `kfpolicy audit` uses.

It answers the way the API server documents: list requests honour `limit` and `continue`, an
expired continue token gets 410 Gone with a Status, a forbidden resource 403, a failing one 500,
and it can be slow. Lists are served as raw JSON text, so tests can put in what a JSON encoder
would not write (a 400-digit number, a lone surrogate escape, very deep nesting). ConfigMaps can be
written with PUT and POST. No real API server runs here; this is what the client code talks to.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit


def status(code: int, reason: str, message: str) -> bytes:
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Status",
            "status": "Failure",
            "code": code,
            "reason": reason,
            "message": message,
        }
    ).encode()


@dataclass
class FakeKube:
    """items: list path -> raw JSON text of each item. Behaviour knobs are plain fields."""

    items: dict[str, list[str]] = field(default_factory=dict)
    forbidden: set[str] = field(default_factory=set)
    expire_once: set[str] = field(default_factory=set)  # paths whose first continue token expires
    fail_times: dict[str, int] = field(default_factory=dict)  # path -> 500s to answer before success
    delay: float = 0.0
    raw: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)  # path -> answer
    configmaps: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, method: str, target: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        url = urlsplit(target)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        with self.lock:
            self.requests.append((method, target))
            if self.fail_times.get(url.path, 0) > 0:
                self.fail_times[url.path] -= 1
                return 500, {}, status(500, "InternalError", "etcd is having a moment")
        if self.delay:
            time.sleep(self.delay)
        if url.path in self.raw:
            return self.raw[url.path]
        if "/configmaps" in url.path:
            return self._configmap(method, url.path, body)
        if url.path in self.forbidden:
            return 403, {}, status(403, "Forbidden", f"cannot list resource at {url.path}")
        if method != "GET" or url.path not in self.items:
            return 404, {}, status(404, "NotFound", "the server could not find the requested resource")
        return self._page(url.path, query)

    def _page(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        items = self.items[path]
        limit = int(query.get("limit", "0")) or len(items) or 1
        token = query.get("continue", "")
        if token and path in self.expire_once:
            self.expire_once.discard(path)
            return 410, {}, status(410, "Expired", "The provided continue parameter is too old")
        start = int(token) if token else 0
        page = items[start : start + limit]
        more = start + limit < len(items)
        meta = '{"resourceVersion": "1"' + (f', "continue": "{start + limit}"' if more else "") + "}"
        text = f'{{"apiVersion": "v1", "kind": "List", "metadata": {meta}, "items": [{", ".join(page)}]}}'
        return 200, {}, text.encode()

    def _configmap(self, method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        obj = json.loads(body) if body else {}
        if method == "PUT":
            if path not in self.configmaps:
                return 404, {}, status(404, "NotFound", "configmaps not found")
            self.configmaps[path] = obj
            return 200, {}, json.dumps(obj).encode()
        if method == "POST":
            key = f"{path}/{obj['metadata']['name']}"
            self.configmaps[key] = obj
            return 201, {}, json.dumps(obj).encode()
        return 405, {}, status(405, "MethodNotAllowed", method)


@contextmanager
def serve_kube(fake: FakeKube) -> Iterator[str]:
    class _H(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            code, headers, data = fake.answer(self.command, self.path, body)
            self.send_response(code)
            headers = {"Content-Type": "application/json", "Content-Length": str(len(data))} | headers
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            with suppress(OSError):
                self.wfile.write(data)

        do_GET = do_PUT = do_POST = _handle

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), _H)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def silent_server() -> Iterator[str]:
    """Accepts connections (the kernel's backlog does) and never answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


def kubeconfig(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "fake",
                "clusters": [{"name": "fake", "cluster": {"server": url}}],
                "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake"}}],
                "users": [{"name": "fake", "user": {"token": "t"}}],
            }
        )
    )
    return path
