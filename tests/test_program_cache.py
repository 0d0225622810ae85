"""The disk cache of compiled programs: a cached program is loaded at once, a corrupt entry is
ignored and written anew, `off` turns the cache off, and a large batch compiles at once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kfpolicy.engines import RegorusEngine, program_cache
from kfpolicy.engines.program_cache import MISSING, entry_key

MODULE = "package t\n\nr := input.a + 1\n"


def _modules(tag: str) -> tuple[tuple[str, str], ...]:
    """Modules of their own per test: the process also keeps compiled programs in memory."""
    return (("t.rego", f"{MODULE}# {tag}\n"),)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KFPOLICY_CACHE_DIR", str(tmp_path))
    return tmp_path


def _engine(compile_after: int, tag: str) -> RegorusEngine:
    engine = RegorusEngine()
    engine.compile_after = compile_after
    engine.load(dict(_modules(tag)), {})
    return engine


def test_a_compiled_program_is_stored_and_loaded_at_once(cache: Path) -> None:
    assert _engine(0, "stored").evaluate("data.t.r", '{"a": 1}') == 2
    [entry] = cache.glob("*.rvm")
    assert entry.name == f"{entry_key(_modules('stored'), 'data.t.r')}.rvm"
    assert program_cache.load(entry.stem) not in (None, MISSING)
    later = _engine(1000, "stored")  # would interpret for 1000 evaluations without the cache
    assert later.evaluate("data.t.r", '{"a": 5}') == 6
    assert later._vms["data.t.r"] is not None


@pytest.mark.parametrize("damage", [b"", b"garbage", None])
def test_a_corrupt_entry_is_ignored_and_written_anew(cache: Path, damage: bytes | None) -> None:
    tag = f"corrupt {damage!r}"
    key = entry_key(_modules(tag), "data.t.r")
    _engine(0, tag).evaluate("data.t.r", "{}")
    entry = cache / f"{key}.rvm"
    good = entry.read_bytes()
    entry.write_bytes(good[:-7] if damage is None else damage)  # truncated, or not an entry at all
    assert program_cache.load(key) is MISSING
    program_cache.store(key, None)  # a declined program round-trips too
    assert program_cache.load(key) is None
    entry.write_bytes(b"junk")
    engine = RegorusEngine()
    engine.compile_after = 0
    engine.load(dict(_modules(tag + " again")), {})
    assert engine.evaluate("data.t.r", '{"a": 2}') == 3
    assert not list(cache.glob("*.tmp")), "no temporary file is left behind"


def test_off_turns_the_cache_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KFPOLICY_CACHE_DIR", "off")
    assert program_cache.cache_dir() is None
    assert _engine(0, "off").evaluate("data.t.r", '{"a": 1}') == 2
    assert program_cache.load(entry_key(_modules("off"), "data.t.r")) is MISSING
    monkeypatch.delenv("KFPOLICY_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert program_cache.cache_dir() == tmp_path / "kfpolicy"


def test_an_unwritable_cache_only_costs_a_compile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("KFPOLICY_CACHE_DIR", str(blocker / "cache"))
    assert _engine(0, "unwritable").evaluate("data.t.r", '{"a": 1}') == 2


def test_a_large_batch_compiles_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KFPOLICY_CACHE_DIR", "off")
    engine = RegorusEngine()
    engine.load(dict(_modules("expect")), {})
    engine.expect(10)
    engine.evaluate("data.t.r", json.dumps({"a": 1}))
    assert "data.t.r" not in engine._vms
    engine.expect(64)
    assert engine.evaluate("data.t.r", json.dumps({"a": 1})) == 2
    assert engine._vms["data.t.r"] is not None


def test_a_loaded_catalogue_is_cached_and_a_changed_file_loads_anew(cache: Path, tmp_path: Path) -> None:
    import shutil

    from kfpolicy.catalogue import load_catalogue
    from kfpolicy.catalogue.loader import default_catalogue_dir

    builtin = tmp_path / "catalogue"
    shutil.copytree(default_catalogue_dir(), builtin)
    first = load_catalogue(builtin=builtin)
    [entry] = cache.glob("catalogue-*.pickle")
    again = load_catalogue(builtin=builtin)
    assert again is not first and again.rules.keys() == first.rules.keys()
    rule_yaml = builtin / "rules" / "containers-required" / "rule.yaml"
    text = rule_yaml.read_text(encoding="utf-8")
    assert "\ntitle: " in text
    rule_yaml.write_text(text.replace("\ntitle: ", "\ntitle: Changed ", 1), encoding="utf-8")
    changed = load_catalogue(builtin=builtin)
    assert changed.rules["containers-required"].title.startswith("Changed ")
    assert len(list(cache.glob("catalogue-*.pickle"))) == 2
    entry.write_bytes(b"corrupt")
    rule_yaml.write_text(text, encoding="utf-8")
    assert load_catalogue(builtin=builtin).rules["containers-required"].title == first.rules[
        "containers-required"
    ].title


def test_modules_that_parsed_before_reach_the_interpreter_only_when_needed(cache: Path) -> None:
    first = _engine(0, "deferred")
    assert first._pending == []  # unknown modules are parsed at once (and a marker written)
    assert first.evaluate("data.t.r", '{"a": 1}') == 2
    later = _engine(0, "deferred")
    assert later._pending == list(_modules("deferred"))  # known to parse: not parsed yet
    assert later.evaluate("data.t.r", '{"a": 2}') == 3  # the cached program answers
    assert later._pending != []
    assert later.evaluate("data.t.r + 1", '{"a": 2}') == 4  # a query: the interpreter, parsed now
    assert later._pending == []
    twin = _engine(0, "deferred").clone()
    assert twin._pending != []
    assert twin.evaluate("data.t.r * 2", '{"a": 0}') == 2


def test_modules_that_fail_to_parse_fail_at_load_every_time(cache: Path) -> None:
    from kfpolicy.errors import EngineError

    broken = {"b.rego": "package b\n\nr := \n"}
    for _ in range(2):
        with pytest.raises(EngineError, match="rejected the policies"):
            RegorusEngine().load(broken, {})
    assert list(cache.glob("*.parsed")) == []


def test_eval_starts_without_the_generator_server_audit_and_junit() -> None:
    import subprocess
    import sys

    heavy = ["jinja2", "junitparser", "kfpolicy.serve.command", "kfpolicy.audit.command", "kfpolicy.generate"]
    probe = f"import sys, kfpolicy.cli\nprint([m for m in {heavy!r} if m in sys.modules])\n"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
