"""Everything `kfpolicy serve` is told, as one frozen value (it is also handed to worker processes)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from kfpolicy.serve.policies import PolicySource

_DURATION = re.compile(r"^(\d+)(s|m|h|d)$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> dt.timedelta:
    """`15s`, `10m`, `12h` or `90d`."""
    match = _DURATION.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise ValueError(f"invalid duration {text!r} (a positive number with s, m, h or d, e.g. 90d)")
    return dt.timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def service_names(service: str, namespace: str) -> list[str]:
    """The DNS names the API server may use to reach a Service."""
    return [
        service,
        f"{service}.{namespace}",
        f"{service}.{namespace}.svc",
        f"{service}.{namespace}.svc.cluster.local",
    ]


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = 3 * 1024 * 1024  # the API server's own request limit is 3 MiB
    body_timeout: float = 10.0  # seconds for the whole body to arrive


@dataclass(frozen=True)
class ServeOptions:
    tls_cert_dir: Path
    source: PolicySource = field(default_factory=PolicySource)
    bind: str = "0.0.0.0"
    port: int = 8443
    workers: int = 1
    on_error: str = "deny"
    self_signed: bool = False
    cert_validity: dt.timedelta = dt.timedelta(days=90)
    service_name: str = "kfpolicy-webhook"
    service_namespace: str = "kfpolicy-system"
    webhook_config: str | None = None
    watch_runtimes: bool = False
    kubeconfig: str | None = None
    drain_timeout: float = 25.0  # seconds in-flight requests get after SIGTERM
    shutdown_delay: float = 0.0  # seconds to keep serving, not ready, before closing the listener
    poll_interval: float = 1.0  # seconds between checks of certificate and policy files
    limits: Limits = field(default_factory=Limits)

    @property
    def dns_names(self) -> list[str]:
        return service_names(self.service_name, self.service_namespace)

    @property
    def uses_kubernetes(self) -> bool:
        return self.watch_runtimes or (self.webhook_config is not None and self.self_signed)
