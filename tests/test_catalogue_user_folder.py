"""A user's catalogue folder: every kind of mistake in it is an error that names the file and the
field, and through the CLI exits 2 with no traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kfpolicy.catalogue import load_catalogue
from kfpolicy.cli import cli
from kfpolicy.errors import CatalogueError
from user_catalogue import USER_RULE_ID, USER_RULE_REGO, load_error, user_rule_yaml, write_user_catalogue

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
