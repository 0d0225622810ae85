"""The `kfpolicy` command line: exit codes, the `--output json` contract, JUnit output, profiles,
parameters, user catalogues, and every rule allowed and denied through `kfpolicy eval`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import yaml
from click.testing import CliRunner, Result

from kfpolicy import cli as cli_module
from kfpolicy.catalogue import Catalogue, load_catalogue
from kfpolicy.catalogue.model import Example, Rule
from kfpolicy.cli import cli
from kfpolicy.render.rego import render_rego
from kfpolicy.testing import _rule_examples
from user_catalogue import USER_RULE_ID, user_rule_yaml, write_user_catalogue

REPLICAS_NEGATIVE = """\
apiVersion: kubeflow.org/v1
kind: TFJob
metadata: {name: neg, namespace: ml}
spec:
  tfReplicaSpecs:
    Worker:
      replicas: -1
      template:
        spec:
          containers: [{name: tensorflow, image: tensorflow/tensorflow:2.15.0}]
"""

CLEAN = """\
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: clean}
spec:
  pytorchReplicaSpecs:
    Master:
      replicas: 1
      template:
        spec:
          containers:
            - name: pytorch
              image: pytorch/pytorch:2.3.0
              resources:
                requests: {cpu: "1", memory: 1Gi}
                limits: {cpu: "1", memory: 1Gi}
