"""The resource, type and pod-security rules on the Kubernetes quantity grammar, on both engines:
what Kubernetes accepts passes, the rest gets Kubernetes' message; types, signs, whole units, nulls."""

from __future__ import annotations

from typing import Any

import pytest

from kfpolicy.runner import Evaluator
from resource_jobs import C0, INVALID, SYNTAX, VALID, evaluate, found, job

# --- the quantity grammar -------------------------------------------------------------------------


@pytest.mark.parametrize("q", VALID)
def test_valid_quantities_pass(evaluators: dict[str, Evaluator], q: str) -> None:
    result = evaluate(evaluators["mine"], job({"requests": {"memory": q}, "limits": {"memory": q}}))
    assert found(result) == []


@pytest.mark.parametrize("q", INVALID)
def test_invalid_quantities_get_the_kubernetes_message(evaluators: dict[str, Evaluator], q: str) -> None:
    result = evaluate(evaluators["mine"], job({"limits": {"memory": q}}))
    field = f"{C0}.resources.limits[memory]"
    assert found(result) == [("resource-quantities-valid", field, f'{field}: Invalid value: "{q}": {SYNTAX}')]


def test_control_characters_are_invalid(evaluators: dict[str, Evaluator]) -> None:
    # (The message prints the string between quotes as given; Go's %q would escape the newline.)
    result = evaluate(evaluators["mine"], job({"limits": {"memory": "1\n"}}))
    assert [(r, f) for r, f, _ in found(result)] == [
        ("resource-quantities-valid", f"{C0}.resources.limits[memory]")
    ]


@pytest.mark.parametrize(("value", "shown"), [(True, '"boolean"'), ([1], '"array"'), ({"v": 1}, '"object"')])
def test_non_quantity_types_are_named(evaluators: dict[str, Evaluator], value: Any, shown: str) -> None:
    result = evaluate(evaluators["mine"], job({"requests": {"cpu": value}}))
    field = f"{C0}.resources.requests[cpu]"
    assert found(result) == [
        ("resource-quantities-valid", field, f"{field}: Invalid value: {shown}: {SYNTAX}")
    ]


@pytest.mark.parametrize(
    ("q", "shown"), [("-1", '"-1"'), ("-500m", '"-500m"'), (-2, '"-2"'), ("-0.5Gi", '"-0.5Gi"')]
)
def test_negative_quantities(evaluators: dict[str, Evaluator], q: Any, shown: str) -> None:
    result = evaluate(evaluators["mine"], job({"requests": {"cpu": q}}))
    field = f"{C0}.resources.requests[cpu]"
    assert found(result) == [
        (
            "resource-quantities-valid",
            field,
            f"{field}: Invalid value: {shown}: must be greater than or equal to 0",
        )
    ]


@pytest.mark.parametrize(
    ("q", "whole"),
    [("1", True), ("2000m", True), (3, True), ("1k", True), ("500m", False), ("1.5", False), ("1e-3", False)],
)
def test_extended_resources_are_whole_units(evaluators: dict[str, Evaluator], q: Any, whole: bool) -> None:
    result = evaluate(evaluators["mine"], job({"limits": {"nvidia.com/gpu": q, "cpu": "500m"}}))
    assert bool(found(result, "resource-quantities-valid")) is not whole


def test_null_quantities_count_as_unset(evaluators: dict[str, Evaluator]) -> None:
    assert found(evaluate(evaluators["mine"], job({"requests": {"cpu": None}, "limits": {"cpu": "1"}}))) == []
