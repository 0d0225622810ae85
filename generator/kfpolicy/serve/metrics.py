"""Prometheus metrics of one server process, in a registry of its own (tests start several servers)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from kfpolicy.runner import Result

# Admission latency buckets, in seconds: most answers take well under a millisecond.
LATENCY_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0)


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "kfpolicy_admission_requests",
            "AdmissionReviews answered, by kind, operation and decision",
            ["kind", "operation", "decision"],
            registry=self.registry,
        )
        self.violations = Counter(
            "kfpolicy_violations",
            "Violations reported, by rule and enforcement",
            ["rule", "enforcement"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "kfpolicy_admission_duration_seconds",
            "Time to answer an AdmissionReview, body read to response",
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.evaluation_errors = Counter(
            "kfpolicy_evaluation_errors",
            "AdmissionReviews the policies could not evaluate",
            registry=self.registry,
        )
        self.bad_requests = Counter(
            "kfpolicy_bad_requests",
            "Requests answered with HTTP 400",
            registry=self.registry,
        )
        self.certificate_expiry = Gauge(
            "kfpolicy_certificate_expiry_timestamp_seconds",
            "notAfter of the served certificate (Unix time)",
            registry=self.registry,
        )
        self.policy_reloads = Counter(
            "kfpolicy_policy_reloads",
            "Policy reloads, by outcome",
            ["outcome"],
            registry=self.registry,
        )

    def record(self, kind: str, operation: str, result: Result) -> None:
        self.requests.labels(kind or "unknown", operation, result.decision).inc()
        for v in result.violations:
            self.violations.labels(v.rule, v.enforcement).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
