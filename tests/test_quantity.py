"""kfpolicy.quantity agrees with the kubernetes package's parse_quantity on the canonical grammar,
and refuses what the policies cannot read."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kubernetes.utils.quantity import parse_quantity as kube_parse

from kfpolicy.quantity import parse_quantity

_SUFFIXES = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P", "E"]
_numbers = st.one_of(
    st.from_regex(r"[0-9]{1,12}", fullmatch=True),
    st.from_regex(r"[0-9]{1,8}\.[0-9]{0,6}", fullmatch=True),
    st.from_regex(r"\.[0-9]{1,6}", fullmatch=True),
)


@settings(max_examples=400, deadline=None)
@given(sign=st.sampled_from(["", "+", "-"]), number=_numbers, suffix=st.sampled_from(_SUFFIXES))
def test_agrees_with_kubernetes(sign: str, number: str, suffix: str) -> None:
    text = sign + number + suffix
    assert parse_quantity(text) == kube_parse(text)


@settings(max_examples=200, deadline=None)
@given(number=_numbers, exponent=st.integers(-20, 20), letter=st.sampled_from("eE"))
def test_exponents_agree_with_kubernetes(number: str, exponent: int, letter: str) -> None:
    text = f"{number}{letter}{exponent:+d}" if exponent < 0 else f"{number}{letter}{exponent}"
    assert parse_quantity(text) == kube_parse(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [("500m", Decimal("0.5")), ("2Gi", Decimal(2 * 1024**3)), ("1e3", Decimal(1000)), ("8", Decimal(8))],
)
def test_known_values(text: str, value: Decimal) -> None:
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "1K", "1 Gi", "1e3Gi", "Gi", "1.2.3", "ki", "1ki", "x" * 65, "1" * 65])
def test_refuses_non_canonical(text: str) -> None:
    with pytest.raises(ValueError, match="is not a Kubernetes quantity"):
        parse_quantity(text)


def test_eval_does_not_import_kubernetes() -> None:
    import subprocess
    import sys
    from pathlib import Path

    jobs = Path(__file__).resolve().parent.parent / "examples" / "jobs"
    code = (
        "import sys\nfrom kfpolicy.cli import cli\n"
        f"try:\n    cli(['eval', {str(jobs)!r}])\nexcept SystemExit:\n    pass\n"
        "print('kubernetes' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "False"
