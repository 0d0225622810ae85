"""`.pre-commit-hooks.yaml` works as pre-commit runs it: its fields are the ones pre-commit requires,
its `files` pattern picks manifests in any letter case, and its entry, given file names the way
pre-commit passes them, exits 1 for a denied job and 0 for clean, templated or ignored files.
(pre-commit itself is not installed here; its documented hook fields are checked instead.)"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from kfpolicy.cli import cli

ROOT = Path(__file__).resolve().parents[1]
HOOKS: list[dict[str, Any]] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
DENIED = ROOT / "tests" / "jobs" / "admission" / "update-request-over-limit-denied.yaml"
ALLOWED = ROOT / "tests" / "jobs" / "admission" / "create-allowed.yaml"


def test_hook_fields() -> None:
    assert [h["id"] for h in HOOKS] == ["kfpolicy", "kfpolicy-github"]
    for hook in HOOKS:
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"  # installs this package, which provides the `kfpolicy` script
        assert shlex.split(hook["entry"])[:2] == ["kfpolicy", "eval"]
        pattern = re.compile(hook["files"])
        assert all(pattern.search(n) for n in ["a.yaml", "b/c.yml", "D.YAML", "e.json", "f.Json"])
        assert not any(pattern.search(n) for n in ["a.yaml.bak", "README.md", "chart.tpl"])


@pytest.mark.parametrize("hook", HOOKS, ids=lambda h: h["id"])
def test_entry_with_file_names_as_pre_commit_passes_them(hook: dict[str, Any], tmp_path: Path) -> None:
    args = shlex.split(hook["entry"])[1:]
    helm = tmp_path / "templates" / "job.yaml"
    helm.parent.mkdir()
    helm.write_text("metadata:\n  name: {{ .Release.Name }}\n", encoding="utf-8")
    assert CliRunner().invoke(cli, [*args, str(ALLOWED), str(helm)]).exit_code == 0
    denied = CliRunner().invoke(cli, [*args, str(ALLOWED), str(DENIED)])
    assert denied.exit_code == 1
    if "github" in hook["id"]:
        assert f"::error file={DENIED},line=26," in denied.stdout
