"""Kubernetes resource quantities ("500m", "2Gi", "1e3"), read without the `kubernetes` package:
importing it costs about 0.2 s of start-up, and `kfpolicy eval` needs only this.

Only the canonical grammar the API server (and lib.kubeflow.quantity) accepts is read; the value is
exact (a Decimal), as the kubernetes package's parse_quantity gives it.
"""

from __future__ import annotations

import re
from decimal import Decimal

QUANTITY_RE = re.compile(
    r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$"
)
MAX_LENGTH = 64

_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}


def parse_quantity(text: str) -> Decimal:
    """The exact value of a canonical quantity; ValueError for anything else."""
    match = QUANTITY_RE.match(text) if len(text) <= MAX_LENGTH else None
    if match is None:
        raise ValueError(f"{text!r} is not a Kubernetes quantity (e.g. 500m, 2Gi, 8)")
    suffix = match.group(3) or ""
    number = Decimal(text[: len(text) - len(suffix)])
    if suffix in _BINARY:
        return number * Decimal(1024) ** _BINARY[suffix]
    if suffix in _DECIMAL:
        return number.scaleb(_DECIMAL[suffix]) if _DECIMAL[suffix] else number
    return number.scaleb(int(suffix[1:]))  # an exponent: e3, E-2
