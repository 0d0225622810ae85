"""JSON-like values: one deep merge for the whole package (Rego's object.union semantics), and
reading nested objects of untrusted documents."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any


def deep_merge(base: Any, over: Any) -> Any:
    """Objects merge recursively, anything else is replaced by a copy of `over`; neither input changes."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = deep_merge(base[key], value) if key in base else copy.deepcopy(value)
        return out
    return copy.deepcopy(over)


def member_object(value: Mapping[str, Any], key: str) -> dict[str, Any]:
    """value[key] when it is an object, else an empty one: for reading untrusted documents."""
    member = value.get(key)
    return member if isinstance(member, dict) else {}
