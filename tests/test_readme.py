"""Every `kfpolicy` command in the README's shell blocks runs as written from the repository root:
it exits 0 (clean) or 1 (something denied), never 2 (usage or input error) or 3 (a bug)."""

from __future__ import annotations

import re
import shlex

import pytest
from click.testing import CliRunner

from conftest import ROOT
from kfpolicy.cli import cli

SHELL_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.M | re.S)


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = [line for block in SHELL_BLOCK.findall(text) for line in block.splitlines()]
    return [line.split(" #", 1)[0].strip() for line in lines if line.startswith("kfpolicy ")]


def test_the_readme_has_kfpolicy_commands() -> None:
    assert len(readme_commands()) >= 5


@pytest.mark.parametrize("command", readme_commands())
def test_readme_command_runs_as_written(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    args = shlex.split(command)[1:]
    if ">" in args:  # output redirection: the shell's business, not the command's
        args = args[: args.index(">")]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code in (0, 1), f"{command}: exit {result.exit_code}\n{result.output}"
    assert "examples/denied" not in command or result.exit_code == 1
