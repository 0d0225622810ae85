"""Memory stays bounded on alias bombs and oversized files (peak RSS measured in a child process),
and both YAML loading paths agree."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

from bad_input_cli import GOOD, input_error, kfpolicy, sources

# --- bounded memory ------------------------------------------------------------------------------

MIB = 1024 * 1024


def test_50_mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("w", encoding="utf-8") as f:
        f.write(GOOD)
        line = "# " + "x" * 1022 + "\n"
        for _ in range(50 * 1024):
            f.write(line)
    assert big.stat().st_size >= 50 * MIB
    (tmp_path / "other.yaml").write_text(GOOD, encoding="utf-8")
    run = kfpolicy("big.yaml", "other.yaml", cwd=tmp_path)
    input_error(run, "big.yaml")
    assert "the limit is" in run.stderr
    assert sources(run) == {"other.yaml#0": "allow"}
    print(f"peak RSS, 50 MB file: {run.maxrss_kib / 1024:.0f} MiB")
    assert 0 < run.maxrss_kib * 1024 < 400 * MIB, "the oversized file should not be read into memory"


def test_50_mb_on_stdin_is_refused(tmp_path: Path) -> None:
    data = GOOD.encode() + (b"# " + b"x" * 1022 + b"\n") * (50 * 1024)
    run = kfpolicy("-", cwd=tmp_path, stdin=data)
    input_error(run, "<stdin>")
    assert "larger than the limit" in run.stderr
    print(f"peak RSS, 50 MB on stdin: {run.maxrss_kib / 1024:.0f} MiB")
    assert 0 < run.maxrss_kib * 1024 < 600 * MIB


def test_alias_bomb_memory_is_bounded(tmp_path: Path) -> None:
    # Nine levels of ten aliases each: 10^9 strings if expanded.
    levels = "abcdefghij"
    text = "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n" for p, c in itertools.pairwise(levels))
    (tmp_path / "bomb.yaml").write_text(GOOD + "---\n" + text, encoding="utf-8")
    run = kfpolicy("bomb.yaml", cwd=tmp_path)
    input_error(run, "bomb.yaml#1")
    assert "alias" in run.stderr
    assert sources(run) == {"bomb.yaml#0": "allow"}
    print(f"peak RSS, alias bomb: {run.maxrss_kib / 1024:.0f} MiB")
    assert 0 < run.maxrss_kib * 1024 < 400 * MIB


def test_many_aliases_in_a_small_document_are_refused(tmp_path: Path) -> None:
    """Many aliases that expand to little (a wide, flat bomb) are limited by count too."""
    text = "a: &a x\nb: [" + ", ".join(["*a"] * 5000) + "]\n"
    (tmp_path / "wide.yaml").write_text(text, encoding="utf-8")
    run = kfpolicy("wide.yaml", cwd=tmp_path)
    input_error(run, "wide.yaml#0")
    assert "aliases" in run.stderr


def test_both_yaml_paths_load_the_same_documents_and_refuse_the_same_keys() -> None:
    """Text without `&`/`*` goes to libyaml's composer; text with them to the alias-counting one."""
    from kfpolicy import yamlio

    plain = "a: 1\nb: [x, {c: 2020-01-01}]\nd: '5'\n---\ne: null\n"
    assert yamlio._loader_for(plain) is not yamlio._loader_for(plain + "f: '*'\n")
    via_fast = list(yamlio.load_all(plain))
    via_counting = list(yamlio.load_all(plain + "# & \n"))
    assert via_fast == via_counting == [{"a": 1, "b": ["x", {"c": "2020-01-01"}], "d": "5"}, {"e": None}]
    for text in ("a: 1\na: 2\n", "a: 1\na: 2\n# *\n"):
        with pytest.raises(yaml.YAMLError, match="duplicate key"):
            list(yamlio.load_all(text))
