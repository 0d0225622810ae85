"""`kfpolicy eval` output: the `--output json` contract (its exact shape, input errors beside good
documents, stdin lists and admission reviews, skipped kinds, real OPA's identical answer) and JUnit."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import yaml

from cli_jobs import CLEAN, REPLICAS_NEGATIVE, UNKNOWN_KIND, eval_json, run, write

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
