"""HTTP to a server a user names (an OPA server for `push`), with budgets: a validated URL, a time
bound for each request as a whole (headers and body, however slowly they arrive), an overall
deadline, and a cap on the size of an answer.

The standard library's http.client is used directly: a socket timeout bounds each read only (a
server that sends one byte a second holds a client forever) and a client that reads whole answers
has no size cap, so a timer shuts the socket down when the request's time is up and answers are read
in pieces up to the cap.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from kfpolicy.errors import KfpolicyError

MAX_ANSWER_BYTES = 1024 * 1024
_READ_PIECE = 64 * 1024


@dataclass(frozen=True)
class ServerUrl:
    scheme: str
    host: str
    port: int

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


def parse_server_url(url: str, option: str) -> ServerUrl:
    """An http(s) server root with a host and, if given, a port from 1 to 65535."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise KfpolicyError(f"{option} {url!r}: not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise KfpolicyError(f"{option} {url!r}: expected http(s)://host[:port]")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise KfpolicyError(f"{option} {url!r}: give the server root, without a path")
    if port == 0:
        raise KfpolicyError(f"{option} {url!r}: port 0 is not a port a server listens on")
    return ServerUrl(parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80))


def check_seconds(value: float, option: str) -> float:
    if not math.isfinite(value) or value <= 0:
        raise KfpolicyError(f"{option} {value}: must be a number of seconds above 0")
    return value


class ServerError(KfpolicyError):
    """The server answered with an error status; `status` and `answer` say what it said."""

    def __init__(self, message: str, status: int, answer: Any) -> None:
        super().__init__(message)
        self.status, self.answer = status, answer


class Unreachable(KfpolicyError):
    """No answer: the connection failed, or the time ran out, or the answer was too large."""


class BoundedClient:
    """Requests to one server: each under `timeout` seconds, all of them before `deadline` seconds
    from now, no answer larger than `max_answer` bytes."""

    def __init__(self, url: ServerUrl, *, token: str | None, timeout: float, deadline: float,
                 max_answer: int = MAX_ANSWER_BYTES) -> None:
        self.url, self.token, self.timeout, self.max_answer = url, token, timeout, max_answer
        self.ends = time.monotonic() + deadline
        self.deadline = deadline

    def _connection(self, seconds: float) -> http.client.HTTPConnection:
        if self.url.scheme == "https":
            return http.client.HTTPSConnection(self.url.host, self.url.port, timeout=seconds,
                                               context=ssl.create_default_context())
        return http.client.HTTPConnection(self.url.host, self.url.port, timeout=seconds)

    def request(self, method: str, path: str, body: bytes, content_type: str) -> Any:
        """The answer's JSON (None when empty) for a 2xx status; ServerError otherwise."""
        left = self.ends - time.monotonic()
        if left <= 0:
            raise Unreachable(f"{self.url}: the overall deadline of {self.deadline:g} s passed")
        seconds = min(self.timeout, left)
        conn = self._connection(seconds)
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            sock = conn.sock
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(seconds, expire)
        timer.daemon = True
        headers = {"Content-Type": content_type, "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        timer.start()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            answer = self._read(response)
        except (OSError, http.client.HTTPException) as exc:
            if expired.is_set() or isinstance(exc, TimeoutError):
                raise Unreachable(f"{self.url}: no complete answer within {seconds:g} s") from None
            raise Unreachable(f"{self.url}: {exc}") from None
        finally:
            timer.cancel()
            conn.close()
        if expired.is_set():
            raise Unreachable(f"{self.url}: no complete answer within {seconds:g} s")
        parsed = _json_or_text(answer)
        if not 200 <= response.status < 300:
            summary = f"{response.status} {response.reason}: {_summary(parsed)}"
            raise ServerError(summary, response.status, parsed)
        return parsed

    def _read(self, response: http.client.HTTPResponse) -> bytes:
        declared = response.getheader("Content-Length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self.max_answer:
            size = int(declared)
            raise Unreachable(f"{self.url}: answer of {size:,} bytes; the limit is {self.max_answer:,}")
        pieces: list[bytes] = []
        size = 0
        while True:
            piece = response.read(_READ_PIECE)
            if not piece:
                return b"".join(pieces)
            size += len(piece)
            if size > self.max_answer:
                raise Unreachable(f"{self.url}: answer larger than the limit of {self.max_answer:,} bytes")
            pieces.append(piece)


def _json_or_text(answer: bytes) -> Any:
    if not answer.strip():
        return None
    try:
        return json.loads(answer)
    except ValueError:
        return answer.decode("utf-8", "replace")


def _summary(answer: Any) -> str:
    """One line from an error answer: OPA's `message` and its errors' messages, or the text."""
    if isinstance(answer, dict):
        parts = [str(answer.get("message") or answer.get("code") or "")]
        errors = answer.get("errors")
        if isinstance(errors, list):
            parts += [str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errors[:5]]
        return "; ".join(p for p in parts if p)[:1000]
    return " ".join(str(answer).split())[:300]
