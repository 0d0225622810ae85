"""The audit summary, shaped like Gatekeeper's audit results: per rule the total number of
violations and the first N of them, per namespace the counts; and where it can be recorded (a JSON
file, or a ConfigMap a dashboard or a later run reads). The shape is documented in docs/audit.md."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kfpolicy.audit.client import ApiError, KubeClient
from kfpolicy.errors import KfpolicyError
from kfpolicy.report import Report, summary

SUMMARY_KIND = "KfpolicyAuditSummary"
SUMMARY_VERSION = 1
CONFIGMAP_KEY = "audit.json"
MAX_CONFIGMAP_BYTES = 1_000_000  # the API server refuses objects over ~1 MiB


def audit_summary(
    report: Report, *, profile: str, cluster: str, first: int = 20, now: datetime | None = None
) -> dict[str, Any]:
    rules: dict[str, dict[str, Any]] = {}
    namespaces: dict[str, Counter[str]] = {}
    for r in report.results:
        ns = r.namespace if isinstance(r.namespace, str) and r.namespace else ""
        for v in r.violations:
            entry = rules.setdefault(
                v.rule, {"rule": v.rule, "enforcement": v.enforcement, "totalViolations": 0, "violations": []}
            )
            entry["totalViolations"] += 1
            if len(entry["violations"]) < first:
                entry["violations"].append(
                    {
                        "kind": r.kind,
                        "namespace": r.namespace,
                        "name": r.name,
                        "message": v.msg,
                        "source": r.source,
                    }
                )
            namespaces.setdefault(ns, Counter())[v.enforcement] += 1
    totals: dict[str, int] = {
        "objects": len(report.results),
        **summary(report.results),
        "violations": sum(e["totalViolations"] for e in rules.values()),
        "errors": len(report.errors),
    }
    return {
        "kind": SUMMARY_KIND,
        "version": SUMMARY_VERSION,
        "auditTime": (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cluster": cluster,
        "profile": profile,
        "totals": totals,
        "rules": [rules[k] for k in sorted(rules, key=lambda k: (-rules[k]["totalViolations"], k))],
        "namespaces": [
            {"namespace": ns or None, "deny": c["deny"], "warn": c["warn"]}
            for ns, c in sorted(namespaces.items())
        ],
        "errors": [{"source": e.source, "message": e.message} for e in report.errors],
    }


def summary_text(doc: Mapping[str, Any]) -> str:
    lines = ["", f"Audit of {doc['cluster']} with profile {doc['profile']} at {doc['auditTime']}"]
    if doc["rules"]:
        lines.append("Violations by rule (total; the first ones listed):")
        for entry in doc["rules"]:
            lines.append(f"  {entry['rule']}  [{entry['enforcement']}]  {entry['totalViolations']}")
            for v in entry["violations"]:
                where = "/".join(str(p) for p in (v["namespace"], v["kind"], v["name"]) if p)
                lines.append(f"    {where}: {v['message']}")
        lines.append("Violations by namespace:")
        for ns in doc["namespaces"]:
            lines.append(f"  {ns['namespace'] or '(cluster-scoped)'}  {ns['deny']} deny, {ns['warn']} warn")
    else:
        lines.append("No violations.")
    return "\n".join(lines)


def record_file(doc: Mapping[str, Any], path: Path) -> None:
    try:
        path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise KfpolicyError(f"{path}: cannot write the audit record: {exc.strerror or exc}") from None


def record_configmap(doc: Mapping[str, Any], client: KubeClient, target: str) -> str:
    """Create or replace ConfigMap NAMESPACE/NAME holding the summary under data["audit.json"]."""
    namespace, _, name = target.partition("/")
    if not namespace or not name or "/" in name:
        raise KfpolicyError(f"--record-configmap {target!r}: expected NAMESPACE/NAME")
    text = json.dumps(doc, indent=2)
    if len(text.encode()) > MAX_CONFIGMAP_BYTES:
        raise KfpolicyError(
            f"the audit record is {len(text.encode()):,} bytes, over a ConfigMap's "
            f"{MAX_CONFIGMAP_BYTES:,}; lower --summary-limit or use --record"
        )
    body = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {"app.kubernetes.io/managed-by": "kfpolicy"},
        },
        "data": {CONFIGMAP_KEY: text},
    }
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    try:
        client.request("PUT", f"{base}/{name}", payload=body)
        return "replaced"
    except ApiError as exc:
        if exc.status != 404:
            raise KfpolicyError(f"cannot write ConfigMap {target}: {exc}") from None
    try:
        client.request("POST", base, payload=body)
    except ApiError as exc:
        raise KfpolicyError(f"cannot create ConfigMap {target}: {exc}") from None
    return "created"
