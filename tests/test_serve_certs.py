"""The certificate manager: rotation under load with no failed request, CA overlap, and reload of
tls.crt/tls.key written by someone else (cert-manager) without dropping a connection."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from pathlib import Path

from cryptography import x509

from kfpolicy.serve import certs
from kfpolicy.serve.certmanager import ROTATE_AT, SelfSignedIssuer
from serve_client import HOSTNAME, TLSConnection, review, running

JOB = {
    "apiVersion": "kubeflow.org/v1",
    "kind": "PyTorchJob",
    "metadata": {"name": "j", "namespace": "ns"},
    "spec": {
        "pytorchReplicaSpecs": {
            "Master": {
                "replicas": 1,
                "template": {"spec": {"containers": [{"name": "pytorch", "image": "x"}]}},
            }
        }
    },
}

BODY = json.dumps(review(JOB)).encode()


def test_serving_certificate_and_ca_rotate_under_load_with_no_failed_request(tmp_path):
    served: set[int] = set()
    failures: list[str] = []
    answered = [0]
    stop = threading.Event()

    def client() -> None:
        while not stop.is_set():
            # Like the API server: trust what ca.crt (the caBundle) holds now, open a connection,
            # send a few AdmissionReviews on it.
            conn = TLSConnection(server.port, tmp_path / "ca.crt")
            try:
                for _ in range(5):
                    status, _body = conn.call("POST", "/validate", BODY)
                    if status != 200:
                        failures.append(f"HTTP {status}")
                    answered[0] += 1
                served.add(conn.peer_serial())
            except Exception as exc:
                failures.append(repr(exc))
            finally:
                conn.close()

    with running(["--self-signed", "--cert-validity", "3s"], tmp_path) as server:
        cas_seen = {c.subject for c in certs.load_bundle((tmp_path / "ca.crt").read_bytes())}
        threads = [threading.Thread(target=client) for _ in range(4)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 11
        while time.monotonic() < deadline:
            cas_seen |= {c.subject for c in certs.load_bundle((tmp_path / "ca.crt").read_bytes())}
            time.sleep(0.2)
        stop.set()
        for t in threads:
            t.join(30)
    assert failures == []
    assert answered[0] > 50
    assert len(served) >= 3, served  # a new serving certificate every 2 s
    assert len(cas_seen) >= 2  # the CA rotated too (at 2/3 of 4 x 3 s)


def test_ca_rotation_overlaps_and_serving_certificates_never_outlive_their_ca(tmp_path):
    validity = dt.timedelta(hours=3)
    issuer = SelfSignedIssuer(tmp_path, certs_names := ["svc", "svc.ns", "svc.ns.svc"], validity)
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    first_in_bundle: dict[x509.Name, dt.datetime] = {}
    signers = []
    for minute in range(0, 60 * 40, 7):
        now = start + dt.timedelta(minutes=minute)
        issuer.step(now)
        bundle = certs.load_bundle((tmp_path / "ca.crt").read_bytes())
        for ca in bundle:
            first_in_bundle.setdefault(ca.subject, now)
        serving = x509.load_pem_x509_certificate((tmp_path / "tls.crt").read_bytes())
        signer = serving.issuer
        assert signer in [ca.subject for ca in bundle]
        ca_cert = next(ca for ca in bundle if ca.subject == signer)
        assert serving.not_valid_after_utc <= ca_cert.not_valid_after_utc
        assert serving.not_valid_after_utc > now
        if not signers or signers[-1][0] != signer:
            signers.append((signer, now))
    assert len(signers) >= 3  # the CA was replaced at least twice in 40 hours of 12-hour CAs
    for signer, first_used in signers[1:]:
        # A new CA is in ca.crt for at least a third of a serving lifetime before it signs.
        assert first_used - first_in_bundle[signer] >= validity / 3 * 0.9
    names = serving.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == certs_names
    assert ROTATE_AT == 2 / 3


def _issue(directory: Path, ca: certs.Issued, now: dt.datetime) -> certs.Issued:
    serving = certs.new_serving(ca, ["kfpolicy-webhook.kfpolicy-system.svc"], now, dt.timedelta(hours=1))
    certs.write_atomic(directory / "tls.key", serving.key_pem(), 0o600)
    certs.write_atomic(directory / "tls.crt", serving.cert_pem(), 0o644)
    return serving


def test_certificates_written_by_cert_manager_are_reloaded_without_dropping_connections(tmp_path):
    now = dt.datetime.now(dt.UTC)
    ca = certs.new_ca("test", now, dt.timedelta(days=1))
    certs.write_atomic(tmp_path / "ca.crt", ca.cert_pem(), 0o644)
    first = _issue(tmp_path, ca, now)
    with running([], tmp_path) as server:
        kept = server.connect()
        assert server.validate(kept, review(JOB))["allowed"] is True
        assert kept.peer_serial() == first.cert.serial_number
        sock = kept.sock
        second = _issue(tmp_path, ca, now)
        deadline = time.monotonic() + 15
        seen = first.cert.serial_number
        while seen != second.cert.serial_number and time.monotonic() < deadline:
            time.sleep(0.2)
            fresh = server.connect()
            fresh.call("GET", "/healthz")
            seen = fresh.peer_serial()
            fresh.close()
        assert seen == second.cert.serial_number
        # The connection opened before the reload is still the same one, and still answers.
        assert server.validate(kept, review(JOB))["allowed"] is True
        assert kept.sock is sock
        assert HOSTNAME in second.cert.extensions.get_extension_for_class(
            x509.SubjectAlternativeName
        ).value.get_values_for_type(x509.DNSName)
