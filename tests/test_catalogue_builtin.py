"""The built-in catalogue is complete: its profiles, the seed rules' profiles and kinds, every rule
documented with allowed and denied examples, and the restricted profile's caps."""

from __future__ import annotations

import pytest

from kfpolicy.catalogue import Catalogue

# --- the built-in catalogue -------------------------------------------------------------------


def test_builtin_catalogue_loads(catalogue: Catalogue) -> None:
    assert catalogue.default_profile == "baseline"
    assert {"upstream", "baseline", "restricted", "all"} <= set(catalogue.profiles)
    assert len(catalogue.rules) >= 8


SEED_RULES = {
    "field-types": {"baseline", "restricted"},
    "resource-quantities-valid": {"baseline", "restricted"},
    "resource-names-valid": {"baseline", "restricted"},
    "requests-within-limits": {"baseline", "restricted"},
    "extended-resources-limits": {"baseline", "restricted"},
    "resources-required": {"restricted"},
    "resource-limit-caps": {"restricted"},
    "pod-security-baseline": {"restricted"},
    "replicas-non-negative": {"baseline", "restricted"},
}
V1_AND_MPI_V2 = {"pytorchjob", "tfjob", "xgboostjob", "paddlejob", "jaxjob", "mpijob-v2beta1"}
TRAINER_V2 = {"trainjob", "trainingruntime", "clustertrainingruntime"}
# Rules that read every pod template of every kind (lib/kubeflow/pods.rego), Trainer v2 included.
POD_TEMPLATE_RULES = {
    "resource-quantities-valid",
    "resource-names-valid",
    "requests-within-limits",
    "extended-resources-limits",
    "resources-required",
    "resource-limit-caps",
    "pod-security-baseline",
}


@pytest.mark.parametrize("rule_id", sorted(SEED_RULES))
def test_seed_rules_are_in_their_profiles(catalogue: Catalogue, rule_id: str) -> None:
    rule = catalogue.rules[rule_id]
    assert set(rule.profiles) == SEED_RULES[rule_id]
    for name, p in catalogue.profiles.items():
        if name != "all":
            assert (rule_id in p.rules) == (name in SEED_RULES[rule_id]), name


@pytest.mark.parametrize("rule_id", sorted(set(SEED_RULES) - {"replicas-non-negative"}))
def test_resource_and_type_rules_cover_v1_kinds_and_mpijob_v2beta1(
    catalogue: Catalogue, rule_id: str
) -> None:
    kinds = set(catalogue.rules[rule_id].kinds)
    assert kinds == (V1_AND_MPI_V2 | TRAINER_V2 if rule_id in POD_TEMPLATE_RULES else V1_AND_MPI_V2)
    assert "mxjob" not in kinds and "mpijob-v1" not in kinds


def test_every_rule_is_documented_and_has_both_kinds_of_example(catalogue: Catalogue) -> None:
    for rule in catalogue.rules_sorted():
        assert rule.title and rule.description, rule.id
        assert any(e.allowed for e in rule.examples), rule.id
        assert any(not e.allowed for e in rule.examples), rule.id


@pytest.mark.parametrize("rule_id", sorted(SEED_RULES))
def test_seed_rules_state_every_denial_message(catalogue: Catalogue, rule_id: str) -> None:
    """Each denied example of a seed rule pins at least one full message (the CLI users read it)."""
    for ex in catalogue.rules[rule_id].examples:
        if not ex.allowed:
            assert any(v.msg for v in ex.violations), f"{rule_id}: {ex.name} states no message"


def test_restricted_profile_caps_gpus(catalogue: Catalogue) -> None:
    assert catalogue.profiles["restricted"].rules["resource-limit-caps"].parameters == {
        "max_limits": {"nvidia.com/gpu": "8"},
        "max_trainjob_totals": {"nvidia.com/gpu": "64"},
    }
    assert catalogue.rules["resource-limit-caps"].default_parameters == {
        "max_limits": {},
        "max_trainjob_totals": {},
    }
    assert catalogue.rules["resources-required"].default_parameters == {
        "resources": ["cpu", "memory"],
        "explicit_requests": False,
    }
