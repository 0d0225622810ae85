"""The webhook's two conversations with the Kubernetes API, through the `kubernetes` client:
keeping its ValidatingWebhookConfiguration's caBundle current, and caching the Trainer runtimes.

Both run in threads of their own (the client is synchronous) and retry with bounded back-off.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import random
import threading
from collections.abc import Callable, Mapping
from typing import Any

from kubernetes import client, config, watch
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from kfpolicy.errors import KfpolicyError
from kfpolicy.serve import certs

log = logging.getLogger("kfpolicy.serve")
RUNTIMES = (
    ("trainer.kubeflow.org", "v1alpha1", "trainingruntimes"),
    ("trainer.kubeflow.org", "v1alpha1", "clustertrainingruntimes"),
)
MAX_BACKOFF = 30.0
WATCH_TIMEOUT = 300  # seconds per watch request; the watch is then resumed from its resourceVersion


def api_client(kubeconfig: str | None) -> client.ApiClient:
    try:
        if kubeconfig:
            config.load_kube_config(config_file=kubeconfig)
        else:
            config.load_incluster_config()
    except (ConfigException, OSError) as exc:
        raise KfpolicyError(f"cannot load Kubernetes credentials: {exc}") from None
    return client.ApiClient()


class Backoff:
    """Exponential back-off with jitter, from `first` to MAX_BACKOFF seconds."""

    def __init__(self, first: float = 0.2, ceiling: float = MAX_BACKOFF) -> None:
        self.first, self.ceiling, self.delay = first, ceiling, first

    def next(self) -> float:
        delay = self.delay
        self.delay = min(self.ceiling, self.delay * 2)
        return delay * random.uniform(0.5, 1.0)

    def reset(self) -> None:
        self.delay = self.first


def merged_bundle(ours: bytes, current_b64: str | bytes | None, now: dt.datetime, keep: int = 8) -> bytes:
    """Our CAs first, then still-valid CAs already in the caBundle (other replicas' or earlier ones)."""
    mine = certs.load_bundle(ours)
    try:
        theirs = certs.load_bundle(base64.b64decode(current_b64 or ""))
    except ValueError:
        theirs = []
    fingerprints = {c.fingerprint(c.signature_hash_algorithm or _sha256()) for c in mine}
    extra = [
        c
        for c in theirs
        if c.not_valid_after_utc > now
        and c.fingerprint(c.signature_hash_algorithm or _sha256()) not in fingerprints
    ]
    return certs.bundle_pem((mine + extra)[:keep])


def _sha256() -> Any:
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA256()


class CaBundlePatcher:
    """Writes our CA bundle into every webhook of one ValidatingWebhookConfiguration. A patch carries
    the resourceVersion it was computed from, so a concurrent writer makes it fail with 409 and it
    is recomputed."""

    def __init__(self, api: client.ApiClient, name: str, stop: threading.Event, attempts: int = 8) -> None:
        self.api = client.AdmissionregistrationV1Api(api)
        self.name = name
        self.stop = stop
        self.attempts = attempts

    def patch(self, ours: bytes) -> bool:
        backoff = Backoff()
        for attempt in range(1, self.attempts + 1):
            try:
                current = self.api.read_validating_webhook_configuration(self.name)
                hooks = current.webhooks or []
                version = current.metadata.resource_version if current.metadata is not None else None
                body = {
                    "metadata": {"resourceVersion": version},
                    "webhooks": [
                        {
                            "name": h.name,
                            "clientConfig": {
                                "caBundle": base64.b64encode(
                                    merged_bundle(ours, h.client_config.ca_bundle, dt.datetime.now(dt.UTC))
                                ).decode()
                            },
                        }
                        for h in hooks
                    ],
                }
                self.api.patch_validating_webhook_configuration(
                    self.name, body, _content_type="application/strategic-merge-patch+json"
                )
                log.info("caBundle of ValidatingWebhookConfiguration %s updated", self.name)
                return True
            except ApiException as exc:
                log.warning(
                    "caBundle patch of %s failed (attempt %d): %s %s",
                    self.name,
                    attempt,
                    exc.status,
                    exc.reason,
                )
            except Exception as exc:
                log.warning("caBundle patch of %s failed (attempt %d): %s", self.name, attempt, exc)
            if self.stop.wait(backoff.next()):
                break
        return False


class RuntimeWatcher:
    """Lists, then watches, TrainingRuntimes and ClusterTrainingRuntimes; calls `on_change` with the
    whole cache after the first complete list and after every change."""

    def __init__(
        self,
        api: client.ApiClient,
        on_change: Callable[[list[Mapping[str, Any]]], None],
        stop: threading.Event,
        watch_timeout: int = WATCH_TIMEOUT,
    ) -> None:
        self.api = client.CustomObjectsApi(api)
        self.on_change = on_change
        self.stop = stop
        self.watch_timeout = watch_timeout
        self.cache: dict[tuple[str, str, str], Mapping[str, Any]] = {}
        self.lock = threading.Lock()
        self.listed: set[str] = set()
        self.relists = 0

    def _key(self, plural: str, obj: Mapping[str, Any]) -> tuple[str, str, str]:
        meta = obj.get("metadata") or {}
        return (plural, str(meta.get("namespace") or ""), str(meta.get("name") or ""))

    def _publish(self) -> None:
        with self.lock:
            objects = [self.cache[k] for k in sorted(self.cache)]
        if len(self.listed) == len(RUNTIMES):
            self.on_change(objects)

    def _list(self, group: str, version: str, plural: str, kind: str) -> str:
        listing = self.api.list_cluster_custom_object(group, version, plural)
        if not isinstance(listing, dict):
            raise TypeError(f"listing {plural}: expected an object, got {type(listing).__name__}")
        with self.lock:
            for key in [k for k in self.cache if k[0] == plural]:
                del self.cache[key]
            for obj in listing.get("items") or []:
                obj.setdefault("apiVersion", f"{group}/{version}")
                obj.setdefault("kind", kind)
                self.cache[self._key(plural, obj)] = obj
        self.listed.add(plural)
        self._publish()
        return str((listing.get("metadata") or {}).get("resourceVersion") or "")

    def _apply(self, plural: str, event: Mapping[str, Any]) -> str:
        """Apply one watch event to the cache; returns the resourceVersion it carries ("" if none)."""
        obj = event.get("raw_object")
        if not isinstance(obj, dict):
            return ""
        seen = str((obj.get("metadata") or {}).get("resourceVersion") or "")
        if event.get("type") not in ("ADDED", "MODIFIED", "DELETED"):
            return seen
        with self.lock:
            if event["type"] == "DELETED":
                self.cache.pop(self._key(plural, obj), None)
            else:
                self.cache[self._key(plural, obj)] = obj
        self._publish()
        return seen

    def run_one(self, group: str, version: str, plural: str) -> None:
        """List and watch one resource until stopped: re-list on 410 Gone, back off on errors."""
        kind = {"trainingruntimes": "TrainingRuntime", "clustertrainingruntimes": "ClusterTrainingRuntime"}[
            plural
        ]
        backoff = Backoff()
        version_seen, need_list = "", True
        while not self.stop.is_set():
            try:
                if need_list:
                    version_seen = self._list(group, version, plural, kind)
                    need_list = False
                    self.relists += 1
                w = watch.Watch()
                for event in w.stream(
                    self.api.list_cluster_custom_object,
                    group,
                    version,
                    plural,
                    resource_version=version_seen,
                    timeout_seconds=self.watch_timeout,
                    allow_watch_bookmarks=True,
                ):
                    version_seen = self._apply(plural, event) or version_seen
                    backoff.reset()
                    if self.stop.is_set():
                        w.stop()
                        break
            except ApiException as exc:
                if exc.status == 410:
                    log.info("watch of %s expired (410 Gone): listing again", plural)
                    need_list = True
                    continue
                log.warning("watch of %s failed: %s %s", plural, exc.status, exc.reason)
                self.stop.wait(backoff.next())
            except Exception as exc:
                log.warning("watch of %s failed: %s", plural, exc)
                self.stop.wait(backoff.next())

    def start(self) -> list[threading.Thread]:
        threads = [
            threading.Thread(target=self.run_one, args=r, name=f"watch-{r[2]}", daemon=True) for r in RUNTIMES
        ]
        for t in threads:
            t.start()
        return threads
