"""The embedded engine: regorus (Rust) through the gordon-to-regorus wheel. No opa binary needed."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import regorus

from kfpolicy.engines.base import UNDEFINED
from kfpolicy.errors import EngineError

_RULE_PATH = re.compile(r"^data(\.[A-Za-z_][A-Za-z0-9_]*)+$")
# What eval_rule_as_json returns for an undefined rule (a JSON string no rule of ours produces).
_UNDEFINED_RULE = '"<undefined>"'


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    # regorus appends a Rust backtrace; keep the part that says what went wrong.
    return text.split("\nStack backtrace:")[0].strip()


class RegorusEngine:
    """Evaluates with set_input_json + eval_query_as_json (the Python-object API mishandles sets)."""

    name = "embedded"

    def __init__(self, *, rego_v0: bool = False) -> None:
        self._engine = regorus.Engine()
        if rego_v0:
            self._engine.set_rego_v0(True)

    def load(self, modules: Mapping[str, str], data: Mapping[str, Any]) -> None:
        try:
            for path, text in sorted(modules.items()):
                self._engine.add_policy(path, text)
            if data:
                self._engine.add_data_json(json.dumps(data))
        except RuntimeError as exc:
            raise EngineError(f"embedded engine rejected the policies: {_first_line(exc)}") from None

    def clone(self) -> RegorusEngine:
        twin = RegorusEngine.__new__(RegorusEngine)
        twin._engine = self._engine.clone()
        return twin

    def add_data(self, data: Mapping[str, Any]) -> None:
        self._engine.add_data_json(json.dumps(data))

    def evaluate(self, query: str, input_json: str) -> Any:
        try:
            self._engine.set_input_json(input_json)
            if _RULE_PATH.match(query):
                # A plain rule path skips query compilation, whose cost grows with every loaded
                # module (about 150 us per call with the whole catalogue).
                raw = self._engine.eval_rule_as_json(query)
                return UNDEFINED if raw == _UNDEFINED_RULE else json.loads(raw)
            raw = self._engine.eval_query_as_json(query)
        except RuntimeError as exc:
            raise EngineError(f"embedded engine failed on {query}: {_first_line(exc)}") from None
        results = json.loads(raw).get("result") or []
        if not results:
            return UNDEFINED
        return results[0]["expressions"][0]["value"]