"""

UNKNOWN_KIND = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: other}\nspec: {}\n"


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin)


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def eval_json(*args: str, stdin: str | None = None) -> tuple[int, dict[str, Any]]:
    result = run("eval", "--output", "json", *args, stdin=stdin)
    assert "Traceback" not in result.output, result.output
    return result.exit_code, json.loads(result.stdout)


# --- exit codes -------------------------------------------------------------------------------


def test_exit_0_when_nothing_is_denied(tmp_path: Path) -> None:
    result = run("eval", write(tmp_path, "clean.yaml", CLEAN))
    assert result.exit_code == 0, result.output
    assert "1 objects: 0 denied, 0 warned, 1 allowed, 0 skipped" in result.stdout


def test_exit_1_when_something_is_denied(tmp_path: Path) -> None:
    result = run("eval", write(tmp_path, "clean.yaml", CLEAN), write(tmp_path, "neg.yaml", REPLICAS_NEGATIVE))
    assert result.exit_code == 1
    assert "DENY" in result.stdout
    assert (
        "spec.tfReplicaSpecs[Worker].replicas: Invalid value: -1: must be greater than or equal to 0  "
        "(replicas-non-negative)"
    ) in result.stdout


def test_exit_0_for_skipped_kinds_only(tmp_path: Path) -> None:
    code, out = eval_json(write(tmp_path, "job.yaml", UNKNOWN_KIND))
    assert code == 0
    assert out["summary"] == {"deny": 0, "warn": 0, "allow": 0, "skip": 1}


def test_warnings_do_not_fail(tmp_path: Path) -> None:
    """A warn-only violation gives decision warn and exit 0 (the user's rule is set to warn)."""
    user = tmp_path / "site"
    write_user_catalogue(user)
    (user / "profiles.yaml").write_text(
        yaml.safe_dump(
            {
                "profiles": {
                    "baseline": {"description": "site", "overrides": {USER_RULE_ID: {"enforcement": "warn"}}}
                }
            }
        ),
        encoding="utf-8",
    )
    code, out = eval_json("--catalogue", str(user), write(tmp_path, "clean.yaml", CLEAN))
    assert code == 0
    (result,) = out["results"]
    assert result["decision"] == "warn"
    assert [(v["rule"], v["enforcement"]) for v in result["violations"]] == [(USER_RULE_ID, "warn")]


@pytest.mark.parametrize(
    ("name", "text", "needle"),
    [
        ("broken.yaml", "apiVersion: v1\nkind: [unclosed\n", "broken.yaml#0: invalid YAML"),
        ("scalar.yaml", "just a string\n", "scalar.yaml#0: not an object"),
        ("bad.json", '{"kind": ', "bad.json#0: invalid JSON"),
    ],
)
def test_exit_2_for_input_errors_even_beside_denials(
    tmp_path: Path, name: str, text: str, needle: str
) -> None:
    """Input errors win over denials: the run could not check everything it was given."""
    result = run("eval", write(tmp_path, "neg.yaml", REPLICAS_NEGATIVE), write(tmp_path, name, text))
    assert result.exit_code == 2
    assert needle in result.output
    assert "Traceback" not in result.output


def test_exit_2_for_a_missing_path(tmp_path: Path) -> None:
    result = run("eval", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "nope.yaml: no such file or folder" in result.stderr


def test_exit_2_for_usage_errors(tmp_path: Path) -> None:
    assert run("eval").exit_code == 2
    assert run("eval", "--output", "yaml", "-", stdin="{}").exit_code == 2
    result = run("eval", "--profile", "strictest", write(tmp_path, "clean.yaml", CLEAN))
    assert result.exit_code == 2
    assert "unknown profile 'strictest'" in result.stderr


def test_exit_2_for_bad_parameters(tmp_path: Path) -> None:
    params = write(tmp_path, "params.yaml", "resource-limit-caps:\n  max_limits: {memory: lots}\n")
    result = run(
        "eval", "--profile", "restricted", "--parameters", params, write(tmp_path, "clean.yaml", CLEAN)
    )
    assert result.exit_code == 2
    assert "parameters.max_limits.memory" in result.stderr
    assert "Traceback" not in result.output


# --- the JSON contract ------------------------------------------------------------------------

RESULT_KEYS = [
    "source",
    "line",
    "apiVersion",
    "kind",
    "namespace",
    "name",
    "operation",
    "decision",
    "violations",
    "reason",
]
VIOLATION_KEYS = ["rule", "enforcement", "msg", "field", "type", "value", "line"]


def test_json_output_has_exactly_the_documented_shape(tmp_path: Path) -> None:
    path = write(tmp_path, "jobs/a.yaml", REPLICAS_NEGATIVE + "---\n" + CLEAN + "---\n" + UNKNOWN_KIND)
    code, out = eval_json(path)
    assert code == 1
    assert list(out) == ["results", "summary"]
    assert out["summary"] == {"deny": 1, "warn": 0, "allow": 1, "skip": 1}
    assert list(out["summary"]) == ["deny", "warn", "allow", "skip"]
    assert [r["source"] for r in out["results"]] == [f"{path}#0", f"{path}#1", f"{path}#2"]
    for r in out["results"]:
        assert list(r) == RESULT_KEYS
        for v in r["violations"]:
            assert list(v) == VIOLATION_KEYS
    denied = out["results"][0]
    assert denied | {"violations": []} == {
        "source": f"{path}#0",
        "line": 1,
        "apiVersion": "kubeflow.org/v1",
        "kind": "TFJob",
        "namespace": "ml",
        "name": "neg",
        "operation": "CREATE",
        "decision": "deny",
        "violations": [],
        "reason": None,
    }
    assert denied["violations"] == [
        {
            "rule": "replicas-non-negative",
            "enforcement": "deny",
            "msg": (
                "spec.tfReplicaSpecs[Worker].replicas: Invalid value: -1: "
                "must be greater than or equal to 0"
            ),
            "field": "spec.tfReplicaSpecs[Worker].replicas",
            "type": "FieldValueInvalid",
            "value": -1,
            "line": 7,  # `replicas: -1`, the offending field
        }
    ]
    assert out["results"][1]["decision"] == "allow" and out["results"][1]["violations"] == []
    assert out["results"][2]["decision"] == "skip" and out["results"][2]["kind"] == "Job"
    assert out["results"][2]["reason"] == "Job batch/v1 is not a kind kfpolicy checks"


def test_json_lists_input_errors_and_keeps_the_good_documents(tmp_path: Path) -> None:
    path = write(tmp_path, "mixed.yaml", CLEAN + "---\n- not\n- a manifest\n")
    code, out = eval_json(path)
    assert code == 2
    assert list(out) == ["results", "summary", "errors"]
    assert out["summary"]["allow"] == 1
    assert out["errors"] == [
        {"source": f"{path}#1", "line": CLEAN.count("\n") + 2, "message": out["errors"][0]["message"]}
    ]
    assert "not an object" in out["errors"][0]["message"]


def test_stdin_lists_and_admission_reviews(tmp_path: Path) -> None:
    job = yaml.safe_load(REPLICAS_NEGATIVE)
    review = {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {"uid": "1", "operation": "UPDATE", "object": job, "oldObject": job},
    }
    listing = {"apiVersion": "v1", "kind": "List", "items": [yaml.safe_load(CLEAN), review]}
    code, out = eval_json("-", stdin=json.dumps(listing))
    assert code == 1
    assert [(r["source"], r["operation"], r["decision"]) for r in out["results"]] == [
        ("<stdin>#0/items[0]", "CREATE", "allow"),
        ("<stdin>#0/items[1]", "UPDATE", "deny"),
    ]


def test_mpijob_v1_is_skipped_never_allowed(tmp_path: Path) -> None:
    code, out = eval_json(str(Path(__file__).parent / "jobs" / "skip" / "mpijob-v1-skipped.yaml"))
    assert code == 0
    assert [r["decision"] for r in out["results"]] == ["skip"]
    assert out["results"][0]["violations"] == []


def test_real_opa_gives_the_same_json(tmp_path: Path) -> None:
    corpus = str(Path(__file__).parent / "jobs")
    embedded = eval_json(corpus)
    opa = eval_json("--engine", "opa", corpus)
    assert embedded == opa
    assert embedded[1]["summary"]["deny"] > 0 and embedded[1]["summary"]["allow"] > 0


# --- JUnit ------------------------------------------------------------------------------------


def test_junit_output_parses_and_counts(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yaml", REPLICAS_NEGATIVE + "---\n" + CLEAN + "---\n" + UNKNOWN_KIND)
    bad = write(tmp_path, "bad.yaml", "kind: [\n")
    result = run("eval", "--output", "junit", path, bad)
    assert result.exit_code == 2
    suite = ET.fromstring(result.stdout)
    assert suite.tag == "testsuite"
    cases = suite.findall("testcase")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "1", "1")
    assert len(cases) == 4
    failure = cases[0].find("failure")
    assert failure is not None and "must be greater than or equal to 0" in (failure.text or "")
    assert cases[1].find("failure") is None and cases[1].find("skipped") is None
    assert cases[2].find("skipped") is not None
    assert cases[3].find("error") is not None


# --- profiles and parameters ------------------------------------------------------------------

NO_LIMITS = CLEAN.replace('                limits: {cpu: "1", memory: 1Gi}\n', "")
GPUS = CLEAN.replace('limits: {cpu: "1", memory: 1Gi}', 'limits: {cpu: "1", memory: 1Gi, nvidia.com/gpu: 12}')


def _rules(out: dict[str, Any]) -> set[str]:
    return {v["rule"] for r in out["results"] for v in r["violations"]}


def test_restricted_requires_limits_baseline_does_not(tmp_path: Path) -> None:
    path = write(tmp_path, "job.yaml", NO_LIMITS)
    assert eval_json(path)[0] == 0
    code, out = eval_json("--profile", "restricted", path)
    assert code == 1
    assert [v["field"] for v in out["results"][0]["violations"]] == [
        "spec.pytorchReplicaSpecs[Master].template.spec.containers[0].resources.limits[cpu]",
        "spec.pytorchReplicaSpecs[Master].template.spec.containers[0].resources.limits[memory]",
    ]


def test_restricted_caps_gpus_and_parameters_move_the_cap(tmp_path: Path) -> None:
    path = write(tmp_path, "job.yaml", GPUS)
    assert eval_json(path)[0] == 0
    code, out = eval_json("--profile", "restricted", path)
    assert code == 1 and _rules(out) == {"resource-limit-caps"}
    assert out["results"][0]["violations"][0]["msg"].endswith(
        'resources.limits[nvidia.com/gpu]: Invalid value: "12": must be less than or equal to 8'
    )
    params = write(tmp_path, "params.yaml", 'resource-limit-caps:\n  max_limits: {nvidia.com/gpu: "16"}\n')
    assert eval_json("--profile", "restricted", "--parameters", params, path)[0] == 0


def test_parameters_change_the_required_resources(tmp_path: Path) -> None:
    path = write(tmp_path, "job.yaml", CLEAN)
    assert eval_json("--profile", "restricted", path)[0] == 0
    params = write(
        tmp_path, "params.json", json.dumps({"resources-required": {"resources": ["ephemeral-storage"]}})
    )
    code, out = eval_json("--profile", "restricted", "--parameters", params, path)
    assert code == 1
    assert {v["field"].rsplit(".", 1)[1] for v in out["results"][0]["violations"]} == {
        "requests[ephemeral-storage]",
        "limits[ephemeral-storage]",
    }


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


# --- every rule, allowed and denied, through `kfpolicy eval` ------------------------------------


def _as_input(ex: Example) -> dict[str, Any]:
    if ex.operation == "CREATE" and ex.old_object is None:
        return ex.object
    return {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": ex.name,
            "operation": ex.operation,
            "object": ex.object,
            "oldObject": ex.old_object,
        },
    }


def _batches(cat: Catalogue) -> Iterator[tuple[str, list[tuple[Rule, Example]]]]:
    """Examples without their own parameters or inventory share one run; the others run alone."""
    plain = []
    for rule in cat.rules_sorted():
        for ex in rule.examples:
            if not isinstance(ex.object, dict):
                continue
            if ex.parameters is None and not ex.inventory:
                plain.append((rule, ex))
            else:
                yield f"{rule.id}/{ex.name}", [(rule, ex)]
    yield "plain", plain


def _check(cat: Catalogue, tmp_path: Path, batch: list[tuple[Rule, Example]]) -> list[str]:
    args = ["--profile", "all"]
    files: dict[str, tuple[Rule, Example]] = {}
    for n, (rule, ex) in enumerate(batch):
        path = write(tmp_path, f"in/{n:04d}-{ex.name}.json", json.dumps(_as_input(ex)))
        files[f"{path}#0"] = (rule, ex)
        if ex.parameters is not None:
            args += ["--parameters", write(tmp_path, "params.json", json.dumps({rule.id: ex.parameters}))]
        if ex.inventory:
            listing = {"apiVersion": "v1", "kind": "List", "items": list(ex.inventory)}
            args += ["--inventory", write(tmp_path, "inventory.json", json.dumps(listing))]
    code, out = eval_json(*args, str(tmp_path / "in"))
    problems = []
    results = {r["source"]: r for r in out["results"]}
    assert set(results) == set(files)
    for source, (rule, ex) in files.items():
        violations = results[source]["violations"]
        got = {(v["type"], v["field"]) for v in violations if v["rule"] == rule.id}
        want = {(v.type, v.field) for v in ex.violations}
        # Where a stricter rule reports the same field, this rule stays silent by design.
        covered = {v["field"] for v in violations if v["rule"] in rule.yields_to}
        missing = {w for w in want - got if w[1] not in covered}
        if got - want or missing:
            problems.append(
                f"{rule.id}/{ex.name}: unexpected {sorted(got - want)}, missing {sorted(missing)}"
            )
        if ex.allowed and any(v["rule"] == rule.id for v in violations):
            problems.append(f"{rule.id}/{ex.name}: allowed example reported by its rule")
    if any(not ex.allowed for _, ex in batch):
        assert code in (0, 1)
    return problems


def test_every_rule_allows_and_denies_its_examples_through_the_cli(
    catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ~50 runs: reuse the loaded catalogue (loading is tested in test_catalogue.py), all else is the CLI's.
    monkeypatch.setattr(cli_module, "_load", lambda catalogues: catalogue)
    problems = []
    seen_allowed, seen_denied = set(), set()
    for name, batch in _batches(catalogue):
        problems += _check(catalogue, tmp_path / name, batch)
        seen_allowed |= {r.id for r, ex in batch if ex.allowed}
        seen_denied |= {r.id for r, ex in batch if not ex.allowed}
    assert problems == []
    assert seen_allowed == seen_denied == set(catalogue.rules)


def test_python_dash_m_kfpolicy_runs_the_cli() -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "kfpolicy", "--help"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert "generate" in proc.stdout and "eval" in proc.stdout
