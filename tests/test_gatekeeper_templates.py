"""Gatekeeper templates: names from rule ids, both template forms valid (legacy `rego:` as Rego v0,
`code:` as v1), data references limited to input, lib and inventory, structural schemas."""

from __future__ import annotations

import json
import re
from pathlib import Path

from gatekeeper_files import load_doc as _load
from kfpolicy.catalogue.model import Catalogue
from kfpolicy.gatekeeper.lint import template_modules, template_problems
from kfpolicy.gatekeeper.names import constraint_kind, template_name, template_path
from kfpolicy.gatekeeper.rego import for_yaml
from kfpolicy.gatekeeper.schema import openapi_schema
from kfpolicy.gatekeeper.suites import go_regexp_quote
from kfpolicy.rego_facts import data_roots, module_facts

# Rego a template must not carry: it reads the portable config (tests/rego/snippets/).
READS_CONFIG = (Path(__file__).parent / "rego" / "snippets" / "reads_config.rego").read_text(encoding="utf-8")


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
        assert f"import data.{rule.package}\n" in main
        assert f"some v in {rule.snake_id}.violation" in main
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


def test_lib_references_nested_in_terms_are_problems(files: dict[str, str]) -> None:
    """Gatekeeper (checked with gator v3.21.1) rewrites lib paths in imports and in the terms it visits
    first only: `some v in data.lib...` in the main module left every template without violations."""
    path = "gatekeeper/templates/xgboostjob-master-required.yaml"
    template = _load(files, path)
    assert template_problems(template) == []
    target = template["spec"]["targets"][0]
    nested = "some v in data.lib.kubeflow.rules.xgboostjob_master_required.violation"
    target["rego"] = target["rego"].replace("some v in xgboostjob_master_required.violation", nested)
    extra = "\nfirst := [data.lib.kubeflow.kinds.table][0]\nwhole := data.lib.kubeflow.errors.text\n"
    target["libs"][0] += extra
    problems = template_problems(template)
    assert len(problems) == 2 and all("data.lib reference inside another term" in p for p in problems)
    assert problems[0].startswith("rego: line ") and problems[1].startswith("libs[0]: line ")
    assert problems[1].count(",") == 0  # the whole value of a rule (`whole := data.lib...`) is rewritten


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

