"""A small, bounded reader of the Kubernetes API for `kfpolicy audit`.

Credentials and TLS come from the `kubernetes` client's kubeconfig and in-cluster loaders; the
requests are made here, on its urllib3 pool, so that every one has budgets: a connect and read
timeout, an overall deadline, a cap on the body size, and a bounded number of retries (429 and
5xx answers, with backoff). Any failure becomes a KfpolicyError or an ApiError with a clear message.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import urllib3

from kfpolicy import __version__
from kfpolicy.audit.payload import parse_json
from kfpolicy.errors import KfpolicyError

MAX_KUBECONFIG_BYTES = 1024 * 1024
MAX_BODY_BYTES = 64 * 1024 * 1024
RETRIABLE = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Budget:
    """Seconds per connect and per read, the whole audit's deadline, attempts per request."""

    connect: float = 5.0
    read: float = 30.0
    total: float = 600.0
    attempts: int = 4
    backoff: float = 0.2


class ApiError(Exception):
    """The API server answered one request with an error status (the audit can carry on)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status} {message}")
        self.status = status


def _read_kubeconfig(path: Path) -> dict[str, Any]:
    from kfpolicy.yamlio import load_one

    try:
        data = path.read_bytes()[: MAX_KUBECONFIG_BYTES + 1]
    except OSError as exc:
        raise KfpolicyError(f"cannot load Kubernetes credentials: {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_KUBECONFIG_BYTES or b"\0" in data:
        raise KfpolicyError(
            f"cannot load Kubernetes credentials: {path}: not a kubeconfig (binary or too large)"
        )
    try:
        value = load_one(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise KfpolicyError(
            f"cannot load Kubernetes credentials: {path}: not a kubeconfig: "
            f"{' '.join(str(exc).split())[:300]}"
        ) from None
    except Exception as exc:  # any YAML error: the file is the user's input
        raise KfpolicyError(
            f"cannot load Kubernetes credentials: {path}: invalid YAML: {' '.join(str(exc).split())[:300]}"
        ) from None
    if not isinstance(value, dict):
        raise KfpolicyError(
            f"cannot load Kubernetes credentials: {path}: a kubeconfig is a mapping "
            f"(apiVersion, clusters, contexts, users), not a {type(value).__name__}"
        )
    return value


def _default_kubeconfig() -> Path:
    first = os.environ.get("KUBECONFIG", "").split(os.pathsep)[0]
    return Path(first) if first else Path.home() / ".kube" / "config"


def load_configuration(kubeconfig: str | None, context: str | None) -> Any:
    """A kubernetes.client.Configuration from a kubeconfig, or in-cluster credentials when neither a
    kubeconfig nor a context is given and the process runs in a pod."""
    from kubernetes import client, config

    cfg = client.Configuration()
    if not kubeconfig and not context:
        try:
            config.load_incluster_config(client_configuration=cfg)
            return cfg
        except config.ConfigException:
            pass
    path = Path(kubeconfig) if kubeconfig else _default_kubeconfig()
    data = _read_kubeconfig(path)
    try:
        config.load_kube_config_from_dict(
            data, context=context, client_configuration=cfg, persist_config=False
        )
    except Exception as exc:  # the client raises many types for a bad kubeconfig
        raise KfpolicyError(
            f"cannot load Kubernetes credentials: {path}: {' '.join(str(exc).split())[:300]}"
        ) from None
    return cfg


class KubeClient:
    """GET requests to one API server, within a Budget."""

    def __init__(self, cfg: Any, budget: Budget | None = None) -> None:
        from kubernetes.client.rest import RESTClientObject

        self.budget = budget or Budget()
        self.host = str(cfg.host).rstrip("/")
        self._cfg = cfg
        cfg.retries = False  # retries are counted here, within the deadline
        self._pool = RESTClientObject(cfg).pool_manager
        self._deadline = time.monotonic() + self.budget.total

    def remaining(self) -> float:
        return self._deadline - time.monotonic()

    def _headers(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        if self._cfg.refresh_api_key_hook is not None:
            self._cfg.refresh_api_key_hook(self._cfg)
        headers = {"Accept": "application/json", "User-Agent": f"kfpolicy/{__version__}"}
        for auth in self._cfg.auth_settings().values():
            if auth.get("in") == "header" and auth.get("value"):
                headers[auth["key"]] = auth["value"]
        return headers | dict(extra or {})

    def _once(self, method: str, url: str, body: bytes | None) -> tuple[int, Any]:
        left = self.remaining()
        if left <= 0:
            raise KfpolicyError(f"audit deadline of {self.budget.total:g} s passed")
        timeout = urllib3.Timeout(connect=min(self.budget.connect, left), read=min(self.budget.read, left))
        extra = {"Content-Type": "application/json"} if body is not None else None
        response = self._pool.request(
            method,
            url,
            body=body,
            headers=self._headers(extra),
            timeout=timeout,
            preload_content=False,
            retries=False,
            redirect=False,
        )
        try:
            data = self._body(response, url)
        finally:
            response.release_conn()
        return response.status, data

    def _body(self, response: Any, url: str) -> bytes:
        length = response.headers.get("Content-Length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            raise ApiError(
                response.status,
                f"{url}: Content-Length {length[:30]} is over the {MAX_BODY_BYTES:,}-byte limit",
            )
        chunks: list[bytes] = []
        size = 0
        while chunk := response.read(1024 * 1024):
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise ApiError(response.status, f"{url}: answer is over the {MAX_BODY_BYTES:,}-byte limit")
            if self.remaining() <= 0:
                raise KfpolicyError(f"audit deadline of {self.budget.total:g} s passed while reading {url}")
            chunks.append(chunk)
        return b"".join(chunks)

    def request(
        self, method: str, path: str, query: Mapping[str, Any] | None = None, payload: Any = None
    ) -> Any:
        """The decoded JSON answer of a 2xx; ApiError for other statuses (after bounded retries)."""
        url = self.host + path + (f"?{urlencode(query)}" if query else "")
        body = None if payload is None else json.dumps(payload).encode()
        for attempt in range(1, self.budget.attempts + 1):
            try:
                status, data = self._once(method, url, body)
            except urllib3.exceptions.HTTPError as exc:
                if self.remaining() <= 0:
                    raise KfpolicyError(
                        f"audit deadline of {self.budget.total:g} s passed waiting for {url}"
                    ) from None
                if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
                    raise KfpolicyError(
                        f"cannot reach the Kubernetes API server at {self.host}: no answer "
                        f"within {self.budget.read:g} s to {url}"
                    ) from None
                if attempt == self.budget.attempts:
                    reason = getattr(exc, "reason", None) or exc
                    raise KfpolicyError(
                        f"cannot reach the Kubernetes API server at {self.host}: "
                        f"{' '.join(str(reason).split())[:300]}"
                    ) from None
                self._pause(attempt)
                continue
            if 200 <= status < 300:
                return parse_json(data, url)
            if status in RETRIABLE and attempt < self.budget.attempts:
                self._pause(attempt)
                continue
            raise ApiError(status, _status_message(data))
        raise AssertionError("unreachable")  # pragma: no cover

    def _pause(self, attempt: int) -> None:
        time.sleep(max(0.0, min(self.budget.backoff * 2 ** (attempt - 1), self.remaining())))


def _status_message(data: bytes) -> str:
    """A Kubernetes Status's reason and message, or the start of whatever the body was."""
    try:
        status = json.loads(data)
    except ValueError:
        return " ".join(data[:200].decode("utf-8", "replace").split())
    if isinstance(status, dict):
        return " ".join(str(status.get(k)) for k in ("reason", "message") if status.get(k)) or "error"
    return "error"
