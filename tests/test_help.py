"""Every option of every command explains itself, the scaffold hint repeats --catalogue, and
`python -m kfpolicy` runs the command line."""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner

from kfpolicy.cli import cli


def _commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    """Every command, through click's own listing (the lazily imported ones too)."""
    found: dict[str, click.Command] = {}
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            found |= _commands(command, f"{prefix}{name} ")
        else:
            found[f"{prefix}{name}"] = command
    return found


def test_every_option_has_help_text() -> None:
    commands = _commands(cli)
    assert {"eval", "audit", "push", "test", "generate", "bundle", "new rule"} <= set(commands)
    missing = [
        f"{name} {'/'.join(p.opts)}"
        for name, command in commands.items()
        for p in command.params
        if isinstance(p, click.Option) and not p.help
    ]
    assert missing == []
    assert all(command.help for command in commands.values())


def test_new_rule_hint_names_the_catalogue(tmp_path: Path) -> None:
    own = tmp_path / "site-rules"
    result = CliRunner().invoke(
        cli, ["new", "rule", "team-label-required", "--catalogue", str(own), "--kind", "pytorchjob"]
    )
    assert result.exit_code == 0, result.output
    assert f"kfpolicy generate --catalogue {own} && kfpolicy test --catalogue {own}" in result.output


def test_python_dash_m_kfpolicy_runs_the_cli() -> None:
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "kfpolicy", "--help"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert "generate" in proc.stdout and "eval" in proc.stdout
