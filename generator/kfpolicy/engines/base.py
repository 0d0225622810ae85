"""The Engine protocol every backend satisfies, and the value that stands for 'undefined'."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class _Undefined:
    """A query with no result (Rego 'undefined'), distinct from null/false."""

    _instance: _Undefined | None = None

    def __new__(cls) -> _Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __bool__(self) -> bool:
        return False


UNDEFINED = _Undefined()


class Engine(Protocol):
    """A Rego engine loaded with modules and data, evaluating queries against JSON inputs.

    `evaluate` takes the input already serialised as JSON so that callers serialise once and
    every backend sees the same bytes. Errors are raised as kfpolicy.errors.EngineError.
    """

    name: str

    def load(self, modules: Mapping[str, str], data: Mapping[str, Any]) -> None: ...

    def evaluate(self, query: str, input_json: str) -> Any: ...
