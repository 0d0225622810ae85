"""Gatekeeper output: templates, constraints, suites, versions, and Gatekeeper-faithful evaluation.

There is no Gatekeeper, gator or cluster here: kfpolicy.gatekeeper evaluates the generated
templates with Gatekeeper's input shape and match semantics, on the embedded engine (Rego v0 for
the legacy `rego:` field, v1 for `code:`) and on real OPA.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from conftest import examples_dir
from kfpolicy.admission import admission_request
from kfpolicy.catalogue.model import Catalogue
from kfpolicy.cli import cli
from kfpolicy.engines.opa_golib import available as opa_available
from kfpolicy.gatekeeper.constraints import gatekeeper_rules
from kfpolicy.gatekeeper.evaluate import (
    CompiledTemplate,
    GatekeeperEvaluator,
    parse_docs,
    profile_constraints,
    templates_by_kind,
)
from kfpolicy.gatekeeper.lint import template_modules, template_problems
from kfpolicy.gatekeeper.match import matches
from kfpolicy.gatekeeper.names import (
    EXCLUDED_NAMESPACES,
    LOCK_PATH,
    SUITES,
    YIELDS_PARAM,
    GatekeeperOptions,
    constraint_kind,
    template_name,
    template_path,
)
from kfpolicy.gatekeeper.rego import for_yaml
from kfpolicy.gatekeeper.render import render_gatekeeper
from kfpolicy.gatekeeper.schema import openapi_schema
from kfpolicy.gatekeeper.suite_runner import run_suites
from kfpolicy.gatekeeper.suites import go_regexp_quote
from kfpolicy.gatekeeper.templates import sync_kinds
from kfpolicy.generate import generate
from kfpolicy.inputs import Document, read_paths
from kfpolicy.rego_facts import data_roots, module_facts
from kfpolicy.runner import Evaluator, inventory_objects
from kfpolicy.testing import example_input

PROFILES = ("upstream", "baseline", "restricted")
# Rego a template must not carry: it reads the portable config (tests/rego/snippets/).
READS_CONFIG = (Path(__file__).parent / "rego" / "snippets" / "reads_config.rego").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def files(catalogue: Catalogue) -> dict[str, str]:
    return render_gatekeeper(catalogue)


@pytest.fixture(scope="module")
def code_files(catalogue: Catalogue) -> dict[str, str]:
    return render_gatekeeper(catalogue, GatekeeperOptions(code_field=True))


def _load(files: dict[str, str], path: str) -> dict[str, Any]:
    docs = parse_docs(files[path])
    assert len(docs) == 1
    return docs[0]


# --- names, structure, data references ---------------------------------------------------------


def test_names_from_rule_ids() -> None:
    assert constraint_kind("replicas-non-negative") == "KfReplicasNonNegative"
    assert template_name("replicas-non-negative") == "kfreplicasnonnegative"
    assert constraint_kind("pt-12-x") == "KfPt12X"


def test_every_rule_has_a_valid_template_in_both_forms(
    catalogue: Catalogue, files: dict[str, str], code_files: dict[str, str]
) -> None:
    for rule in catalogue.rules_sorted():
        legacy, code = _load(files, template_path(rule.id)), _load(code_files, template_path(rule.id))
        for t in (legacy, code):
            assert template_problems(t) == [], rule.id
            assert t["metadata"]["name"] == template_name(rule.id)
            assert t["spec"]["crd"]["spec"]["names"]["kind"] == constraint_kind(rule.id)
            assert t["metadata"]["annotations"]["metadata.gatekeeper.sh/title"] == rule.title
        target = legacy["spec"]["targets"][0]
        assert target["target"] == "admission.k8s.gatekeeper.sh" and "rego" in target and "code" not in target
        ctarget = code["spec"]["targets"][0]
        assert "rego" not in ctarget
        assert ctarget["code"][0]["engine"] == "Rego" and ctarget["code"][0]["source"]["version"] == "v1"
        assert template_modules(legacy)[0] == template_modules(code)[0]
        assert template_modules(legacy)[2] == "v0" and template_modules(code)[2] == "v1"


def test_rego_references_only_input_lib_and_inventory(catalogue: Catalogue, files: dict[str, str]) -> None:
    for rule in catalogue.rules_sorted():
        main, libs, _ = template_modules(_load(files, template_path(rule.id)))
        for text in (main, *libs):
            facts = module_facts(text, rego_v0=True)
            assert data_roots(facts) <= {"lib", "inventory"}, rule.id
            assert "rego.v1" not in facts.imports
        assert module_facts(main).package == template_name(rule.id)
        assert all(module_facts(lib).package.startswith("lib.") for lib in libs)
        # the rule's own package rides along as a lib, unchanged, under the generated contract
        packages = {module_facts(lib).package: lib for lib in libs}
        assert for_yaml(rule.rego.rstrip("\n")) in packages[rule.package], rule.id
        assert f"some v in data.{rule.package}.violation" in main
        assert f'details := object.union(v.details, {{"rule": "{rule.id}"}})' in main
        # a rule that reads parameters gets Gatekeeper's parameter module, reading input.parameters
        if rule.parameters_schema:
            assert "input.parameters" in packages["lib.kubeflow.parameters"]


def test_template_problems_catch_bad_templates(files: dict[str, str]) -> None:
    path = next(
        p
        for p in sorted(files)
        if p.startswith("gatekeeper/templates/") and p.endswith(".yaml") and "kustomization" not in p
    )
    bad = _load(files, path)
    bad["metadata"]["name"] = "Wrong"
    bad["spec"]["targets"][0]["rego"] = bad["spec"]["targets"][0]["rego"] + "\n" + READS_CONFIG
    bad["spec"]["crd"]["spec"]["validation"] = {"openAPIV3Schema": {"properties": {"a": {"items": {}}}}}
    problems = " | ".join(template_problems(bad))
    assert "metadata.name" in problems
    assert "data.kubeflow" in problems
    assert "openAPIV3Schema: no type" in problems


def test_openapi_schema_is_structural() -> None:
    schema = {
        "type": "object",
        "properties": {
            "cpu": {"type": "string", "format": "quantity", "default": "4", "description": "CPU cap"},
            "caps": {"type": "object", "additionalProperties": {"type": "string", "format": "quantity"}},
            "names": {"type": "array", "uniqueItems": True, "items": {"type": "string", "minLength": 1}},
            "mode": {"enum": ["a", "b"]},
            "maybe": {"type": ["integer", "null"], "exclusiveMinimum": 0},
            "either": {"type": ["integer", "string"]},
            "free": {},
        },
    }
    out = openapi_schema(schema)
    text = json.dumps(out)
    assert "quantity" not in text and "uniqueItems" not in text
    props = out["properties"]
    assert props["cpu"] == {"type": "string", "description": 'CPU cap Default: "4".'}
    assert props["caps"]["additionalProperties"] == {"type": "string"}
    assert props["names"]["items"] == {"type": "string", "minLength": 1}
    assert props["mode"] == {"type": "string", "enum": ["a", "b"]}
    assert props["maybe"] == {"nullable": True, "type": "integer", "minimum": 0, "exclusiveMinimum": True}
    assert props["either"] == {"x-kubernetes-int-or-string": True}
    assert props["free"] == {"x-kubernetes-preserve-unknown-fields": True}
    from kfpolicy.gatekeeper.lint import schema_problems

    assert schema_problems(out, "s") == []


def test_go_regexp_quote() -> None:
    msg = "spec.x[Worker].replicas: Invalid value: -1: must be (0) or more*"
    quoted = go_regexp_quote(msg)
    assert re.fullmatch(quoted, msg)
    assert quoted.startswith(r"spec\.x\[Worker\]\.replicas")


# --- profiles ----------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", PROFILES)
def test_profile_constraints(catalogue: Catalogue, files: dict[str, str], profile: str) -> None:
    settings = catalogue.profiles[profile].rules
    constraints = profile_constraints(files, profile)
    rules = {c["metadata"]["labels"]["kfpolicy/rule"]: c for c in constraints}
    expected = {r.id for r in gatekeeper_rules(catalogue, profile)}
    assert set(rules) == expected
    left_out = set(settings) - expected
    assert all(catalogue.rules[r].stage == "schema" for r in left_out)
    templates = templates_by_kind(files)
    for rid, c in rules.items():
        rule = catalogue.rules[rid]
        assert c["apiVersion"] == "constraints.gatekeeper.sh/v1beta1"
        assert c["kind"] in templates
        spec = c["spec"]
        assert spec["enforcementAction"] == settings[rid].enforcement
        assert spec["match"]["excludedNamespaces"] == EXCLUDED_NAMESPACES
        kinds = {(g, k) for m in spec["match"]["kinds"] for g in m["apiGroups"] for k in m["kinds"]}
        assert kinds == {(catalogue.kinds[k].group, catalogue.kinds[k].kind) for k in rule.kinds}
        params = dict(spec.get("parameters") or {})
        yields = params.pop(YIELDS_PARAM, None)
        assert params == settings[rid].parameters
        if rule.yields_to:
            assert yields == {y: settings[y].parameters for y in rule.yields_to if y in expected}
        else:
            assert yields is None
    kust = _load(files, f"gatekeeper/profiles/{profile}/kustomization.yaml")
    resources = kust["resources"]
    assert resources[0] == "../../templates"
    for res in resources[1:]:
        assert f"gatekeeper/profiles/{profile}/{res}" in files
    tkust = _load(files, "gatekeeper/templates/kustomization.yaml")
    assert sorted(tkust["resources"]) == sorted(f"{r}.yaml" for r in catalogue.rules)
    sync_path = f"gatekeeper/profiles/{profile}/sync-config.yaml"
    wanted = {k for rid in rules for k in sync_kinds(catalogue, catalogue.rules[rid])}
    if wanted:
        config = _load(files, sync_path)
        assert config["kind"] == "Config" and config["metadata"] == {
            "name": "config",
            "namespace": "gatekeeper-system",
            "labels": {"app.kubernetes.io/part-of": "kfpolicy"},
        }
        got = {(s["group"], s["version"], s["kind"]) for s in config["spec"]["sync"]["syncOnly"]}
        assert got == wanted
        assert "sync-config.yaml" in resources
    else:
        assert sync_path not in files


def test_trainjob_rules_are_referential(catalogue: Catalogue, files: dict[str, str]) -> None:
    trainjob_rules = [r for r in catalogue.rules_sorted() if "trainjob" in r.kinds]
    assert trainjob_rules
    for rule in trainjob_rules:
        kinds = {k for _, _, k in sync_kinds(catalogue, rule)}
        assert {"TrainingRuntime", "ClusterTrainingRuntime"} <= kinds
        ann = _load(files, template_path(rule.id))["metadata"]["annotations"]
        assert "ClusterTrainingRuntime" in ann["metadata.gatekeeper.sh/requires-sync-data"]


# --- suites ------------------------------------------------------------------------------------


def test_every_suite_runs_and_passes(catalogue: Catalogue, files: dict[str, str]) -> None:
    result = run_suites(files)
    failed = [(o.name, o.message) for o in result.outcomes if not o.passed]
    assert failed == []
    assert result.suites_run == result.suite_files == len(catalogue.rules)
    cases = [o for o in result.outcomes if o.name != "suite count"]
    assert len(cases) == sum(
        len([e for e in r.examples if isinstance(e.object, dict)]) for r in catalogue.rules_sorted()
    )
    for rule in catalogue.rules_sorted():
        suite = _load(files, f"{SUITES}/{rule.id}.yaml")
        assert suite["apiVersion"] == "test.gatekeeper.sh/v1alpha1" and suite["kind"] == "Suite"


def test_suite_runner_counts_skipped_suites_and_catches_wrong_expectations(files: dict[str, str]) -> None:
    suites = sorted(p for p in files if p.startswith(SUITES + "/") and p.count("/") == 2)[:2]
    keep = tuple(p.removesuffix(".yaml") for p in suites)
    files = {p: t for p, t in files.items() if not p.startswith(SUITES) or p.startswith(keep)}
    broken = dict(files)
    first = suites[0]
    broken[first] = files[first].replace("test.gatekeeper.sh/v1alpha1", "test.gatekeeper.sh/v1beta1")
    result = run_suites(broken)
    count = next(o for o in result.outcomes if o.name == "suite count")
    assert not count.passed and result.suites_run == result.suite_files - 1
    # flip an expectation: an allowed case now claims one violation
    second = suites[1]
    flipped = dict(files)
    flipped[second] = files[second].replace("violations: 'no'", "violations: 1", 1)
    assert flipped[second] != files[second]
    assert any(not o.passed for o in run_suites(flipped).outcomes)


def test_suite_objects_round_trip(catalogue: Catalogue, files: dict[str, str]) -> None:
    for rule in catalogue.rules_sorted():
        for ex in rule.examples:
            if not isinstance(ex.object, dict):
                continue
            doc = _load(files, f"{SUITES}/{rule.id}/{ex.name}.yaml")
            if ex.operation == "CREATE" and ex.old_object is None:
                assert doc == ex.object
            else:
                assert doc["kind"] == "AdmissionReview"
                assert doc["request"]["operation"] == ex.operation
                assert doc["request"]["object"] == ex.object
                assert doc["request"].get("oldObject") == ex.old_object
            if ex.inventory:
                assert parse_docs(files[f"{SUITES}/{rule.id}/{ex.name}-inventory.yaml"]) == list(ex.inventory)


# --- versions and determinism ------------------------------------------------------------------


def _retitle(cat: Catalogue, rule_id: str, title: str) -> Catalogue:
    rules = dict(cat.rules)
    rules[rule_id] = dataclasses.replace(rules[rule_id], title=title)
    return dataclasses.replace(cat, rules=rules)


def test_render_is_deterministic_and_idempotent(catalogue: Catalogue) -> None:
    first = render_gatekeeper(catalogue)
    assert render_gatekeeper(catalogue) == first
    assert render_gatekeeper(catalogue, lock_text=first[LOCK_PATH]) == first
    lock = json.loads(first[LOCK_PATH])
    assert set(lock) == set(catalogue.rules)
    assert all(v["version"] == "1.0.0" and re.fullmatch(r"[0-9a-f]{64}", v["sha256"]) for v in lock.values())


def test_content_change_bumps_the_patch_version(catalogue: Catalogue) -> None:
    first = render_gatekeeper(catalogue)
    rid = "replicas-non-negative"
    changed_cat = _retitle(catalogue, rid, "Replica counts are never negative")
    second = render_gatekeeper(changed_cat, lock_text=first[LOCK_PATH])
    assert (
        _load(second, template_path(rid))["metadata"]["annotations"]["metadata.gatekeeper.sh/version"]
        == "1.0.1"
    )
    changed = {p for p in second if second[p] != first.get(p)}
    assert changed == {template_path(rid), LOCK_PATH}
    # idempotent: generating again from the new lock changes nothing
    assert render_gatekeeper(changed_cat, lock_text=second[LOCK_PATH]) == second
    # a hand-edited lock version (minor bump) is kept while the content stays the same
    lock = json.loads(second[LOCK_PATH])
    lock[rid]["version"] = "1.1.0"
    third = render_gatekeeper(changed_cat, lock_text=json.dumps(lock))
    assert (
        _load(third, template_path(rid))["metadata"]["annotations"]["metadata.gatekeeper.sh/version"]
        == "1.1.0"
    )


def test_generate_check_names_the_version_bump(catalogue: Catalogue, tmp_path: Path) -> None:
    generate(catalogue, tmp_path)
    assert generate(catalogue, tmp_path, check=True).drifted == []
    rid = "replicas-non-negative"
    result = generate(_retitle(catalogue, rid, "Changed title"), tmp_path, check=True)
    assert template_path(rid) in result.drifted and LOCK_PATH in result.drifted
    assert result.notes[template_path(rid)] == "content changed: version 1.0.0 must become 1.0.1"
    # content edited by hand while the version stays: still drift, and said so
    path = tmp_path / template_path(rid)
    path.write_text(path.read_text().replace("Replica counts are not negative", "edited"))
    result = generate(catalogue, tmp_path, check=True)
    assert result.drifted == [template_path(rid)]
    assert result.notes[template_path(rid)] == "content differs from the catalogue at version 1.0.0"
    # regenerating twice writes the same bytes
    generate(catalogue, tmp_path)
    before = {p: p.read_bytes() for p in (tmp_path / "gatekeeper").rglob("*") if p.is_file()}
    assert generate(catalogue, tmp_path).written == []
    assert before == {p: p.read_bytes() for p in (tmp_path / "gatekeeper").rglob("*") if p.is_file()}


# --- match -------------------------------------------------------------------------------------


def _job(ns: str | None = "team-a", labels: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "j"}
    if ns:
        meta["namespace"] = ns
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "kubeflow.org/v1", "kind": "TFJob", "metadata": meta, "spec": {}}


def test_match_semantics() -> None:
    kinds = {"kinds": [{"apiGroups": ["kubeflow.org"], "kinds": ["TFJob"]}]}
    r = admission_request(_job(), operation="CREATE")
    assert matches(kinds, r, {})
    assert not matches({"kinds": [{"apiGroups": ["kubeflow.org"], "kinds": ["PyTorchJob"]}]}, r, {})
    assert matches({"kinds": [{"apiGroups": ["*"], "kinds": ["*"]}]}, r, {})
    assert not matches({**kinds, "excludedNamespaces": ["team-*"]}, r, {})
    assert matches({**kinds, "excludedNamespaces": ["kube-system"]}, r, {})
    assert not matches({**kinds, "namespaces": ["other"]}, r, {})
    assert matches(
        {"labelSelector": {"matchLabels": {"a": "b"}}},
        admission_request(_job(labels={"a": "b"}), operation="CREATE"),
        {},
    )
    assert not matches({"labelSelector": {"matchExpressions": [{"key": "a", "operator": "Exists"}]}}, r, {})
    ns = {
        "team-a": {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "team-a", "labels": {"t": "x"}},
        }
    }
    sel = {"namespaceSelector": {"matchLabels": {"t": "x"}}}
    assert matches(sel, r, ns)
    assert not matches(sel, r, {})  # the Namespace must be synced / in the case's inventory
    assert not matches({"scope": "Cluster"}, r, {})
    # UPDATE: the old object may match the label selector
    upd = admission_request(_job(), operation="UPDATE", old_object=_job(labels={"a": "b"}))
    assert matches({"labelSelector": {"matchLabels": {"a": "b"}}}, upd, {})


def test_excluded_namespaces_are_not_reviewed(catalogue: Catalogue) -> None:
    bad = catalogue.rules["replicas-non-negative"].examples[1].object
    gk = GatekeeperEvaluator(catalogue, profile="baseline")
    denied = gk.evaluate(Document(source="x", obj=bad))
    assert denied.decision == "deny"
    in_kube_system = json.loads(json.dumps(bad))
    in_kube_system["metadata"]["namespace"] = "kube-system"
    assert gk.evaluate(Document(source="x", obj=in_kube_system)).decision == "allow"


def test_yields_to_follows_the_parameter(catalogue: Catalogue, files: dict[str, str]) -> None:
    if (
        "master-replicas-one"
        not in catalogue.rules.get(
            "replicas-non-negative", catalogue.rules[next(iter(catalogue.rules))]
        ).yields_to
    ):
        pytest.skip("replicas-non-negative no longer yields to master-replicas-one")
    job = {
        "apiVersion": "kubeflow.org/v1",
        "kind": "PyTorchJob",
        "metadata": {"name": "j"},
        "spec": {
            "pytorchReplicaSpecs": {
                "Master": {
                    "replicas": -1,
                    "template": {"spec": {"containers": [{"name": "pytorch", "image": "x"}]}},
                }
            }
        },
    }
    field = "spec.pytorchReplicaSpecs[Master].replicas"
    template = CompiledTemplate(_load(files, template_path("replicas-non-negative")))
    review = admission_request(job, operation="CREATE")

    def fields(params: dict[str, Any]) -> set[str]:
        return {
            v["details"]["field"] for v in template.violations({"review": review, "parameters": params}, {})
        }

    assert field not in fields({})  # no kfpolicyYieldsTo: yields to every stricter rule
    assert field not in fields({YIELDS_PARAM: {"master-replicas-one": {}}})
    assert field in fields({YIELDS_PARAM: {}})  # the stricter rule is not in the profile
    assert field in fields({YIELDS_PARAM: {"pytorchjob-worker-replicas-at-least-one": {}}})


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


# --- the command line --------------------------------------------------------------------------


def test_eval_engine_gatekeeper_matches_embedded(catalogue: Catalogue, tmp_path: Path) -> None:
    bad = catalogue.rules["replicas-non-negative"].examples[1].object
    path = tmp_path / "job.yaml"
    path.write_text(yaml.safe_dump(bad))
    runner = CliRunner()
    gk = runner.invoke(
        cli, ["eval", str(path), "--engine", "gatekeeper", "--profile", "baseline", "-o", "json"]
    )
    emb = runner.invoke(cli, ["eval", str(path), "--profile", "baseline", "-o", "json"])
    assert gk.exit_code == emb.exit_code == 1, gk.output

    def strip(out):
        return [
            {**r, "violations": sorted(r["violations"], key=json.dumps)} for r in json.loads(out)["results"]
        ]

    assert strip(gk.stdout) == strip(emb.stdout)
    wrong = runner.invoke(cli, ["eval", str(path), "--engine", "gatekeeper", "--profile", "nope"])
    assert wrong.exit_code == 2


def test_generate_code_field_flag(catalogue: Catalogue, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["generate", "--out", str(tmp_path), "--gatekeeper-code-field"])
    assert result.exit_code == 0, result.output
    t = yaml.safe_load((tmp_path / template_path("replicas-non-negative")).read_text())
    assert t["spec"]["targets"][0]["code"][0]["source"]["version"] == "v1"
    check = runner.invoke(cli, ["generate", "--out", str(tmp_path), "--check"])
    assert (
        check.exit_code == 1
        and "replicas-non-negative.yaml (content changed: version 1.0.0 must become 1.0.1)" in (check.stderr)
    )
