"""Catalogue loading: the built-in catalogue is complete, and every kind of mistake in a user's
catalogue folder is an error that names the file and the field (no traceback, exit 2 in the CLI)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from kfpolicy.catalogue import Catalogue, load_catalogue
from kfpolicy.cli import cli
from kfpolicy.errors import CatalogueError

# A small but complete user rule: every pod template must carry a `team` label.
USER_RULE_ID = "team-label-required"
USER_RULE_REGO = (Path(__file__).parent / "rego" / "team_label_required.rego").read_text(encoding="utf-8")


def _job(labels: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "labelled"}
    if labels is not None:
        meta["labels"] = labels
    return {
        "apiVersion": "kubeflow.org/v1",
        "kind": "TFJob",
        "metadata": meta,
        "spec": {"tfReplicaSpecs": {"Worker": {"replicas": 1, "template": {"spec": {
            "containers": [{"name": "tensorflow", "image": "tensorflow/tensorflow:2.15.0"}]}}}}},
    }


def user_rule_yaml(**changes: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": USER_RULE_ID,
        "title": "Jobs name their team",
        "description": "Every job carries a `team` label, for chargeback.",
        "stage": "values",
        "enforcement": "deny",
        "operations": ["CREATE", "UPDATE"],
        "kinds": ["tfjob", "pytorchjob"],
        "profiles": ["baseline", "restricted"],
        "examples": [
            {"name": "labelled", "object": _job({"team": "vision"}), "violations": []},
            {
                "name": "unlabelled",
                "object": _job(),
                "violations": [{
                    "type": "FieldValueRequired",
                    "field": "metadata.labels[team]",
                    "msg": "metadata.labels[team]: Required value: every job must name its team",
                }],
            },
        ],
    }
    rule.update(changes)
    return {k: v for k, v in rule.items() if v is not None}


def write_user_catalogue(root: Path, rule: dict[str, Any] | str | None = None, rego: str = USER_RULE_REGO,
                         folder: str = USER_RULE_ID) -> Path:
    """A user catalogue folder with one rule; returns the rule.yaml path."""
    rule_dir = root / "rules" / folder
    rule_dir.mkdir(parents=True, exist_ok=True)
    text = rule if isinstance(rule, str) else yaml.safe_dump(rule or user_rule_yaml(), sort_keys=False)
    (rule_dir / "rule.yaml").write_text(text, encoding="utf-8")
    (rule_dir / "rule.rego").write_text(rego, encoding="utf-8")
    return rule_dir / "rule.yaml"


def load_error(folder: Path) -> str:
    with pytest.raises(CatalogueError) as info:
        load_catalogue([folder])
    return str(info.value)


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


# --- a user's catalogue folder ----------------------------------------------------------------


def test_a_valid_user_folder_adds_its_rule(tmp_path: Path) -> None:
    write_user_catalogue(tmp_path)
    cat = load_catalogue([tmp_path])
    assert USER_RULE_ID in cat.rules
    assert USER_RULE_ID in cat.profiles["baseline"].rules
    assert USER_RULE_ID not in cat.profiles["upstream"].rules
    assert set(cat.rules) == set(load_catalogue().rules) | {USER_RULE_ID}


def test_bad_yaml_names_the_file(tmp_path: Path) -> None:
    path = write_user_catalogue(tmp_path, "id: team-label-required\ntitle: [unclosed\n")
    msg = load_error(tmp_path)
    assert msg.startswith(f"{path}: invalid YAML")


@pytest.mark.parametrize("key", ["title", "description", "stage", "kinds", "examples"])
def test_missing_key_names_the_file_and_the_key(tmp_path: Path, key: str) -> None:
    path = write_user_catalogue(tmp_path, user_rule_yaml(**{key: None}))
    msg = load_error(tmp_path)
    assert msg.startswith(f"{path}: ")
    assert f"'{key}' is a required property" in msg


def test_wrong_value_names_the_nested_field(tmp_path: Path) -> None:
    rule = user_rule_yaml()
    rule["examples"][1]["violations"][0]["type"] = "FieldValueWrong"
    path = write_user_catalogue(tmp_path, rule)
    msg = load_error(tmp_path)
    assert msg.startswith(f"{path}: examples[1].violations[0].type: ")


def test_unknown_kind_names_the_kind(tmp_path: Path) -> None:
    path = write_user_catalogue(tmp_path, user_rule_yaml(kinds=["tfjob", "rayjob"]))
    msg = load_error(tmp_path)
    assert msg.startswith(f"{path}: kinds: unknown kind 'rayjob'")


def test_unknown_profile_names_the_profile(tmp_path: Path) -> None:
    path = write_user_catalogue(tmp_path, user_rule_yaml(profiles=["baseline", "strict"]))
    assert load_error(tmp_path).startswith(f"{path}: profiles: unknown profile 'strict'")


def test_unknown_yields_to_names_the_rule(tmp_path: Path) -> None:
    path = write_user_catalogue(tmp_path, user_rule_yaml(yields_to=["no-such-rule"]))
    assert load_error(tmp_path).startswith(f"{path}: yields_to: unknown rule 'no-such-rule'")


def test_duplicate_id_through_a_second_catalogue(tmp_path: Path) -> None:
    """A user rule may not reuse a built-in id: later folders add rules, never replace them."""
    rego = USER_RULE_REGO.replace("team_label_required", "replicas_non_negative")
    path = write_user_catalogue(
        tmp_path, user_rule_yaml(id="replicas-non-negative"), rego, folder="replicas-non-negative"
    )
    msg = load_error(tmp_path)
    assert msg.startswith(f"{path}: id: duplicate rule id 'replicas-non-negative'")
    assert "catalogue/rules/replicas-non-negative" in msg


def test_duplicate_id_between_two_user_folders(tmp_path: Path) -> None:
    write_user_catalogue(tmp_path / "a")
    second = write_user_catalogue(tmp_path / "b")
    with pytest.raises(CatalogueError, match=re.escape(f"{second}: id: duplicate rule id")):
        load_catalogue([tmp_path / "a", tmp_path / "b"])


def test_id_must_match_the_folder(tmp_path: Path) -> None:
    path = write_user_catalogue(tmp_path, folder="team-label")
    assert load_error(tmp_path).startswith(
        f"{path}: id: 'team-label-required' must equal the folder name 'team-label'"
    )


def test_wrong_package_line_names_the_rego_file(tmp_path: Path) -> None:
    path = write_user_catalogue(tmp_path, rego=USER_RULE_REGO.replace("team_label_required", "team_label"))
    msg = load_error(tmp_path)
    assert (
        msg
        == f"{path.with_name('rule.rego')}: package: must be `package lib.kubeflow.rules.team_label_required`"
    )


def test_import_rego_v1_is_refused(tmp_path: Path) -> None:
    rego = (Path(__file__).parent / "rego" / "team_label_required_rego_v1.rego").read_text(encoding="utf-8")
    path = write_user_catalogue(tmp_path, rego=rego)
    assert load_error(tmp_path).startswith(f"{path.with_name('rule.rego')}: import rego.v1")


@pytest.mark.parametrize("keep", ["allowed", "denied"])
def test_missing_examples_of_one_kind(tmp_path: Path, keep: str) -> None:
    rule = user_rule_yaml()
    one = rule["examples"][0] if keep == "allowed" else rule["examples"][1]
    twin = {**one, "name": one["name"] + "-again"}
    path = write_user_catalogue(tmp_path, user_rule_yaml(examples=[one, twin]))
    assert load_error(tmp_path) == f"{path}: examples: need at least one allowed and one denied example"


def test_a_single_example_is_too_few(tmp_path: Path) -> None:
    rule = user_rule_yaml()
    path = write_user_catalogue(tmp_path, user_rule_yaml(examples=rule["examples"][:1]))
    msg = load_error(tmp_path)
    assert msg.startswith(f"{path}: examples: ")


def test_duplicate_example_names(tmp_path: Path) -> None:
    rule = user_rule_yaml()
    rule["examples"][1]["name"] = "labelled"
    path = write_user_catalogue(tmp_path, rule)
    assert load_error(tmp_path) == f"{path}: examples: names must be unique"


QUANTITY_PARAMS = {
    "type": "object",
    "properties": {
        "max_memory": {"type": "string", "format": "quantity", "default": "1Gii"},
    },
}


def test_bad_quantity_default_names_the_parameter(tmp_path: Path) -> None:
    path = write_user_catalogue(tmp_path, user_rule_yaml(parameters=QUANTITY_PARAMS))
    msg = load_error(tmp_path)
    assert msg.startswith(f"{path}: defaults: parameters.max_memory: ")
    assert "1Gii" in msg


def test_good_quantity_default_loads(tmp_path: Path) -> None:
    params = {
        "type": "object",
        "properties": {"max_memory": {"type": "string", "format": "quantity", "default": "64Gi"}},
    }
    write_user_catalogue(tmp_path, user_rule_yaml(parameters=params))
    assert load_catalogue([tmp_path]).rules[USER_RULE_ID].default_parameters == {"max_memory": "64Gi"}


def test_bad_quantity_in_an_example_names_the_example(tmp_path: Path) -> None:
    params = {
        "type": "object",
        "properties": {"max_memory": {"type": "string", "format": "quantity", "default": "1Gi"}},
    }
    rule = user_rule_yaml(parameters=params)
    rule["examples"][1]["parameters"] = {"max_memory": "lots"}
    path = write_user_catalogue(tmp_path, rule)
    assert load_error(tmp_path).startswith(f"{path}: examples[1]: parameters.max_memory: ")


@pytest.mark.parametrize("cap", ["64 GiB", "1K", "1 Gi", "1e3Gi", "1" * 65])
def test_bad_quantity_in_a_profile_override_names_the_override(tmp_path: Path, cap: str) -> None:
    """Quantities the policies could not read (the kubernetes package alone accepts "1K" and "1 Gi")."""
    (tmp_path / "profiles.yaml").write_text(yaml.safe_dump({"profiles": {"restricted": {
        "description": "site caps",
        "overrides": {"resource-limit-caps": {"parameters": {"max_limits": {"memory": cap}}}},
    }}}), encoding="utf-8")
    msg = load_error(tmp_path)
    assert msg.startswith(f"{tmp_path / 'profiles.yaml'}: profiles.restricted.overrides.resource-limit-caps: "
                          "parameters.max_limits.memory: ")


def test_override_for_an_unknown_rule(tmp_path: Path) -> None:
    (tmp_path / "profiles.yaml").write_text(yaml.safe_dump({"profiles": {"baseline": {
        "description": "x", "overrides": {"no-such-rule": {"enforcement": "warn"}}}}}), encoding="utf-8")
    assert (
        load_error(tmp_path)
        == f"{tmp_path / 'profiles.yaml'}: profiles.baseline.overrides.no-such-rule: unknown rule"
    )


def test_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    assert load_error(tmp_path / "nope") == f"{tmp_path / 'nope'}: catalogue folder does not exist"


def test_rule_folder_without_rule_yaml(tmp_path: Path) -> None:
    (tmp_path / "rules" / "empty-rule").mkdir(parents=True)
    assert load_error(tmp_path) == f"{tmp_path / 'rules' / 'empty-rule'}: rule folder without rule.yaml"


# --- the same errors through the CLI: exit 2, the file named, no traceback ------------------------


@pytest.mark.parametrize("command", [["generate", "--check"], ["test"], ["eval", "-"]])
def test_cli_reports_catalogue_errors_without_traceback(tmp_path: Path, command: list[str]) -> None:
    path = write_user_catalogue(tmp_path, user_rule_yaml(kinds=["rayjob"]))
    result = CliRunner().invoke(cli, [*command, "--catalogue", str(tmp_path)], input="{}")
    assert result.exit_code == 2, result.output
    assert f"kfpolicy: error: {path}: kinds: unknown kind 'rayjob'" in result.stderr
    assert "Traceback" not in result.output
