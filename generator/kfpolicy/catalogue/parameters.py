"""Parameter values checked against a rule's JSON schema (with the Kubernetes `quantity` format), and
the key paths errors name."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from kfpolicy.errors import CatalogueError
from kfpolicy.quantity import parse_quantity


def json_path(parts: Sequence[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "<root>"


@functools.lru_cache(maxsize=1)
def _quantity_checker() -> Any:
    """jsonschema's format checker with the `quantity` format; jsonschema is imported on first use
    (a third of a second of start-up that a cached catalogue without parameters does not need)."""
    import jsonschema

    checker = jsonschema.FormatChecker()
    checker.checks("quantity", raises=(ValueError, TypeError))(_is_quantity)
    return checker


# kfpolicy.quantity reads only the canonical grammar Kubernetes (and lib.kubeflow.quantity) accepts;
# the kubernetes package's parse_quantity is looser ("1K", "1 Gi", "1e3Gi" parse), and a parameter the
# policies cannot read would silently switch its check off.
def _is_quantity(value: Any) -> bool:
    if not isinstance(value, str):
        return True  # "type" reports wrong types
    parse_quantity(value)
    return True


def check_parameters(where: str, schema: dict[str, Any], values: Any) -> None:
    """Validate parameter values (defaults, profile overrides, user data) against a rule's schema."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema, format_checker=_quantity_checker())
    errors = sorted(validator.iter_errors(values), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        err = errors[0]
        key = json_path(["parameters", *err.absolute_path])
        raise CatalogueError(f"{where}: {key}: {err.message}")
