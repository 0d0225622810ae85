"""The embedded engine's compiled mode (regorus Program + Rvm) and what keeps it honest.

The cross-engine and fuzz tests compare its answers with real OPA's on every input; these tests
pin down the mechanics: the shipped catalogue really is compiled, the guards are needed and work,
and every way out of the compiled mode lands on the interpreter with the right answer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import regorus

from kfpolicy.catalogue import Catalogue
from kfpolicy.engine_input import input_json
from kfpolicy.engines import RegorusEngine
from kfpolicy.engines.base import UNDEFINED
from kfpolicy.engines.compiled_guard import UnsupportedModule, guard_module, guard_modules, parse
from kfpolicy.errors import EngineError
from kfpolicy.render.profile_data import kubeflow_data
from kfpolicy.render.rego import render_rego
from kfpolicy.runner import Evaluator

FIXTURES = Path(__file__).parent / "rego" / "compiled"


def fixture(name: str) -> str:
    """A small module (package t) from tests/rego/compiled/."""
    return (FIXTURES / f"{name}.rego").read_text(encoding="utf-8")


# `y := <undefined>` must fail the body, as it does on OPA.
ASSIGN_UNDEFINED = fixture("assign_undefined")
# A body that iterates without success must lead to the else.
ITERATING_ELSE = fixture("iterating_else")


def _raw_compiled(module: str, rule: str, input_doc: object) -> str:
    program = regorus.Program.compile_from_modules("{}", [("t.rego", module)], [rule])
    vm = regorus.Rvm()
    vm.load_program(program)
    vm.set_data_json("{}")
    vm.set_input_json(json.dumps(input_doc))
    return vm.execute_entry_point(rule)


def _engine(module: str) -> RegorusEngine:
    engine = RegorusEngine()
    engine.compile_after = 0
    engine.load({"t.rego": module}, {})
    return engine


def test_the_catalogue_entry_points_are_compiled(catalogue: Catalogue) -> None:
    engine = RegorusEngine()
    engine.compile_after = 0
    engine.load(render_rego(catalogue), {"kubeflow": kubeflow_data(catalogue, "baseline")})
    for rule_path in ("data.kubeflow.violation", "data.kubeflow.deny", "data.kubeflow.warn",
                      "data.kubeflow.admission.response"):
        assert engine._vm_for(rule_path) is not None, f"{rule_path} fell back to the interpreter"


def test_no_catalogue_module_has_an_iterating_else(catalogue: Catalogue) -> None:
    for path, text in render_rego(catalogue).items():
        guard_module(path, text)  # raises UnsupportedModule


def test_the_assignment_guard_is_needed_and_works() -> None:
    # Without the guard the compiled mode binds y to its undefined marker and the body succeeds.
    assert json.loads(_raw_compiled(ASSIGN_UNDEFINED, "data.t.r", {})) == ["bound"]
    guarded = guard_module("t.rego", ASSIGN_UNDEFINED)
    assert "y := input.missing; y == y" in guarded
    assert json.loads(_raw_compiled(guarded, "data.t.r", {})) == []
    engine = _engine(ASSIGN_UNDEFINED)
    assert engine.evaluate("data.t.r", "{}") == []
    assert engine.evaluate("data.t.r", '{"missing": 1}') == ["bound"]
    assert not engine.fallbacks


def test_guards_leave_constants_strings_and_comprehensions_parseable() -> None:
    module = fixture("guards_parseable")
    guarded = guard_module("t.rego", module)
    assert 'k := "a\\"b"\n' in guarded  # constants need no guard
    assert "d := c.name; d == d" in guarded
    assert "; a == a; b == b" in guarded
    engine = _engine(module)
    assert engine.evaluate("data.t.r", json.dumps({"xs": [{"name": "p"}, {"name": 'a"b'}]})) == [
        [{"name": "p"}]
    ]


def test_an_iterating_else_is_left_to_the_interpreter() -> None:
    assert _raw_compiled(ITERATING_ELSE, "data.t.r", {}) == '"<undefined>"'  # the compiled mode's answer
    line = ITERATING_ELSE.splitlines().index("\tsome x in xs") + 1
    with pytest.raises(UnsupportedModule, match=rf"t\.rego:{line}\b"):
        guard_module("t.rego", ITERATING_ELSE)
    engine = _engine(ITERATING_ELSE)
    assert engine.evaluate("data.t.r", "{}") == 7
    assert engine._vm_for("data.t.r") is None


def test_the_instruction_limit_falls_back_to_the_interpreter() -> None:
    module = fixture("instruction_limit")
    engine = _engine(module)
    assert engine.evaluate("data.t.r", '{"n": 30}') == 10
    assert not engine.fallbacks
    assert engine.evaluate("data.t.r", '{"n": 60000}') == 20000
    assert engine.fallbacks == {"instruction-limit": 1}


def test_an_answer_with_the_undefined_marker_is_recomputed() -> None:
    # A function whose argument is undefined in a head: the compiled mode puts its marker there.
    module = fixture("undefined_marker")
    engine = _engine(module)
    assert engine.evaluate("data.t.r", "{}") == []
    assert engine.fallbacks == {"undefined-marker": 1}


def test_other_queries_and_undefined_rules() -> None:
    engine = _engine(fixture("input_a"))
    assert engine.evaluate("data.t.r", "{}") is UNDEFINED
    assert engine.evaluate("data.t.r", '{"a": 2}') == 2
    assert engine.evaluate("[data.t.r, 1]", '{"a": 2}') == [2, 1]  # not a rule path: interpreted
    with pytest.raises(EngineError, match="not a valid rule path"):
        engine.evaluate("data.t.nothing", "{}")


def test_clone_and_added_data_recompile() -> None:
    engine = _engine(fixture("data_limits"))
    assert engine.evaluate("data.t.r", "{}") is UNDEFINED
    twin = engine.clone()
    twin.add_data({"limits": {"max": 3}})
    assert twin.evaluate("data.t.r", "{}") == 3
    assert engine.evaluate("data.t.r", "{}") is UNDEFINED


def test_compiled_and_interpreted_evaluators_agree_on_a_job(catalogue: Catalogue) -> None:
    job = {"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": {"name": "Bad_Name"},
           "spec": {"pytorchReplicaSpecs": {"Worker": {"replicas": -1, "template": {"spec": {"containers": [
               {"name": "pytorch", "resources": {"requests": {"cpu": "2", "nvidia.com/gpu": "1"},
                                                 "limits": {"cpu": "1", "memory": "lots"}}}]}}}}}}
    answers = {}
    for engine in ("embedded", "embedded-interpreter"):
        ev = Evaluator(catalogue, profile="all", engine=engine)
        ev.engine.compile_after = 0  # type: ignore[attr-defined]
        answers[engine] = ev.query("data.kubeflow.violation", job)
    assert len(answers["embedded"]) >= 5
    assert sorted(map(json.dumps, answers["embedded"])) == sorted(
        map(json.dumps, answers["embedded-interpreter"])
    )


def test_guard_modules_keeps_every_module(catalogue: Catalogue) -> None:
    modules = render_rego(catalogue)
    guarded = dict(guard_modules(modules))
    assert guarded.keys() == modules.keys()
    for path, text in guarded.items():
        parse(path, text)  # parses
        assert text.count(" == ") >= modules[path].count(" == ")
    assert input_json({"a": 1.0}) == '{"a":1}'


def test_a_rule_path_is_compiled_once_it_is_used_often(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KFPOLICY_CACHE_DIR", "off")  # a cached program would be loaded at once
    module = fixture("input_a_plus_one")
    engine = RegorusEngine()
    engine.compile_after = 3
    engine.load({"t.rego": module}, {})
    for n in range(3):
        assert engine.evaluate("data.t.r", json.dumps({"a": n})) == n + 1
        assert "data.t.r" not in engine._vms  # interpreted so far
    assert engine.evaluate("data.t.r", '{"a": 10}') == 11
    assert engine._vms["data.t.r"] is not None
    # Another engine with the same modules in this process compiles on first use.
    twin = RegorusEngine()
    twin.compile_after = 3
    twin.load({"t.rego": module}, {})
    assert twin.evaluate("data.t.r", '{"a": 1}') == 2
    assert twin._vms["data.t.r"] is not None


def test_inputs_as_long_as_one_that_ran_out_skip_the_compiled_try() -> None:
    module = fixture("instruction_limit")
    engine = _engine(module)
    assert engine.evaluate("data.t.r", '{"n": 60000}') == 20000
    assert engine._limit_lengths == {"data.t.r": len('{"n": 60000}')}
    assert engine.evaluate("data.t.r", '{"n": 90000}') == 30000  # predicted: the interpreter at once
    assert engine.evaluate("data.t.r", '{"n": 30}') == 10  # shorter: compiled
    assert engine.fallbacks == {"instruction-limit": 2}
