"""Gatekeeper constraints per profile: the rules, enforcement, match, parameters and yields of each
constraint, the kustomizations, the sync config for referential rules."""

from __future__ import annotations

import pytest

from gatekeeper_files import PROFILES
from gatekeeper_files import load_doc as _load
from kfpolicy.catalogue.model import Catalogue
from kfpolicy.gatekeeper.constraints import gatekeeper_rules
from kfpolicy.gatekeeper.evaluate import profile_constraints, templates_by_kind
from kfpolicy.gatekeeper.names import EXCLUDED_NAMESPACES, YIELDS_PARAM, template_path
from kfpolicy.gatekeeper.templates import sync_kinds

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
