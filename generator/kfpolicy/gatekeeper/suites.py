"""gator suites from the catalogue examples: one Suite per rule, constraints, objects and assertions."""

from __future__ import annotations

import json
from typing import Any

from kfpolicy.admission import example_review
from kfpolicy.catalogue.model import ERROR_TEXT, Catalogue, Example, Rule
from kfpolicy.gatekeeper.constraints import constraint_object
from kfpolicy.gatekeeper.names import SUITE_API, SUITES
from kfpolicy.gatekeeper.yaml_text import yaml_file
from kfpolicy.merge import deep_merge

_RE2_META = frozenset("\\.+*?()|[]{}^$")


def go_regexp_quote(text: str) -> str:
    """Escape RE2 metacharacters (Go's regexp.QuoteMeta)."""
    return "".join("\\" + c if c in _RE2_META else c for c in text)


def case_assertions(ex: Example) -> list[dict[str, Any]]:
    if not ex.violations:
        return [{"violations": "no"}]
    out: list[dict[str, Any]] = [{"violations": len(ex.violations)}]
    patterns: dict[str, int] = {}
    for v in ex.violations:
        if v.msg is not None:
            pattern = "^" + go_regexp_quote(v.msg) + "$"
        elif v.type in ERROR_TEXT and v.field:
            pattern = "^" + go_regexp_quote(f"{v.field}: {ERROR_TEXT[v.type]}")
        else:
            continue
        patterns[pattern] = patterns.get(pattern, 0) + 1
    out.extend({"violations": n, "message": p} for p, n in patterns.items())
    return out


def suite_files(cat: Catalogue, rule: Rule) -> dict[str, str]:
    base = f"{SUITES}/{rule.id}"
    defaults = (
        cat.profiles["all"].rules[rule.id].parameters if "all" in cat.profiles else rule.default_parameters
    )
    files: dict[str, str] = {}
    tests: list[dict[str, Any]] = []
    by_params: dict[str, dict[str, Any]] = {}
    source = f"catalogue/rules/{rule.id}/rule.yaml"
    for ex in rule.examples:
        if not isinstance(ex.object, dict):
            continue
        params = deep_merge(defaults, ex.parameters) if ex.parameters is not None else defaults
        key = json.dumps(params, sort_keys=True)
        if key not in by_params:
            n = len(by_params)
            cname = "constraint.yaml" if n == 0 and ex.parameters is None else f"constraint-{ex.name}.yaml"
            constraint = constraint_object(
                cat,
                rule,
                name=f"{rule.id}-suite",
                enforcement=rule.enforcement,
                parameters=params,
                yields={},
                labels={},
                excluded=False,
            )
            files[f"{base}/{cname}"] = yaml_file(source, constraint)
            test = {
                "name": rule.id if cname == "constraint.yaml" else f"{rule.id}-{ex.name}",
                "template": f"../templates/{rule.id}.yaml",
                "constraint": f"{rule.id}/{cname}",
                "cases": [],
            }
            by_params[key] = test
            tests.append(test)
        case: dict[str, Any] = {"name": ex.name}
        if ex.operation == "CREATE" and ex.old_object is None:
            files[f"{base}/{ex.name}.yaml"] = yaml_file(source, ex.object)
        else:
            review = example_review(ex, uid=f"{rule.id}-{ex.name}")
            files[f"{base}/{ex.name}.yaml"] = yaml_file(source, review)
        case["object"] = f"{rule.id}/{ex.name}.yaml"
        if ex.inventory:
            files[f"{base}/{ex.name}-inventory.yaml"] = yaml_file(source, *ex.inventory)
            case["inventory"] = [f"{rule.id}/{ex.name}-inventory.yaml"]
        case["assertions"] = case_assertions(ex)
        by_params[key]["cases"].append(case)
    suite = {"apiVersion": SUITE_API, "kind": "Suite", "metadata": {"name": rule.id}, "tests": tests}
    files[f"{SUITES}/{rule.id}.yaml"] = yaml_file(source, suite)
    return files
