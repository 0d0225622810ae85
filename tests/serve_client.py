"""Run `kfpolicy serve` as a real process and talk to it the way the API server does: HTTPS on
loopback, the Service's DNS name as SNI, the hostname checked against ca.crt, keep-alive."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SERVICE, NAMESPACE = "kfpolicy-webhook", "kfpolicy-system"
HOSTNAME = f"{SERVICE}.{NAMESPACE}.svc"
START_TIMEOUT = 60.0


class TLSConnection(http.client.HTTPSConnection):
    """Connects to 127.0.0.1 while presenting and verifying the Service name, as the API server does."""

    def __init__(self, port: int, cafile: Path, timeout: float = 10.0) -> None:
        ctx = ssl.create_default_context(cafile=str(cafile))
        super().__init__(HOSTNAME, port, context=ctx, timeout=timeout)
        self._ctx = ctx
        self._port = port

    def connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self._port), timeout=self.timeout)
        self.sock = self._ctx.wrap_socket(sock, server_hostname=HOSTNAME)

    def peer_serial(self) -> int:
        from cryptography import x509

        assert isinstance(self.sock, ssl.SSLSocket)
        der = self.sock.getpeercert(binary_form=True)
        assert der is not None
        return x509.load_der_x509_certificate(der).serial_number

    def call(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        self.request(method, path, body=body, headers={"Content-Type": "application/json"})
        response = self.getresponse()
        return response.status, response.read()


def review(
    obj: dict[str, Any], uid: str = "uid-1", operation: str = "CREATE", old: dict[str, Any] | None = None
) -> dict[str, Any]:
    request: dict[str, Any] = {"uid": uid, "operation": operation, "object": obj}
    if old is not None:
        request["oldObject"] = old
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}


@dataclass
class Server:
    proc: subprocess.Popen[str]
    port: int
    cert_dir: Path

    def connect(self, timeout: float = 10.0) -> TLSConnection:
        return TLSConnection(self.port, self.cert_dir / "ca.crt", timeout)

    def validate(self, conn: TLSConnection, body: dict[str, Any]) -> dict[str, Any]:
        status, data = conn.call("POST", "/validate", json.dumps(body).encode())
        assert status == 200, data
        answer: dict[str, Any] = json.loads(data)["response"]
        return answer

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            try:
                conn = self.connect(timeout=2)
                status, last = conn.call("GET", "/readyz")
                conn.close()
                if status == 200:
                    return
            except (OSError, ssl.SSLError, http.client.HTTPException) as exc:
                last = exc
            time.sleep(0.1)
        raise AssertionError(f"server not ready after {timeout} s: {last!r}")

    def terminate(self, timeout: float = 30.0) -> int:
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)


def _read_port(proc: subprocess.Popen[str]) -> int:
    assert proc.stdout is not None
    line = proc.stdout.readline()  # the first line names the address; bounded by the process itself
    if "listening on" not in line:
        proc.kill()
        proc.wait(10)
        raise AssertionError(f"server did not start: {line!r}")
    return int(line.rsplit(":", 1)[1])


@contextmanager
def running(args: list[str], cert_dir: Path, *, ready: bool = True) -> Iterator[Server]:
    """`kfpolicy serve ARGS` on 127.0.0.1 and a free port; always stopped afterwards."""
    cmd = [
        sys.executable,
        "-m",
        "kfpolicy",
        "serve",
        "--bind",
        "127.0.0.1",
        "--port",
        "0",
        "--tls-cert-dir",
        str(cert_dir),
        "--service-name",
        SERVICE,
        "--service-namespace",
        NAMESPACE,
        *args,
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("KUBERNETES_SERVICE_HOST", None)
    # The log goes to a file, not a pipe: a chatty server never blocks on it.
    with tempfile.TemporaryFile(mode="w+") as log:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True, env=env)
        try:
            server = Server(proc, _read_port(proc), cert_dir)
            if ready:
                server.wait_ready()
            yield server
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)
            if proc.stdout is not None:
                proc.stdout.close()
            log.seek(0)
            print(log.read()[-5000:])  # pytest shows it when the test fails
