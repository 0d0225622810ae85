"""The object under review in a rego input, and field paths: whether a violation's field names a
path in the object, and the catalogue's own deliberate exceptions."""

from __future__ import annotations

import re
from typing import Any

from kfpolicy.catalogue.model import Catalogue


def object_of(rego_input: Any) -> Any:
    """What the library treats as the object under review (mirrors lib.kubeflow.core.obj)."""
    if isinstance(rego_input, dict):
        for outer in ("review", "request"):
            inner = rego_input.get(outer)
            if isinstance(inner, dict) and isinstance(inner.get("object"), dict):
                return inner["object"]
        return rego_input
    return {}


def resolve(value: Any, path: str) -> bool:
    """Whether a field path (`a.b[Key].c[0]`, keys may hold dots or brackets) names a value in `value`.

    Tries every key that fits, so map keys such as `nvidia.com/gpu` or `a]b` resolve.
    """
    return _longest(value, path, first=True) == len(path)


def existing_prefix(value: Any, path: str) -> str:
    """The longest prefix of `path` that names a value in `value`."""
    return path[: _longest(value, path, first=True)]


def _longest(value: Any, path: str, first: bool, pos: int = 0) -> int:
    best = pos
    if pos == len(path):
        return pos
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                continue
            for piece in ((k,) if first else ()) + ("." + k, "[" + k + "]"):
                if piece and path.startswith(piece, pos):
                    best = max(best, _longest(v, path, False, pos + len(piece)))
                    if best == len(path):
                        return best
    elif isinstance(value, list):
        m = re.compile(r"\[(\d+)\]").match(path, pos)
        if m and int(m.group(1)) < len(value):
            best = max(best, _longest(value[int(m.group(1))], path, False, m.end()))
    return best


def field_problem(obj: Any, field: str, vtype: str, quirks: frozenset[str] = frozenset(),
                  value: Any = "") -> str:
    """'' when a violation's field names a path in the object. A Required error, or any error whose
    bad value is null (upstream reports e.g. `[Master].replicas: Forbidden` and RT-2's `containers:
    Invalid` for absent fields; Go's zero values "", [] and {} likewise), may name a missing field:
    then its nearest existing parent must be
    reached so that only named fields are missing, i.e. every map key and index in it is real."""
    if not field or pattern_of(field) in quirks:
        return ""
    if resolve(obj, field):
        return ""
    if vtype == "FieldValueRequired" or value in (None, "", [], {}):
        rest = field[len(existing_prefix(obj, field)):]
        # What is missing may only be named fields (`.a.b`), or a map key the rule requires (`[Worker]`)
        # as the last step.
        rest_wo_last_key = re.sub(r"\[[^\[\]]*\]$", "", rest)
        if "[" not in rest_wo_last_key:
            return ""
    prefix = existing_prefix(obj, field)
    return f"field {field!r} ({vtype}) is not in the object (longest existing prefix {prefix!r})"


def pattern_of(field: str) -> str:
    """A field with its indices and map keys replaced by `[*]`, to compare fields across objects."""
    return re.sub(r"\[[^\[\]]*\]", "[*]", field)


def quirk_fields(cat: Catalogue) -> frozenset[str]:
    """Field patterns that the catalogue's own examples report without the path existing in the
    object: upstream's deliberate oddities (e.g. `spec.RuntimeRef`, sic), copied on purpose."""
    out = set()
    for rule in cat.rules.values():
        for ex in rule.examples:
            for v in ex.violations:
                if v.field and field_problem(ex.object, v.field, "", value="strict"):
                    out.add(pattern_of(v.field))
    return frozenset(out)
