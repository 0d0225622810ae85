"""A bounded memo for the YAML reader's per-line and per-string answers, which repeat across
manifests: a dict (so a hit is one C lookup, `memo[key]` or `memo.get(key)`) that computes a missing
answer and starts afresh once it holds `limit` of them."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedMemo(dict[K, V], Generic[K, V]):
    def __init__(self, compute: Callable[[K], V], limit: int = 1 << 16) -> None:
        super().__init__()
        self._compute = compute
        self._limit = limit

    def __missing__(self, key: K) -> V:
        value = self._compute(key)
        if len(self) >= self._limit:
            self.clear()
        self[key] = value
        return value
