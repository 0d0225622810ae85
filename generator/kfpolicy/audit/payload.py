"""Decode what the API server sends, so that one bad object never sinks its whole page.

A number that no engine can hold (more digits than a float64 can reach, or a float that overflows)
is kept as a marker instead of failing the page, and each object is then checked on its own:
markers, lone surrogates, non-finite numbers and too deep nesting make that object an error that
names it, while the rest of the page is evaluated.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from kfpolicy.errors import KfpolicyError
from kfpolicy.yamlio import MAX_DEPTH

MAX_DIGITS = 308  # float64 tops out near 1.8e308
# How deep the page parser may go: deeper than any object is allowed to be (MAX_DEPTH), so a too
# deep object is found and named by the per-object check rather than failing the page.
PARSE_DEPTH = 10_000


@dataclass(frozen=True)
class HugeNumber:
    """A number as the server wrote it, too large to evaluate."""

    text: str


def _int(text: str) -> Any:
    return HugeNumber(text) if len(text.lstrip("-")) > MAX_DIGITS else int(text)


def _float(text: str) -> Any:
    value = float(text)
    return value if math.isfinite(value) else HugeNumber(text)


def _constant(name: str) -> Any:
    return HugeNumber(name)


@contextmanager
def _recursion_limit(limit: int) -> Iterator[None]:
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def parse_json(data: bytes, where: str) -> Any:
    """JSON from the API server; a body that is not JSON is a KfpolicyError naming the request."""
    try:
        text = data.decode("utf-8")
        with _recursion_limit(PARSE_DEPTH):
            return json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except UnicodeDecodeError:
        raise KfpolicyError(f"{where}: the API server's answer is not UTF-8 text") from None
    except RecursionError:
        raise KfpolicyError(
            f"{where}: the API server's answer is nested more than {PARSE_DEPTH:,} levels deep"
        ) from None
    except ValueError as exc:
        start = " ".join(data[:80].decode("utf-8", "replace").split())
        raise KfpolicyError(
            f"{where}: the API server's answer is not JSON ({exc}); it starts {start!r}"
        ) from None


def object_problem(obj: Any) -> str | None:
    """Why one listed object cannot be evaluated, or None. Iterative: any depth is safe."""
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"nested more than {MAX_DEPTH} levels deep"
        if isinstance(value, HugeNumber):
            return f"number too large to evaluate: {value.text[:40]}{'...' if len(value.text) > 40 else ''}"
        if isinstance(value, float) and not math.isfinite(value):
            return f"non-finite number {value!r}"
        if isinstance(value, str) and not _is_text(value):
            return "a string holds a lone surrogate (invalid Unicode)"
        if isinstance(value, dict):
            for key, child in value.items():
                if not _is_text(key):
                    return "a key holds a lone surrogate (invalid Unicode)"
                stack.append((child, depth + 1))
        elif isinstance(value, list):
            stack.extend((child, depth + 1) for child in value)
    return None


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
