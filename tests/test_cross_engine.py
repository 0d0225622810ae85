"""One truth across engines: for every input we have, the embedded engine (regorus) and real OPA
(its Go engine, opa-golib-python-bindings) give identical data.kubeflow.violation, deny, warn and
admission.response under every profile. Any engine error is a failure.

Inputs: every rule's catalogue examples, every file under tests/jobs/, every transcribed upstream
case (tests/upstream/cases/) and, when given (--examples / KFPOLICY_EXAMPLES), every upstream example
manifest (documents that do not parse are passed over). Each engine is loaded once per profile;
referential data (runtimes, namespaces, priority classes) is the union of every input's, so TrainJob
inputs find their runtimes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import fuzzgen
from conftest import ROOT, examples_dir
from kfpolicy.catalogue import Catalogue
from kfpolicy.engines.opa_golib import available as opa_available
from kfpolicy.inputs import Document, read_paths
from kfpolicy.render.rego import render_rego
from kfpolicy.testing import example_input
from kfpolicy.yamlio import load_one
from upstream.cases import CASES_DIR

pytestmark = pytest.mark.skipif(
    not opa_available(), reason="real OPA not installed (scripts/setup.sh --test)"
)

PROFILES = ("upstream", "baseline", "restricted", "all")
GROUPS = ("rule-examples", "tests-jobs", "upstream-cases", "upstream-examples")


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file())


def _documents(path: Path) -> Iterator[Document]:
    for item in read_paths([str(path)]):
        if isinstance(item, Document):
            yield item


ROLE = re.compile(r"^---.*#\s*role:\s*(\w+)", re.M)


def _case_roles(path: Path) -> dict[str, Any]:
    """A case file's documents by role (`--- # role: object|oldObject|runtime`); unparseable ones left out."""
    text = path.read_text(encoding="utf-8")
    marks = list(ROLE.finditer(text))
    out: dict[str, Any] = {}
    for i, m in enumerate(marks):
        chunk = text[m.end() : marks[i + 1].start() if i + 1 < len(marks) else len(text)]
        try:
            doc = load_one(chunk)
        except Exception:
            continue
        if isinstance(doc, dict):
            out.setdefault(m.group(1), []).append(doc)
    return out


def collect(
    cat: Catalogue, examples: Path | None
) -> tuple[dict[str, list[tuple[str, Any]]], list[dict[str, Any]]]:
    """Every input as (name, rego input) per group, and the union of their referential objects."""
    groups: dict[str, list[tuple[str, Any]]] = {g: [] for g in GROUPS}
    inventory: list[dict[str, Any]] = []
    for rule in cat.rules_sorted():
        for ex in rule.examples:
            if isinstance(ex.object, dict):
                groups["rule-examples"].append((f"{rule.id}/{ex.name}", example_input(ex).input))
            inventory.extend(o for o in ex.inventory if isinstance(o, dict))
    for path in _files(ROOT / "tests" / "jobs"):
        groups["tests-jobs"].extend((d.source, d.input) for d in _documents(path))
    for path in _files(CASES_DIR):
        groups["upstream-cases"].extend((d.source, d.input) for d in _documents(path))
        roles = _case_roles(path) if path.suffix == ".yaml" else {}
        inventory.extend(roles.get("runtime", []))
        for obj in roles.get("object", [])[:1]:
            old = roles.get("oldObject", [None])[0]
            operation = "UPDATE" if old is not None else "CREATE"
            review = {
                "apiVersion": "admission.k8s.io/v1",
                "kind": "AdmissionReview",
                "request": {"uid": path.stem, "operation": operation, "object": obj, "oldObject": old},
            }
            groups["upstream-cases"].append((f"{path}(review)", review))
    for path in _files(examples) if examples is not None else []:
        groups["upstream-examples"].extend((d.source, d.input) for d in _documents(path))
    for g in GROUPS:
        for _, rego_input in groups[g]:
            obj = fuzzgen.object_of(rego_input)
            if isinstance(obj.get("kind"), str) and obj["kind"] in cat.inventory:
                inventory.append(obj)
    return groups, inventory


