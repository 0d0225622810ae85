"""Real OPA (its Go engine, in-process) through opa-golib-python-bindings, for cross-checks.

The wheel declares Python >= 3.14 but works on 3.11; the test set-up installs it with
`pip install --ignore-requires-python`. It is optional at runtime: `available()` says whether it is here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from kfpolicy.engines.base import UNDEFINED
from kfpolicy.errors import EngineError


def available() -> bool:
    try:
        import opa_bindings.engine  # noqa: F401
    except ImportError:
        return False
    return True


class OpaGolibEngine:
    name = "opa"

    def __init__(self) -> None:
        try:
            from opa_bindings.engine import OpaEngine
        except ImportError as exc:
            raise EngineError(
                "real OPA engine not installed: "
                "pip install --ignore-requires-python opa-golib-python-bindings"
            ) from exc
        self._engine = OpaEngine()

    def load(self, modules: Mapping[str, str], data: Mapping[str, Any]) -> None:
        from opa_bindings.engine import OpaError

        try:
            for path, text in sorted(modules.items()):
                self._engine.add_policy(path, text)
            if data:
                self._engine.add_data(dict(data))
        except OpaError as exc:
            raise EngineError(f"OPA rejected the policies: {exc}") from None

    def evaluate(self, query: str, input_json: str) -> Any:
        from opa_bindings.engine import OpaError, OpaUndefinedError

        try:
            rows = self._engine.eval_query(f"x := {query}", input=json.loads(input_json))
        except OpaUndefinedError:
            return UNDEFINED
        except OpaError as exc:
            raise EngineError(f"OPA failed on {query}: {exc}") from None
        if not rows:
            return UNDEFINED
        return rows[0]["x"]
