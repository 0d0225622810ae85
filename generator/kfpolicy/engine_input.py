"""The input as JSON text for the engines: fast (orjson), and with numbers as a Kubernetes API
server would send them, so that every engine sees the same values."""

from __future__ import annotations

import json
from typing import Any

import orjson

INT64_MAX = 2**63 - 1


def _plain_numbers(value: Any) -> Any:
    """Numbers as a Kubernetes API server would send them: integral floats (1.0, -0.0) as integers,
    and integers beyond int64 as float64 (its JSON decoder keeps a number as int64 only when it
    fits). OPA compares integers exactly and the embedded engine as float64, so without this an
    UPDATE from 2**64 + 1 to 2**64 changes a field on one engine and not on the other."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > INT64_MAX:
        return float(value)
    if isinstance(value, dict):
        return {k: _plain_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_numbers(v) for v in value]
    return value


# Digits as "#", to find the shapes below with plain substring searches (a regular expression over
# the whole text cost 30-90 µs on the benchmark job, more than the engine's input handling).
_DIGITS_AS_HASH = bytes.maketrans(b"0123456789", b"#" * 10)
_LONG_INTEGER = b"#" * 19


def _needs_rewrite(raw: bytes) -> bool:
    """Whether JSON text may hold a number that _plain_numbers changes: an integral float ("1.0",
    "-0.0"), an exponent form ("1e16", "1e+16") or an integer of 19 digits or more. Text inside
    strings that merely looks alike ("v1.0", "1e5") only costs the slower path."""
    shape = raw.translate(_DIGITS_AS_HASH)
    if b"#e" in shape or b"#E" in shape or _LONG_INTEGER in shape:
        return True
    at = raw.find(b".0")
    while at != -1:
        after = raw[at + 2 : at + 3]
        if after in (b"", b",", b"]", b"}", b" "):
            return True
        at = raw.find(b".0", at + 2)
    return False


def _dumps(value: Any) -> str:
    """JSON text, by orjson (several times faster); json for what orjson refuses (integers beyond
    64 bits, non-string keys, lone surrogates)."""
    try:
        return orjson.dumps(value).decode("utf-8")
    except TypeError:
        return json.dumps(value)


def input_json(value: Any, *, plain_numbers: bool = False) -> str:
    """The input as JSON text for the engines, numbers as the API server sends them (see
    _plain_numbers). Integral floats are written as integers: OPA prints a number as written
    ("1.0") inside composite values, the embedded engine prints its float64 ("1"). `plain_numbers`:
    the value is known to hold no floats and no integers beyond int64 (nothing to rewrite)."""
    try:
        raw = orjson.dumps(value)
    except TypeError:
        return _dumps(_plain_numbers(value))  # beyond orjson (e.g. integers over 64 bits): rewrite
    if plain_numbers or not _needs_rewrite(raw):
        return raw.decode("utf-8")
    return _dumps(_plain_numbers(value))
