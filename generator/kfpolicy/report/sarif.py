"""SARIF 2.1.0 for code-scanning UIs: one reportingDescriptor per catalogue rule, one result per
violation with its file and line, input errors as tool execution notifications.

Built as plain JSON data: sarif-om (the object model) has no serialiser and has not been released
since 2019; the test suite validates this output against the OASIS SARIF 2.1.0 JSON schema instead.
"""

from __future__ import annotations

from typing import Any

from kfpolicy import __version__
from kfpolicy.catalogue.model import Catalogue, Rule
from kfpolicy.inputs import DocumentError
from kfpolicy.report.common import Report, object_name, split_source, violation_line
from kfpolicy.report.jsonout import indented_json
from kfpolicy.runner import Result, Violation

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"deny": "error", "warn": "warning"}


def _descriptor(rule: Rule) -> dict[str, Any]:
    docs = f"docs/rules/{rule.id}.md"
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": " ".join(rule.description.split()) or rule.title},
        "help": {"text": f"{rule.title}. See {docs}.", "markdown": f"{rule.title}. See [{docs}]({docs})."},
        "defaultConfiguration": {"level": LEVELS.get(rule.enforcement, "error")},
        "properties": {"docs": docs, "stage": rule.stage, "tags": ["kubeflow", rule.stage]},
    }


def _location(source: str, line: int | None) -> dict[str, Any]:
    file, fragment = split_source(source)
    if file is None:
        return {"logicalLocations": [{"fullyQualifiedName": source, "kind": "object"}]}
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": file.replace("\\", "/"), "uriBaseId": "%SRCROOT%"}
    }
    if line:
        physical["region"] = {"startLine": line}
    location: dict[str, Any] = {"physicalLocation": physical}
    if fragment:
        location["logicalLocations"] = [{"fullyQualifiedName": source, "kind": "object"}]
    return location


def _result(r: Result, v: Violation, index: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": v.rule,
        "level": LEVELS.get(v.enforcement, "error"),
        "message": {"text": f"{object_name(r)}: {v.msg}"},
        "locations": [_location(r.source, violation_line(r, v))],
        "properties": {"field": v.field, "type": v.type, "decision": r.decision},
    }
    if v.rule in index:
        out["ruleIndex"] = index[v.rule]
    return out


def _notification(e: DocumentError) -> dict[str, Any]:
    return {"level": "error", "message": {"text": str(e)}, "locations": [_location(e.source, e.line)]}


def eval_sarif(report: Report, cat: Catalogue) -> str:
    rules = cat.rules_sorted()
    index = {rule.id: i for i, rule in enumerate(rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "kfpolicy",
                "version": __version__,
                "rules": [_descriptor(rule) for rule in rules],
            }
        },
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "The folder kfpolicy ran in."}}},
        "results": [_result(r, v, index) for r in report.results for v in r.violations],
        "invocations": [
            {
                "executionSuccessful": not report.errors,
                "toolExecutionNotifications": [_notification(e) for e in report.errors],
            }
        ],
    }
    return indented_json({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]})