@pytest.fixture(scope="module")
def inputs(
    catalogue: Catalogue, request: pytest.FixtureRequest
) -> tuple[dict[str, list[tuple[str, Any]]], list[dict[str, Any]]]:
    return collect(catalogue, examples_dir(request.config))


@pytest.fixture(scope="module")
def pairs(catalogue: Catalogue, inputs: Any) -> dict[str, fuzzgen.EnginePair]:
    modules = render_rego(catalogue)
    return {p: fuzzgen.EnginePair(catalogue, p, inputs[1], modules=modules) for p in PROFILES}


def test_every_input_source_is_present(inputs: Any, catalogue: Catalogue) -> None:
    groups, inventory = inputs
    assert len(groups["rule-examples"]) >= 2 * len(catalogue.rules)
    assert len(groups["upstream-cases"]) >= 100, "the upstream case files should give well over 100 inputs"
    assert any(o.get("kind") == "ClusterTrainingRuntime" for o in inventory)


@pytest.mark.upstream_examples
def test_the_upstream_examples_are_inputs(inputs: Any, upstream_examples: Path) -> None:
    assert len(inputs[0]["upstream-examples"]) >= 100, (
        "the upstream examples should give well over 100 inputs"
    )


def _disagreements(pair: fuzzgen.EnginePair, items: list[tuple[str, Any]]) -> list[str]:
    problems = []
    for name, rego_input in items:
        for outcome in pair.check(rego_input):
            if outcome.error:
                problems.append(f"{name} {outcome.query}: ERROR {outcome.error}")
            elif not outcome.agree:
                problems.append(
                    f"{name} {outcome.query}:\n  embedded: {outcome.embedded}\n"
                    f"  interpreter: {outcome.interpreter}\n  opa:      {outcome.opa}"
                )
    return problems


@pytest.mark.parametrize(
    "group",
    [pytest.param(g, marks=pytest.mark.upstream_examples) if g == "upstream-examples" else g for g in GROUPS],
)
@pytest.mark.parametrize("profile", PROFILES)
def test_engines_agree(profile: str, group: str, inputs: Any, pairs: dict[str, fuzzgen.EnginePair]) -> None:
    items = inputs[0][group]
    problems = _disagreements(pairs[profile], items)
    assert not problems, f"{len(problems)} disagreements or errors under {profile}:\n" + "\n".join(
        problems[:20]
    )
    assert not pairs[profile].compiled_fallbacks(), "the compiled mode handed inputs to the interpreter"


def test_examples_with_their_own_parameters_agree(catalogue: Catalogue) -> None:
    """Examples that set parameters or inventory, each on an engine pair loaded with exactly those."""
    everything = render_rego(catalogue)
    problems, ran = [], 0
    for rule in catalogue.rules_sorted():
        # The library, the entry points and this rule only: other rules' packages are then simply
        # undefined, and each pair compiles in a fraction of the time.
        modules = {
            p: t
            for p, t in everything.items()
            if not p.startswith("rego/rules/") or p == f"rego/rules/{rule.snake_id}.rego"
        }
        pairs: dict[str, fuzzgen.EnginePair] = {}  # examples with the same parameters and inventory share one
        for ex in rule.examples:
            if (ex.parameters is None and not ex.inventory) or not isinstance(ex.object, dict):
                continue
            key = json.dumps([ex.parameters, ex.inventory], sort_keys=True)
            if key not in pairs:
                pairs[key] = fuzzgen.EnginePair(
                    catalogue,
                    "all",
                    list(ex.inventory),
                    modules=modules,
                    parameters={rule.id: ex.parameters} if ex.parameters is not None else None,
                )
            pair = pairs[key]
            ran += 1
            problems += _disagreements(pair, [(f"{rule.id}/{ex.name}", example_input(ex).input)])
    assert not problems, "\n".join(problems[:20])


