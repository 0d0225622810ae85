"""Users' Rego is checked when their catalogue loads: a rule that does not parse, calls an unknown
function, recurses, or is not UTF-8 is refused with the user's own file (and line), before
`generate` writes anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kfpolicy.catalogue import load_catalogue
from kfpolicy.cli import cli
from kfpolicy.errors import CatalogueError
from kfpolicy.scaffold import new_rule

RULE_ID = "my-rule"
SNIPPETS = Path(__file__).parent / "rego" / "snippets"


def snippet(name: str) -> str:
    """Rego to append to a rule, from tests/rego/snippets/ (after a blank line)."""
    return "\n" + (SNIPPETS / f"{name}.rego").read_text(encoding="utf-8")


def _user_rule(root: Path, replace: tuple[str, str] | None = None, append: str = "") -> Path:
    folder = new_rule(root / "mine", RULE_ID, ["pytorchjob"])
    rego = folder / "rule.rego"
    text = rego.read_text(encoding="utf-8")
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    rego.write_text(text + append, encoding="utf-8")
    return rego


def _refusal(root: Path) -> str:
    with pytest.raises(CatalogueError) as info:
        load_catalogue([root / "mine"])
    return str(info.value)


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_the_scaffold_rule_passes_the_checks(tmp_path: Path) -> None:
    _user_rule(tmp_path)
    assert RULE_ID in load_catalogue([tmp_path / "mine"]).rules


def test_a_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    rego = _user_rule(tmp_path, append=snippet("syntax_error"))
    assert _refusal(tmp_path).startswith(f"{rego}:{_line_of(rego, 'broken') + 2}: Rego does not parse")


def test_recursion_is_refused_before_the_engine_can_crash(tmp_path: Path) -> None:
    rego = _user_rule(tmp_path, append=snippet("self_recursion"))
    message = _refusal(tmp_path)
    assert message.startswith(f"{rego}:{_line_of(rego, 'loop(x) :=')}: rule loop is recursive (loop -> loop)")


def test_mutual_recursion_is_refused(tmp_path: Path) -> None:
    rego = _user_rule(tmp_path, append=snippet("mutual_recursion"))
    assert "rule ping is recursive (ping -> pong -> ping)" in _refusal(tmp_path)
    assert _refusal(tmp_path).startswith(f"{rego}:")


def test_an_unknown_function_names_the_users_line(tmp_path: Path) -> None:
    rego = _user_rule(tmp_path, append=snippet("unknown_function"))
    message = _refusal(tmp_path)
    assert message.startswith(f"{rego}:{_line_of(rego, 'nosuch')}: Rego does not compile"), message
    assert "nosuch" in message


def test_rego_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    rego = _user_rule(tmp_path)
    rego.write_bytes(rego.read_bytes() + b"\n# caf\xe9\n")
    assert _refusal(tmp_path).startswith(f"{rego}: not UTF-8 text")


def test_generate_writes_nothing_for_a_broken_user_rule(tmp_path: Path) -> None:
    _user_rule(tmp_path, append=snippet("unclosed_body"))
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["generate", "--catalogue", str(tmp_path / "mine"), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "rule.rego" in result.output and "does not parse" in result.output
    assert not out.exists()
