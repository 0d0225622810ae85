"""`kfpolicy audit` against a loopback stand-in for the Kubernetes API (tests/fake_kube.py): pages,
expired continue tokens, 403, 500, slow and silent servers, bad answers and bad objects, the summary
and where it is recorded. No cluster exists here."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from fake_kube import FakeKube, kubeconfig, serve_kube, silent_server
from kfpolicy.audit.progress import ProgressLine, wanted
from kfpolicy.cli import cli

TFJOBS = "/apis/kubeflow.org/v1/tfjobs"
PYTORCHJOBS = "/apis/kubeflow.org/v1/pytorchjobs"


def tfjob(name: str, namespace: str = "team-a", replicas: int = 1) -> str:
    return json.dumps(
        {
            "apiVersion": "kubeflow.org/v1",
            "kind": "TFJob",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {
                "tfReplicaSpecs": {
                    "Worker": {
                        "replicas": replicas,
                        "template": {
                            "spec": {
                                "containers": [
                                    {"name": "tensorflow", "image": "tensorflow/tensorflow:2.15.0"}
                                ]
                            }
                        },
                    }
                }
            },
        }
    )


def audit(tmp_path: Path, url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["audit", "--kubeconfig", str(kubeconfig(tmp_path, url)), *args])


def audit_json(tmp_path: Path, fake: FakeKube, *args: str) -> tuple[int, dict[str, Any], str]:
    with serve_kube(fake) as url:
        result = audit(tmp_path, url, "-o", "json", *args)
    return result.exit_code, json.loads(result.stdout), result.stderr


def names(out: dict[str, Any]) -> list[str]:
    return [r["name"] for r in out["results"]]


def test_lists_page_by_page_with_limit_and_continue(tmp_path: Path) -> None:
    fake = FakeKube(items={TFJOBS: [tfjob(f"job-{i}") for i in range(5)]})
    code, out, _ = audit_json(tmp_path, fake, "--page-size", "2")
    assert code == 0, out
    assert names(out) == [f"job-{i}" for i in range(5)]
    pages = [t for m, t in fake.requests if t.startswith(TFJOBS)]
    assert pages == [f"{TFJOBS}?limit=2", f"{TFJOBS}?limit=2&continue=2", f"{TFJOBS}?limit=2&continue=4"]


def test_an_expired_continue_token_relists_without_duplicates(tmp_path: Path) -> None:
    fake = FakeKube(items={TFJOBS: [tfjob(f"job-{i}") for i in range(5)]}, expire_once={TFJOBS})
    code, out, _ = audit_json(tmp_path, fake, "--page-size", "2")
    assert code == 0, out
    assert names(out) == [f"job-{i}" for i in range(5)]
    pages = [t for m, t in fake.requests if t.startswith(TFJOBS)]
    assert pages[:3] == [f"{TFJOBS}?limit=2", f"{TFJOBS}?limit=2&continue=2", f"{TFJOBS}?limit=2"]


def test_a_forbidden_kind_is_reported_and_the_audit_goes_on(tmp_path: Path) -> None:
    fake = FakeKube(items={TFJOBS: [tfjob("neg", replicas=-1)]}, forbidden={PYTORCHJOBS})
    code, out, stderr = audit_json(tmp_path, fake)
    assert code == 2  # the audit could not check everything it was asked to
    assert names(out) == ["neg"] and out["results"][0]["decision"] == "deny"
    (error,) = out["errors"]
    assert error["source"] == "cluster:pytorchjobs.kubeflow.org/v1"
    assert "403" in error["message"] and "Forbidden" in error["message"]
    assert "kfpolicy: error: cluster:pytorchjobs.kubeflow.org/v1: cannot list: 403" in stderr


def test_server_errors_are_retried_a_bounded_number_of_times(tmp_path: Path) -> None:
    fake = FakeKube(items={TFJOBS: [tfjob("ok")], PYTORCHJOBS: []}, fail_times={TFJOBS: 2, PYTORCHJOBS: 99})
    code, out, _ = audit_json(tmp_path, fake)
    assert names(out) == ["ok"]  # two 500s, then the answer
    assert sum(t.startswith(TFJOBS) for _, t in fake.requests) == 3
    # A kind that keeps failing: 4 attempts, then an error for that kind only.
    assert sum(t.startswith(PYTORCHJOBS) for _, t in fake.requests) == 4
    assert code == 2
    assert [e["source"] for e in out["errors"]] == ["cluster:pytorchjobs.kubeflow.org/v1"]
    assert "500" in out["errors"][0]["message"]


def test_slow_answers_within_the_timeout_are_fine(tmp_path: Path) -> None:
    fake = FakeKube(items={TFJOBS: [tfjob("slow")]}, delay=0.05)
    code, out, _ = audit_json(tmp_path, fake, "--timeout", "5")
    assert code == 0 and names(out) == ["slow"]


def test_a_server_that_never_answers_is_bounded_by_the_timeout(tmp_path: Path) -> None:
    """Run as a subprocess with its own hard timeout: a hang fails the test instead of stalling it."""
    with silent_server() as url:
        config = kubeconfig(tmp_path, url)
        done = subprocess.run(
            [sys.executable, "-m", "kfpolicy", "audit", "--kubeconfig", str(config), "--timeout", "0.5"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2, done.stderr
    assert "cannot reach the Kubernetes API server" in done.stderr and "Traceback" not in done.stderr


def test_the_deadline_bounds_the_whole_audit(tmp_path: Path) -> None:
    fake = FakeKube(items={TFJOBS: [tfjob(f"j{i}") for i in range(3)]}, delay=0.4)
    with serve_kube(fake) as url:
        result = audit(tmp_path, url, "--page-size", "1", "--deadline", "1")
    assert result.exit_code == 2
    assert "deadline of 1 s passed" in result.stderr


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ((200, {"Content-Type": "text/html"}, b"<html>proxy login</html>"), "not JSON"),
        ((200, {"Content-Length": str(10**12)}, b"{}"), "over the"),
    ],
)
def test_bad_answers_are_clear_errors(
    tmp_path: Path, answer: tuple[int, dict[str, str], bytes], words: str
) -> None:
    fake = FakeKube(items={PYTORCHJOBS: []}, raw={TFJOBS: answer})
    with serve_kube(fake) as url:
        result = audit(tmp_path, url)
    assert result.exit_code == 2
    said = result.stdout + result.stderr
    assert words in said and "Traceback" not in said
    assert "/apis/kubeflow.org/v1/tfjobs" in said


def test_bad_objects_are_named_and_the_rest_evaluated(tmp_path: Path) -> None:
    deep = '{"x": ' * 3000 + "1" + "}" * 3000
    bad = [
        tfjob("huge").replace('"replicas": 1', '"replicas": 1' + "0" * 400),
        tfjob("surrogate").replace('"tensorflow"', '"\\ud800"'),
        tfjob("deep").replace('"spec": {', f'"deep": {deep}, "spec": {{', 1),
        tfjob("inf").replace('"replicas": 1', '"replicas": 1e400'),
    ]
    fake = FakeKube(items={TFJOBS: [tfjob("neg", replicas=-1), *bad, tfjob("fine")]})
    code, out, _ = audit_json(tmp_path, fake)
    assert code == 2
    assert {r["name"]: r["decision"] for r in out["results"]} == {"neg": "deny", "fine": "allow"}
    errors = {e["source"].rsplit("/", 1)[-1]: e["message"] for e in out["errors"]}
    assert "number too large" in errors["huge"]
    assert "lone surrogate" in errors["surrogate"]
    assert "nested more than" in errors["deep"]
    assert "number too large" in errors["inf"]
    assert all(e["source"].startswith("cluster:tfjobs.kubeflow.org/v1/team-a/") for e in out["errors"])


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (bytes(range(256)), "binary"),
        (b"apiVersion: v1\nclusters: [unclosed\n", "invalid YAML"),
        (b"- apiVersion: v1\n- kind: Config\n", "not a list"),
        (b"apiVersion: v1\nkind: Config\n", "cannot load Kubernetes credentials"),
    ],
)
def test_a_bad_kubeconfig_is_a_clear_input_error(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "kubeconfig"
    path.write_bytes(content)
    result = CliRunner().invoke(cli, ["audit", "--kubeconfig", str(path)])
    assert result.exit_code == 2, result.output
    assert words in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.output + result.stderr


def _violations_fake() -> FakeKube:
    return FakeKube(
        items={
            TFJOBS: [
                tfjob("a1", "team-a", -1),
                tfjob("a2", "team-a", -2),
                tfjob("b1", "team-b", -3),
                tfjob("ok"),
            ],
        }
    )


def test_summary_by_rule_and_namespace(tmp_path: Path) -> None:
    code, out, _ = audit_json(tmp_path, _violations_fake(), "--summary-limit", "2")
    assert code == 1
    summary = out["audit"]
    assert summary["kind"] == "KfpolicyAuditSummary" and summary["version"] == 1
    assert summary["totals"] | {} == {
        "objects": 4,
        "deny": 3,
        "warn": 0,
        "allow": 1,
        "skip": 0,
        "violations": 3,
        "errors": 0,
    }
    (rule,) = summary["rules"]
    assert rule["rule"] == "replicas-non-negative" and rule["totalViolations"] == 3
    assert [v["name"] for v in rule["violations"]] == ["a1", "a2"]  # the first 2 of 3
    assert summary["namespaces"] == [
        {"namespace": "team-a", "deny": 2, "warn": 0},
        {"namespace": "team-b", "deny": 1, "warn": 0},
    ]


def test_text_output_ends_with_the_summary(tmp_path: Path) -> None:
    with serve_kube(_violations_fake()) as url:
        result = audit(tmp_path, url)
    assert result.exit_code == 1
    text = result.stdout
    assert "Violations by rule" in text and "replicas-non-negative  [deny]  3" in text
    assert "team-a  2 deny, 0 warn" in text and "team-b  1 deny, 0 warn" in text


@pytest.mark.parametrize("output", ["sarif", "github", "tap", "table", "junit"])
def test_every_output_format_works_for_audit(tmp_path: Path, output: str) -> None:
    with serve_kube(_violations_fake()) as url:
        result = audit(tmp_path, url, "-o", output)
    assert result.exit_code == 1
    assert "cluster:tfjobs.kubeflow.org/v1/team-a/a1" in result.stdout


def test_record_to_a_file_and_to_a_configmap(tmp_path: Path) -> None:
    fake = _violations_fake()
    record = tmp_path / "audit.json"
    with serve_kube(fake) as url:
        first = audit(tmp_path, url, "--record", str(record), "--record-configmap", "kfpolicy-system/audit")
        second = audit(tmp_path, url, "--record-configmap", "kfpolicy-system/audit")
    assert first.exit_code == second.exit_code == 1
    saved = json.loads(record.read_text())
    assert saved["totals"]["violations"] == 3 and saved["rules"][0]["rule"] == "replicas-non-negative"
    writes = [(m, t) for m, t in fake.requests if "configmaps" in t]
    base = "/api/v1/namespaces/kfpolicy-system/configmaps"
    # First run: PUT finds nothing (404), POST creates; second run: PUT replaces.
    assert writes == [("PUT", f"{base}/audit"), ("POST", base), ("PUT", f"{base}/audit")]
    stored = fake.configmaps[f"{base}/audit"]
    assert stored["metadata"] == {
        "name": "audit",
        "namespace": "kfpolicy-system",
        "labels": {"app.kubernetes.io/managed-by": "kfpolicy"},
    }
    assert json.loads(stored["data"]["audit.json"])["totals"]["deny"] == 3


def test_fail_on_warn_and_exit_codes_as_eval(tmp_path: Path) -> None:
    clean = FakeKube(items={TFJOBS: [tfjob("ok")]})
    code, _, _ = audit_json(tmp_path, clean, "--fail-on-warn")
    assert code == 0


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal_outside_ci() -> None:
    assert wanted(_Tty(), env={}) is True
    assert wanted(_Tty(), env={"CI": "true"}) is False
    assert wanted(io.StringIO(), env={}) is False
    stream = _Tty()
    line = ProgressLine(stream)
    line("tfjobs.kubeflow.org/v1", 500)
    line("tfjobs.kubeflow.org/v1", 1000)
    line.close()
    text = stream.getvalue()
    assert "listing tfjobs.kubeflow.org/v1: 500 objects (500 in all)" in text
    assert "1,000 objects (1,000 in all)" in text and text.endswith("\r")


def test_no_progress_in_captured_output(tmp_path: Path) -> None:
    with serve_kube(FakeKube(items={TFJOBS: [tfjob("ok")]})) as url:
        result = audit(tmp_path, url)
    assert "listing" not in result.stderr