def test_a_disagreement_would_be_seen(catalogue: Catalogue) -> None:
    """The comparison is not vacuous: engines loaded with different policies are told apart."""
    job = {
        "apiVersion": "kubeflow.org/v1",
        "kind": "PyTorchJob",
        "metadata": {"name": "a"},
        "spec": {"pytorchReplicaSpecs": {"Worker": {"replicas": -1}}},
    }
    pair = fuzzgen.EnginePair(catalogue, "all")
    pair.opa.engine.load(
        {"zz_extra.rego": (Path(__file__).parent / "rego" / "snippets" / "extra_deny.rego").read_text()},
        {},
    )
    outcome = pair.run("data.kubeflow.deny", job)
    assert not outcome.error
    assert not outcome.agree
    assert '"extra"' in outcome.opa and '"extra"' not in outcome.embedded


# --- Gatekeeper templates, in their Rego v1 form, on both engines ---------------------------------


def test_gatekeeper_templates_agree(catalogue: Catalogue, inputs: Any) -> None:
    """Each rule's ConstraintTemplate (the `code: [{engine: Rego, source: {version: v1}}]` form),
    compiled alone as Gatekeeper compiles it, returns the same `violation` on the embedded engine
    and real OPA for every input of a kind the rule applies to, with its constraint's parameters
    as input.parameters and the inputs' referential objects as data.inventory."""
    from kfpolicy.admission import admission_request
    from kfpolicy.engine_input import input_json
    from kfpolicy.gatekeeper.evaluate import CompiledTemplate, parse_docs
    from kfpolicy.gatekeeper.names import SUITES, GatekeeperOptions, template_path
    from kfpolicy.gatekeeper.render import render_gatekeeper
    from kfpolicy.runner import inventory_tree

    files = render_gatekeeper(catalogue, GatekeeperOptions(code_field=True))
    groups, inventory_objects = inputs
    inventory = inventory_tree(inventory_objects)
    key = "all-inputs"
    reviews = []
    for items in groups.values():
        for name, rego_input in items:
            obj = fuzzgen.object_of(rego_input)
            request = rego_input.get("request") if isinstance(rego_input, dict) else None
            operation, old = "CREATE", None
            if isinstance(request, dict) and request.get("object") is obj:
                operation, old = str(request.get("operation", "CREATE")), request.get("oldObject")
            kind = catalogue.kind_for(obj.get("apiVersion"), obj.get("kind"))
            reviews.append(
                (name, kind.id if kind else None, admission_request(obj, operation=operation, old_object=old))
            )
    problems, compared = [], 0
    for rule in catalogue.rules_sorted():
        [template] = parse_docs(files[template_path(rule.id)])
        engines = {e: CompiledTemplate(template, engine=e) for e in ("embedded", "opa")}
        assert engines["embedded"].rego_version == "v1"
        cpath = f"{SUITES}/{rule.id}/constraint.yaml"
        params = (parse_docs(files[cpath])[0]["spec"].get("parameters") or {}) if cpath in files else {}
        for name, kind_id, review in reviews:
            if kind_id not in rule.kinds:
                continue
            text = input_json({"review": review, "parameters": params})
            got = {}
            for e, t in engines.items():
                try:
                    got[e] = fuzzgen.canonical(t.violations(text, inventory, key))
                except Exception as exc:
                    got[e] = f"<error: {exc}>"
            compared += 1
            if got["embedded"] != got["opa"] or "<error" in got["embedded"]:
                problems.append(
                    f"{rule.id} on {name}:\n  embedded: {got['embedded'][:600]}\n"
                    f"  opa:      {got['opa'][:600]}"
                )
    assert compared > 500
    assert not problems, f"{len(problems)} template disagreements or errors:\n" + "\n".join(problems[:10])
