"""Gatekeeper decides like the Rego entry points, on the job corpus (and the upstream examples when
given) and every rule example; both template forms and real OPA return the same violations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import examples_dir
from gatekeeper_files import PROFILES
from gatekeeper_files import load_doc as _load
from kfpolicy.admission import admission_request
from kfpolicy.catalogue.model import Catalogue
from kfpolicy.engines.opa_golib import available as opa_available
from kfpolicy.gatekeeper.constraints import gatekeeper_rules
from kfpolicy.gatekeeper.evaluate import CompiledTemplate, GatekeeperEvaluator
from kfpolicy.gatekeeper.names import SUITES, template_path
from kfpolicy.inputs import Document, read_paths
from kfpolicy.runner import Evaluator, inventory_objects
from kfpolicy.testing import example_input

# --- Gatekeeper decides like the Rego entry points ---------------------------------------------


def _corpus_and_upstream(catalogue: Catalogue, root: Path, examples: Path | None) -> list[Document]:
    """The job corpus, plus the upstream example manifests when they are given (--examples)."""
    docs = [d for d in read_paths([str(root / "tests" / "jobs")]) if isinstance(d, Document)]
    for path in sorted(examples.rglob("*.yaml")) if examples is not None else []:
        items = list(read_paths([str(path)]))
        if all(isinstance(i, Document) for i in items):
            docs.extend(i for i in items if catalogue.kind_for(i.obj.get("apiVersion"), i.obj.get("kind")))
    # Upstream releases repeat many examples byte for byte: decide each distinct input once.
    seen: set[str] = set()
    distinct = []
    for doc in docs:
        key = json.dumps(doc.input, sort_keys=True)
        if key not in seen:
            seen.add(key)
            distinct.append(doc)
    return distinct


def _key(result: Any) -> tuple[str, list[tuple[str, str, str, str, str]]]:
    return result.decision, sorted((v.rule, v.field, v.type, v.msg, v.enforcement) for v in result.violations)


@pytest.mark.parametrize("profile", PROFILES)
def test_gatekeeper_decides_like_the_rego_entry_points(
    catalogue: Catalogue, files: dict[str, str], root: Path, request: pytest.FixtureRequest, profile: str
) -> None:
    examples = examples_dir(request.config)
    docs = _corpus_and_upstream(catalogue, root, examples)
    assert len(docs) > (100 if examples is not None else 30)
    only = [r.id for r in gatekeeper_rules(catalogue, profile)]
    inventory = inventory_objects(catalogue, (d.obj for d in docs))
    rego = Evaluator(catalogue, profile=profile, only=only, inventory=inventory)
    gk = GatekeeperEvaluator(catalogue, profile=profile, inventory=inventory, files=files)
    mismatches = []
    decisions: set[str] = set()
    for doc in docs:
        a, b = _key(rego.evaluate(doc)), _key(gk.evaluate(doc))
        decisions.add(a[0])
        if a != b:
            mismatches.append((doc.source, a, b))
    for rule in catalogue.rules_sorted():
        for ex in rule.examples:
            if not isinstance(ex.object, dict):
                continue
            doc = example_input(ex)
            r = (
                rego
                if not ex.inventory
                else Evaluator(catalogue, profile=profile, only=only, inventory=ex.inventory)
            )
            a = _key(r.evaluate(doc))
            b = _key(gk.evaluate(doc, list(ex.inventory) if ex.inventory else None))
            decisions.add(a[0])
            if a != b:
                mismatches.append((f"{rule.id}/{ex.name}", a, b))
    assert mismatches == []
    assert {"allow", "deny"} <= decisions


def test_code_field_evaluator_uses_rego_v1(catalogue: Catalogue, code_files: dict[str, str]) -> None:
    v1 = GatekeeperEvaluator(catalogue, profile="baseline", files=code_files)
    assert v1.bound and all(b.template.rego_version == "v1" for b in v1.bound)
    bad = catalogue.rules["replicas-non-negative"].examples[1].object
    assert v1.evaluate(Document(source="x", obj=bad)).decision == "deny"


def _per_template_engines(
    rule_id: str, legacy: dict[str, str], code: dict[str, str]
) -> list[CompiledTemplate]:
    engines = [
        CompiledTemplate(_load(legacy, template_path(rule_id))),
        CompiledTemplate(_load(code, template_path(rule_id))),
    ]
    if opa_available():
        engines.append(CompiledTemplate(_load(code, template_path(rule_id)), engine="opa"))
    return engines


def test_both_template_forms_and_real_opa_agree(
    catalogue: Catalogue, files: dict[str, str], code_files: dict[str, str]
) -> None:
    """Every template compiles in both forms (legacy as Rego v0, code as v1) on the embedded engine
    and, in its v1 form, on real OPA; on every example of its rule all of them return the same
    violations."""
    from kfpolicy.runner import inventory_tree

    compared = 0
    for rule in catalogue.rules_sorted():
        engines = _per_template_engines(rule.id, files, code_files)
        cpath = f"{SUITES}/{rule.id}/constraint.yaml"
        params = (_load(files, cpath)["spec"].get("parameters") or {}) if cpath in files else {}
        for ex in rule.examples:
            if not isinstance(ex.object, dict):
                continue
            review = admission_request(ex.object, operation=ex.operation, old_object=ex.old_object)
            rego_input = {"review": review, "parameters": params}
            inv = inventory_tree(ex.inventory)
            got = [
                sorted(json.dumps(v, sort_keys=True) for v in t.violations(rego_input, inv)) for t in engines
            ]
            assert all(g == got[0] for g in got), (rule.id, ex.name)
            compared += 1
    assert compared > len(catalogue.rules)
