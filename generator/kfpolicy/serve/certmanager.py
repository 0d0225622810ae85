"""The certificate manager: serve tls.crt/tls.key from a folder, reloaded when they change, and
(with --self-signed) issue them from a CA of our own, rotated before they expire.

Reloads never touch a live connection: each one builds a whole new SSLContext, and new TLS handshakes
are switched to it from the SNI callback. A pair that does not load (a half-written rotation, a key
that does not match) is ignored until the next check; the previous certificate keeps being served.
"""

from __future__ import annotations

import datetime as dt
import logging
import ssl
from collections.abc import Callable
from pathlib import Path

from cryptography import x509

from kfpolicy.serve import certs

log = logging.getLogger("kfpolicy.serve")
CERT_FILE, KEY_FILE, CA_FILE = "tls.crt", "tls.key", "ca.crt"
# A rotated certificate or CA is replaced after this share of its lifetime.
ROTATE_AT = 2 / 3
# The CA lives this many serving lifetimes; a new CA joins ca.crt a third of a serving lifetime
# before it signs anything, so the API server trusts both during the switch.
CA_LIFETIMES = 4
# CAs of earlier runs (or other replicas) kept in ca.crt while they are valid, at most this many.
MAX_FOREIGN_CAS = 4


def _server_context(cert_file: Path, key_file: Path) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert_file, key_file)
    return ctx


class DirectoryCertificates:
    """tls.crt and tls.key in a folder (as cert-manager or --self-signed write them), reloaded on change."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._signature: tuple[tuple[int, int, int], ...] | None = None
        self._current: ssl.SSLContext | None = None
        self.not_after: dt.datetime | None = None
        self.serial: int | None = None
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.minimum_version = ssl.TLSVersion.TLSv1_2
        self.context.sni_callback = self._pick

    @property
    def loaded(self) -> bool:
        return self._current is not None

    def _pick(self, sslobj: ssl.SSLObject | ssl.SSLSocket, _name: str | None, _ctx: ssl.SSLContext) -> None:
        if self._current is not None:
            sslobj.context = self._current
        return None

    def _files_signature(self) -> tuple[tuple[int, int, int], ...] | None:
        try:
            stats = [(self.directory / name).stat() for name in (CERT_FILE, KEY_FILE)]
        except OSError:
            return None
        return tuple((s.st_ino, s.st_size, s.st_mtime_ns) for s in stats)

    def check(self) -> bool:
        """Reload if the files changed and load cleanly; True when a new certificate is served."""
        signature = self._files_signature()
        if signature is None or signature == self._signature:
            return False
        cert_file, key_file = self.directory / CERT_FILE, self.directory / KEY_FILE
        try:
            ctx = _server_context(cert_file, key_file)
            cert = x509.load_pem_x509_certificates(cert_file.read_bytes())[0]
        except (OSError, ssl.SSLError, ValueError) as exc:
            log.warning("certificate in %s not loaded (will retry): %s", self.directory, exc)
            return False
        if self._files_signature() != signature:
            return False  # changed while we read it: take it on the next check
        # Also loaded into the listening context: clients that send no SNI get it from there.
        self.context.load_cert_chain(cert_file, key_file)
        self._current, self._signature = ctx, signature
        self.not_after, self.serial = cert.not_valid_after_utc, cert.serial_number
        log.info(
            "serving certificate %x, valid until %s", cert.serial_number, cert.not_valid_after_utc.isoformat()
        )
        return True


class SelfSignedIssuer:
    """Keeps DIR/ca.crt, DIR/tls.crt and DIR/tls.key current from CAs held in memory."""

    def __init__(
        self,
        directory: Path,
        names: list[str],
        validity: dt.timedelta,
        on_ca_change: Callable[[bytes], None] | None = None,
    ) -> None:
        self.directory = directory
        self.names = names
        self.validity = validity
        self.ca_validity = validity * CA_LIFETIMES
        self.on_ca_change = on_ca_change
        self.cas: list[certs.Issued] = []  # oldest first
        self.serving: certs.Issued | None = None
        self.foreign = self._earlier_cas()

    def _earlier_cas(self) -> list[x509.Certificate]:
        try:
            return certs.load_bundle((self.directory / CA_FILE).read_bytes())[:MAX_FOREIGN_CAS]
        except (OSError, ValueError):
            return []

    def bundle(self, now: dt.datetime) -> list[x509.Certificate]:
        """The CAs to trust: ours, newest first, then valid ones from before."""
        ours = [ca.cert for ca in reversed(self.cas)]
        serials = {c.serial_number for c in ours}
        return ours + [
            c for c in self.foreign if c.not_valid_after_utc > now and c.serial_number not in serials
        ]

    def _due(self, issued: certs.Issued, now: dt.datetime, lifetime: dt.timedelta) -> bool:
        start = issued.not_before + certs.BACKDATE
        return now >= start + min(lifetime, issued.not_after - start) * ROTATE_AT

    def _signer(self, now: dt.datetime) -> certs.Issued:
        """The oldest CA that outlives a new serving certificate; the newest otherwise."""
        for ca in self.cas:
            if ca.not_after - now >= self.validity:
                return ca
        return self.cas[-1]

    def step(self, now: dt.datetime) -> bool:
        """Rotate what is due at `now` and write the files; True when anything changed."""
        ca_changed = False
        self.cas = [ca for ca in self.cas if ca.not_after > now]
        if not self.cas or self._due(self.cas[-1], now, self.ca_validity):
            self.cas.append(certs.new_ca("kfpolicy-webhook", now, self.ca_validity))
            ca_changed = True
        serving = self.serving
        signer_gone = serving is not None and serving.cert.issuer not in [ca.cert.subject for ca in self.cas]
        if not (serving is None or signer_gone or self._due(serving, now, self.validity) or ca_changed):
            return False
        if ca_changed:
            self._write(now, ca_only=True)
        if serving is None or signer_gone or self._due(serving, now, self.validity):
            self.serving = certs.new_serving(self._signer(now), self.names, now, self.validity)
            self._write(now, ca_only=False)
        if ca_changed and self.on_ca_change is not None:
            self.on_ca_change(certs.bundle_pem(self.bundle(now)))
        return True

    def _write(self, now: dt.datetime, *, ca_only: bool) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        certs.write_atomic(self.directory / CA_FILE, certs.bundle_pem(self.bundle(now)), 0o644)
        if ca_only or self.serving is None:
            return
        # Key first: until tls.crt follows, the pair does not match and readers keep the old one.
        certs.write_atomic(self.directory / KEY_FILE, self.serving.key_pem(), 0o600)
        certs.write_atomic(self.directory / CERT_FILE, self.serving.cert_pem(), 0o644)

    def check_interval(self) -> float:
        return min(60.0, max(0.2, self.validity.total_seconds() / 30))
