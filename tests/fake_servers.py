"""Small loopback HTTP servers standing in for an OPA server and a Kubernetes API server.

Neither exists on the machines this project is tested on; these record what the real clients send
and answer the way the real servers document, so the client code paths run for real.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Handler = Callable[[str, str, bytes], tuple[int, Any]]


@contextmanager
def serve(handler: Handler) -> Iterator[tuple[str, list[tuple[str, str, bytes]]]]:
    """Run handler(method, path, body) -> (status, json_or_None) on 127.0.0.1; yield (url, requests)."""
    seen: list[tuple[str, str, bytes]] = []

    class _H(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen.append((self.command, self.path, body))
            status, payload = handler(self.command, self.path, body)
            data = b"" if payload is None else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = _answer

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), _H)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
