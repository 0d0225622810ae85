"""What JSON or a policy engine cannot carry, found before a value reaches one, and strict JSON
parsing (duplicate keys and non-finite constants refused)."""

from __future__ import annotations

import json
import math
from typing import Any

from kfpolicy.yamlio import MAX_DEPTH, MAX_EXPANDED_NODES, MAX_NUMBER


def loads_strict(text: str) -> Any:
    """JSON text to a value; ValueError on duplicate keys, NaN/Infinity and syntax errors."""
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)


def unsafe_value(value: Any, limit: int = MAX_DEPTH) -> str | None:
    """Find what JSON or a policy engine cannot carry: too deep nesting, non-finite numbers,
    numbers beyond float64, text that is not Unicode (lone surrogates), non-text values."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    seen = 0
    while stack:
        v, depth = stack.pop()
        seen += 1
        if seen > MAX_EXPANDED_NODES:
            return f"more than {MAX_EXPANDED_NODES:,} values"
        if depth > limit:
            return f"nested more than {limit} levels deep"
        if isinstance(v, dict):
            for k, child in v.items():
                if not isinstance(k, str):
                    return f"mapping key {k!r} is not a string"
                if not k.isascii() and lone_surrogate(k):
                    return "a key holds a lone surrogate (not Unicode text)"
                stack.append((child, depth + 1))
        elif isinstance(v, list):
            stack.extend((child, depth + 1) for child in v)
        elif isinstance(v, float) and not math.isfinite(v):
            return f"non-finite number {v!r}"
        elif isinstance(v, int) and abs(v) >= MAX_NUMBER:
            return "number too large (beyond float64)"
        elif isinstance(v, str) and not v.isascii() and lone_surrogate(v):
            return "a string holds a lone surrogate (not Unicode text)"
        elif isinstance(v, bytes):
            return "binary (!!binary) values are not supported"
    return None


def lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON constant {name}")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {k!r}")
        out[k] = v
    return out


def json_problem(exc: ValueError | RecursionError) -> tuple[str, int | None]:
    if isinstance(exc, json.JSONDecodeError):
        return exc.msg, exc.lineno
    return " ".join(str(exc).split()) or "nested too deeply", None
