"""Breaking and confusing objects: one field given a plausible mistake, or a few fields given the
wrong type (numbers as strings, lists for maps, nulls, unicode, huge numbers, deep nesting)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from kfpolicy.yamlio import MAX_DEPTH

from .leaves import BAD_QUANTITIES, FLOATS, HUGE_INTS, UNICODE, odd_name
from .sources import Source


def locations(value: Any, depth: int = 1) -> list[tuple[Any, Any, int]]:
    """Every (container, key-or-index, depth-of-the-value) in the object."""
    out: list[tuple[Any, Any, int]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            out.append((value, k, depth + 1))
            out.extend(locations(v, depth + 1))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.append((value, i, depth + 1))
            out.extend(locations(v, depth + 1))
    return out


def broken_value(src: Source, old: Any) -> Any:
    """A plausible mistake for a field: wrong sign, wrong type, empty, invalid quantity."""
    if isinstance(old, bool):
        return src.choice([not old, "true", 1, None])
    if isinstance(old, int):
        return src.choice([-1, -old - 1, 0, str(old), None, old + 1000])
    if isinstance(old, str):
        return src.choice(["", src.choice(BAD_QUANTITIES), old.upper() + "_", None, 3, odd_name(src)])
    if isinstance(old, list):
        return src.choice([[], None, {}, old + old])
    if isinstance(old, dict):
        return src.choice([{}, None, [], "x"])
    return src.choice(["", 0, None])


def nested(depth: int, leaf: Any, as_list: bool) -> Any:
    out = leaf
    for _ in range(depth):
        out = [out] if as_list else {"a": out}
    return out


def confused_value(src: Source, old: Any, depth: int, max_containers: int) -> Any:
    r = src.integer(0, 11)
    if r == 0:  # numbers as strings
        return (
            str(old)
            if isinstance(old, (int, float)) and not isinstance(old, bool)
            else src.choice(["3", "-1", "1e3", "0x1f", " 2 "])
        )
    if r == 1:  # lists where maps belong, maps where lists belong
        return [old] if not isinstance(old, list) else {str(i): v for i, v in enumerate(old)}
    if r == 2:
        return None
    if r == 3:
        return src.text(UNICODE, 0, 40)
    if r == 4:
        return src.choice(["a" * 253, "b" * 5000, "名" * 1000])
    if r == 5:
        return src.choice(HUGE_INTS)
    if r == 6:
        return src.choice(FLOATS)
    if r == 7:  # deep nesting, staying inside the reader's depth limit
        room = max(0, MAX_DEPTH - depth - 1)
        return nested(src.integer(0, room), src.choice([1, "x", None, {}]), src.chance(50))
    if r == 8:
        return src.choice([True, False])
    if r == 9:
        return src.choice([{}, [], ""])
    if r == 10 and isinstance(old, list) and max_containers:
        template = old[0] if old and isinstance(old[0], dict) else {"name": "c", "image": "i"}
        n = src.integer(1, max_containers)
        return [dict(template, name=f"c{i}") for i in range(n)]
    return src.choice([-1, 0, 2**31, -(2**31) - 1, 1.0])


def break_one(src: Source, obj: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    locs = locations(out)
    if not locs:
        return out
    parent, key, _ = src.choice(locs)
    if isinstance(parent, dict) and src.chance(25):
        del parent[key]
    else:
        parent[key] = broken_value(src, parent[key])
    return out


def confuse(src: Source, obj: dict[str, Any], max_containers: int) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    for _ in range(src.integer(1, 4)):
        locs = locations(out)
        if not locs:
            break
        parent, key, depth = src.choice(locs)
        parent[key] = confused_value(src, parent[key], depth, max_containers)
    if src.chance(5):  # a replica spec / job list with many containers
        for parent, key, _ in locations(out):
            if key == "containers" and isinstance(parent[key], list) and max_containers:
                parent[key] = confused_value(_Fixed(10), parent[key], 0, max_containers)
                break
    return out


class _Fixed:
    """A Source that always picks option `pick` (used to force one branch)."""

    def __init__(self, pick: int) -> None:
        self.pick = pick

    def integer(self, lo: int, hi: int) -> int:
        return max(lo, min(hi, self.pick if hi < 50 else hi))

    def choice(self, options: Sequence[Any]) -> Any:
        return options[0]

    def chance(self, percent: int) -> bool:
        return True

    def text(self, alphabet: str, lo: int, hi: int) -> str:
        return alphabet[:lo]
