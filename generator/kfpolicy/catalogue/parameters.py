"""Parameter values checked against a rule's JSON schema (with the Kubernetes `quantity` format), and
the key paths errors name."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import jsonschema
from kubernetes.utils.quantity import parse_quantity

from kfpolicy.errors import CatalogueError


def json_path(parts: Sequence[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "<root>"


_QUANTITY_CHECKER = jsonschema.FormatChecker()


# The canonical grammar Kubernetes (and lib.kubeflow.quantity) accepts. The kubernetes package's
# parse_quantity alone is looser ("1K", "1 Gi", "1e3Gi" parse), and a parameter the policies cannot
# read would silently switch its check off.
_QUANTITY_RE = re.compile(
    r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$"
)


@_QUANTITY_CHECKER.checks("quantity", raises=(ValueError, TypeError))
def _is_quantity(value: Any) -> bool:
    if not isinstance(value, str):
        return True  # "type" reports wrong types
    if len(value) > 64 or not _QUANTITY_RE.match(value):
        raise ValueError(f"{value!r} is not a Kubernetes quantity (e.g. 500m, 2Gi, 8)")
    parse_quantity(value)
    return True


def check_parameters(where: str, schema: dict[str, Any], values: Any) -> None:
    """Validate parameter values (defaults, profile overrides, user data) against a rule's schema."""
    validator = jsonschema.Draft202012Validator(schema, format_checker=_QUANTITY_CHECKER)
    errors = sorted(validator.iter_errors(values), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        err = errors[0]
        key = json_path(["parameters", *err.absolute_path])
        raise CatalogueError(f"{where}: {key}: {err.message}")
