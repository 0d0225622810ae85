"""`kfpolicy eval` exit codes: 0 when nothing is denied (warnings and skipped kinds included), 1 when
something is denied, 2 for input errors (even beside denials), missing paths, usage and parameters."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cli_jobs import CLEAN, REPLICAS_NEGATIVE, UNKNOWN_KIND, eval_json, run, write
from user_catalogue import USER_RULE_ID, write_user_catalogue

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
