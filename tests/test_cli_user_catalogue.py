"""A user's catalogue folder through the CLI: its rule fires in `kfpolicy eval` for its profiles and
kinds only, `kfpolicy test` checks its examples and writes JUnit, and a wrong expectation is reported."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from click.testing import CliRunner

from cli_jobs import CLEAN, eval_json, write
from kfpolicy.catalogue import load_catalogue
from kfpolicy.cli import cli
from kfpolicy.render.rego import render_rego
from kfpolicy.testing import _rule_examples
from user_catalogue import USER_RULE_ID, user_rule_yaml, write_user_catalogue

# --- a user's catalogue folder ----------------------------------------------------------------


def test_user_catalogue_rule_fires(tmp_path: Path) -> None:
    user = tmp_path / "site-rules"
    write_user_catalogue(user)
    path = write(tmp_path, "job.yaml", CLEAN)
    assert eval_json(path)[0] == 0
    code, out = eval_json("--catalogue", str(user), path)
    assert code == 1
    assert out["results"][0]["violations"] == [
        {
            "rule": USER_RULE_ID,
            "enforcement": "deny",
            "msg": "metadata.labels[team]: Required value: every job must name its team",
            "field": "metadata.labels[team]",
            "type": "FieldValueRequired",
            "value": None,
            "line": 3,
        }
    ]
    labelled = write(
        tmp_path,
        "labelled.yaml",
        CLEAN.replace("metadata: {name: clean}", "metadata: {name: clean, labels: {team: nlp}}"),
    )
    assert eval_json("--catalogue", str(user), labelled)[0] == 0
    # The rule joined baseline and restricted only, and applies to its kinds only.
    assert eval_json("--catalogue", str(user), "--profile", "upstream", path)[0] == 0
    other_kind = write(
        tmp_path,
        "jax.yaml",
        "apiVersion: kubeflow.org/v1\nkind: JAXJob\nmetadata: {name: j}\n"
        "spec: {jaxReplicaSpecs: {Worker: {replicas: 1, template: {spec: {containers: "
        "[{name: jax, image: jax:1}]}}}}}\n",
    )
    assert eval_json("--catalogue", str(user), other_kind)[0] == 0


def test_kfpolicy_test_runs_a_user_catalogues_examples_and_writes_junit(tmp_path: Path) -> None:
    """One full `kfpolicy test` run (it is the slowest command): the user's rule examples are
    checked beside the built-in ones, and the JUnit report parses."""
    user = tmp_path / "site-rules"
    write_user_catalogue(user)
    corpus = tmp_path / "corpus"
    write(
        tmp_path,
        "corpus/labelled.yaml",
        "# expect: allow\n"
        + CLEAN.replace("metadata: {name: clean}", "metadata: {name: clean, labels: {team: nlp}}"),
    )
    write(tmp_path, "corpus/unlabelled.yaml", "# expect: deny\n# rules: team-label-required\n" + CLEAN)
    args = ["test", "--catalogue", str(user), "--corpus", str(corpus), "--output", "junit"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    # Without --examples the run says what it did not check (on stderr: stdout is the JUnit document).
    assert "not checked: example jobs (no --examples DIR given)" in result.stderr
    suites = ET.fromstring(result.stdout)
    assert suites.tag == "testsuites"
    by_name = {s.get("name"): s for s in suites.findall("testsuite")}
    assert {"corpus", "rule field-types", "rule resource-quantities-valid", f"rule {USER_RULE_ID}"} <= set(
        by_name
    )
    mine = by_name[f"rule {USER_RULE_ID}"]
    assert [(c.get("name"), c.find("failure")) for c in mine.findall("testcase")] == [
        ("labelled", None),
        ("unlabelled", None),
    ]
    assert (by_name["corpus"].get("tests"), by_name["corpus"].get("failures")) == ("2", "0")


def test_a_wrong_expectation_in_a_user_example_is_reported(tmp_path: Path) -> None:
    rule = user_rule_yaml()
    rule["examples"][1]["violations"][0]["msg"] = "metadata.labels[team]: Required value: wrong"
    write_user_catalogue(tmp_path, rule)
    cat = load_catalogue([tmp_path])
    outcomes = list(_rule_examples(cat, cat.rules[USER_RULE_ID], "embedded", render_rego(cat)))
    assert [(o.name, o.passed) for o in outcomes] == [("labelled", True), ("unlabelled", False)]
    assert outcomes[1].message == (
        "message for metadata.labels[team]: expected 'metadata.labels[team]: Required value: wrong', "
        "got 'metadata.labels[team]: Required value: every job must name its team'"
    )
