"""The embedded engine: regorus (Rust) through the gordon-to-regorus wheel. No opa binary needed.

Two ways to evaluate, behind one class:
- compiled (the default): a plain rule path such as `data.kubeflow.violation` is compiled once into
  a regorus Program and run on its virtual machine (Rvm), several times faster than interpreting;
- interpreted: any other query, Rego v0 modules, and any rule path whose modules the compiler
  does not take (it lacks `walk`, for one) go to the regorus interpreter.
The compiled mode runs the modules with guarded assignments (see compiled_guard). The interpreter
answers an input instead, and `fallbacks` counts why, when the compiled answer still carries the
compiled mode's "undefined" marker, when the virtual machine stops at its fixed limit of 25,000
instructions (large jobs: the limit is not configurable from Python; an input at least as long as
one that ran out is predicted to, and goes to the interpreter without the wasted try), or when it
fails otherwise.
The cross-engine tests hold both modes to real OPA's answers on every input we have and check
that no fallback other than the instruction limit was needed.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

import orjson
import regorus

from kfpolicy.engines import program_cache
from kfpolicy.engines.base import UNDEFINED
from kfpolicy.engines.compiled_guard import UnsupportedModule, guard_modules
from kfpolicy.errors import EngineError
from kfpolicy.merge import deep_merge

_RULE_PATH = re.compile(r"^data(\.[A-Za-z_][A-Za-z0-9_]*)+$")
# What eval_rule_as_json and the Rvm return for an undefined rule (a JSON string no rule of ours
# produces); inside a larger answer it is the compiled mode's "undefined" marker.
_UNDEFINED = '"<undefined>"'


def _loads(raw: str) -> Any:
    """The engine's JSON answer as Python values: orjson, or json for what orjson refuses (integers
    beyond 64 bits)."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


@functools.lru_cache(maxsize=64)
def _is_rule_path(query: str) -> bool:
    """A plain rule path (data.a.b), which the compiled mode and eval_rule_as_json take."""
    return _RULE_PATH.match(query) is not None


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    # regorus appends a Rust backtrace; keep the part that says what went wrong.
    return text.split("\nStack backtrace:")[0].strip()


# Compiling the catalogue costs about 0.3 s, the price of roughly a hundred interpreted evaluations,
# so a rule path is compiled only once the process has evaluated it this many times on the same
# modules, or at once when the program is in the disk cache (program_cache) or the caller expects
# at least this many evaluations (expect()): `kfpolicy eval one.yaml` stays quick to start, batches
# and servers compile early on.
COMPILE_AFTER = 64
_evaluations: Counter[tuple[int, str]] = Counter()


def _cached_program(modules: tuple[tuple[str, str], ...], rule_path: str) -> Any:
    """The program for one rule path from the disk cache: a program, None (the compiler declined
    the modules) or program_cache.MISSING."""
    return _cached_in(modules, rule_path, program_cache.cache_dir())


@functools.lru_cache(maxsize=32)
def _cached_in(modules: tuple[tuple[str, str], ...], rule_path: str, folder: object) -> Any:
    return program_cache.load(program_cache.entry_key(modules, rule_path))


@functools.lru_cache(maxsize=32)
def _compiled_program(modules: tuple[tuple[str, str], ...], rule_path: str) -> Any:
    """The guarded, compiled program for one rule path, or None when the compiler declines the
    modules. Shared by every engine of the process with the same modules: a program does not hold
    data (each virtual machine gets its own). Read from the disk cache when it is there, and
    written to it otherwise."""
    cached = _cached_program(modules, rule_path)
    if cached is not program_cache.MISSING:
        return cached
    try:
        program = regorus.Program.compile_from_modules("{}", _guarded_modules(modules), [rule_path])
    except (RuntimeError, UnsupportedModule):
        program = None  # e.g. `walk`, or a path no module defines: the interpreter answers
    program_cache.store(program_cache.entry_key(modules, rule_path), program)
    _cached_in.cache_clear()  # it may remember this entry as missing
    return program


@functools.lru_cache(maxsize=8)
def _guarded_modules(modules: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    return guard_modules(dict(modules))


def _parsed_marker(ordered: list[tuple[str, str]]) -> tuple[str | None, bool]:
    """The disk cache marker saying these exact modules parsed on this engine version (None with
    the cache off), and whether it is there."""
    if program_cache.cache_dir() is None:
        return None, False
    name = f"{program_cache.entry_key(tuple(ordered), 'parsed')}.parsed"
    return name, program_cache.read_blob(name) == b"ok"


class RegorusEngine:
    """Evaluates with JSON in and out (the Python-object API mishandles sets)."""

    name = "embedded"

    def __init__(self, *, rego_v0: bool = False, compiled: bool = True) -> None:
        self._engine = regorus.Engine()
        self._rego_v0 = rego_v0
        if rego_v0:
            self._engine.set_rego_v0(True)
        # The Rvm compiler takes Rego v1 only.
        self._compiled = compiled and not rego_v0
        self._modules: list[tuple[str, str]] = []
        # Modules known to parse (see _parsed_marker) and not yet given to the interpreter: added when
        # it is first needed, so a process the compiled mode answers alone skips parsing them (~50 ms).
        self._pending: list[tuple[str, str]] = []
        self._data: dict[str, Any] = {}
        self._data_json = "{}"
        # One virtual machine per rule path, or None where the compiler declined the modules.
        self._vms: dict[str, Any] = {}
        # Per rule path, the shortest input (JSON length) that ran out of instructions: inputs at least
        # as long go to the interpreter at once, without the abandoned compiled try (1-2 ms).
        self._limit_lengths: dict[str, int] = {}
        self._modules_key = 0  # identifies the loaded modules in the process-wide counts
        self.compile_after = COMPILE_AFTER  # 0: compile on first use (the cross-engine tests do)
        # Inputs the interpreter answered instead of the compiled mode, by reason (see above).
        self.fallbacks: Counter[str] = Counter()

    def load(self, modules: Mapping[str, str], data: Mapping[str, Any]) -> None:
        ordered = sorted(modules.items())
        marker, parsed_before = _parsed_marker(ordered)
        if self._compiled and parsed_before:
            self._pending.extend(ordered)
        else:
            self._add_policies(ordered)
            if marker is not None and not parsed_before:
                program_cache.write_blob(marker, b"ok")
        try:
            if data:
                self._engine.add_data_json(json.dumps(data))
        except RuntimeError as exc:
            raise EngineError(f"embedded engine rejected the policies: {_first_line(exc)}") from None
        self._modules.extend(ordered)
        self._modules_key = hash(tuple(self._modules))
        self._data = deep_merge(self._data, data)
        self._data_json = json.dumps(self._data)
        self._vms.clear()

    def _add_policies(self, ordered: list[tuple[str, str]]) -> None:
        pending, self._pending = self._pending, []
        try:
            for path, text in [*pending, *ordered]:
                self._engine.add_policy(path, text)
        except RuntimeError as exc:
            raise EngineError(f"embedded engine rejected the policies: {_first_line(exc)}") from None

    def _interpreter(self) -> Any:
        """The regorus interpreter, with every loaded module in it."""
        if self._pending:
            self._add_policies([])
        return self._engine

    def clone(self) -> RegorusEngine:
        twin = RegorusEngine.__new__(RegorusEngine)
        twin._engine = self._engine.clone()
        twin._rego_v0 = self._rego_v0
        twin._compiled = self._compiled
        twin._modules = list(self._modules)
        twin._pending = list(self._pending)
        twin._modules_key = self._modules_key
        twin.compile_after = self.compile_after
        twin.fallbacks = Counter()
        twin._data = copy.deepcopy(self._data)
        twin._data_json = self._data_json
        twin._vms = {}
        twin._limit_lengths = dict(self._limit_lengths)
        return twin

    def add_data(self, data: Mapping[str, Any]) -> None:
        self._engine.add_data_json(json.dumps(data))
        self._data = deep_merge(self._data, data)
        self._data_json = json.dumps(self._data)
        self._vms.clear()

    def expect(self, evaluations: int, query: str | None = None) -> None:
        """A hint: about this many evaluations (of `query`) follow. Enough of them pay for
        compiling at once; the query's program is then ready before any fork (--jobs)."""
        if evaluations >= COMPILE_AFTER:
            self.compile_after = 0
            if query is not None and self._compiled and _RULE_PATH.match(query):
                self._vm_for(query)

    def _vm_for(self, rule_path: str) -> Any:
        """The virtual machine for a rule path, loaded once the path is used often enough (see
        COMPILE_AFTER); None until then, or if it cannot be compiled."""
        if rule_path not in self._vms:
            key = (self._modules_key, rule_path)
            modules = tuple(self._modules)
            if (
                _evaluations[key] < self.compile_after
                and _cached_program(modules, rule_path) is program_cache.MISSING
            ):
                _evaluations[key] += 1
                return None
            vm = None
            program = _compiled_program(modules, rule_path)
            if program is not None:
                vm = regorus.Rvm()
                vm.load_program(program)
                vm.set_data_json(self._data_json)
            self._vms[rule_path] = vm
        return self._vms[rule_path]

    def _run_compiled(self, vm: Any, query: str, input_json: str) -> str | None:
        """The compiled answer as JSON text, or None when the interpreter must answer instead."""
        if len(input_json) >= self._limit_lengths.get(query, len(input_json) + 1):
            self.fallbacks["instruction-limit"] += 1  # predicted: at least as long as one that ran out
            return None
        try:
            vm.set_input_json(input_json)
            raw: str = vm.execute_entry_point(query)
        except RuntimeError as exc:
            reason = "instruction-limit" if "instruction limit" in str(exc) else "error"
            if reason == "instruction-limit":
                shortest = self._limit_lengths.get(query, len(input_json))
                self._limit_lengths[query] = min(len(input_json), shortest)
            self.fallbacks[reason] += 1
            return None
        if _UNDEFINED in raw and raw != _UNDEFINED:
            self.fallbacks["undefined-marker"] += 1
            return None
        return raw

    def evaluate(self, query: str, input_json: str) -> Any:
        try:
            if _is_rule_path(query):
                vm = self._vm_for(query) if self._compiled else None
                raw = self._run_compiled(vm, query, input_json) if vm is not None else None
                if raw is None:
                    # A plain rule path skips query compilation, whose cost grows with every loaded
                    # module (about 150 us per call with the whole catalogue).
                    interpreter = self._interpreter()
                    interpreter.set_input_json(input_json)
                    raw = interpreter.eval_rule_as_json(query)
                return UNDEFINED if raw == _UNDEFINED else _loads(raw)
            interpreter = self._interpreter()
            interpreter.set_input_json(input_json)
            raw = interpreter.eval_query_as_json(query)
        except RuntimeError as exc:
            raise EngineError(f"embedded engine failed on {query}: {_first_line(exc)}") from None
        results = _loads(raw).get("result") or []
        if not results:
            return UNDEFINED
        return results[0]["expressions"][0]["value"]


class RegorusInterpreterEngine(RegorusEngine):
    """The embedded engine with the compiled mode off: every query goes to the interpreter."""

    name = "embedded-interpreter"

    def __init__(self, *, rego_v0: bool = False) -> None:
        super().__init__(rego_v0=rego_v0, compiled=False)
