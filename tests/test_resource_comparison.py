"""Requests against limits compared by value, on both engines, as the kubernetes package's own
parser compares them; extended resources must be equal and need a limit; one message per resource."""

from __future__ import annotations

from decimal import Decimal

import pytest
from kubernetes.utils.quantity import parse_quantity

from kfpolicy.runner import Evaluator
from resource_jobs import C0, evaluate, found, job

# --- comparison by value (checked against the kubernetes package's own parser) --------------------

PAIRS = [
    ("1", "1000m"),
    ("1001m", "1"),
    ("1Gi", "1024Mi"),
    ("1G", "1Gi"),
    ("1Gi", "1G"),
    ("0.5Gi", "512Mi"),
    ("1e3", "1k"),
    ("1k", "999"),
    ("100Mi", "0.1Gi"),
    ("2", "1.5"),
    ("1u", "1n"),
    ("1Ei", "1E"),
    ("0", "0"),
    ("1.5", "1500m"),
    ("1500001u", "1.5"),
    ("64Gi", "65536Mi"),
    ("65537Mi", "64Gi"),
    ("1e-9", "1n"),
]


@pytest.mark.parametrize(("request_q", "limit_q"), PAIRS)
def test_requests_within_limits_compares_like_kubernetes(
    evaluators: dict[str, Evaluator], request_q: str, limit_q: str
) -> None:
    over = Decimal(parse_quantity(request_q)) > Decimal(parse_quantity(limit_q))
    for name in ("cpu", "memory", "example.kubernetes.io/widgets"):
        result = evaluate(evaluators["mine"], job({"requests": {name: request_q}, "limits": {name: limit_q}}))
        field = f"{C0}.resources.requests"
        want = [
            (
                "requests-within-limits",
                field,
                f'{field}: Invalid value: "{request_q}": '
                f"must be less than or equal to {name} limit of {limit_q}",
            )
        ]
        assert found(result) == (want if over else []), name


def _whole(q: str) -> bool:
    value = Decimal(parse_quantity(q))
    return value == value.to_integral_value()


# Extended resources must be whole units, so only those pairs apply.
WHOLE_PAIRS = [(r, lim) for r, lim in PAIRS if _whole(r) and _whole(lim)]


@pytest.mark.parametrize(("request_q", "limit_q"), WHOLE_PAIRS)
def test_extended_resources_compare_for_equality_like_kubernetes(
    evaluators: dict[str, Evaluator], request_q: str, limit_q: str
) -> None:
    r, lim = Decimal(parse_quantity(request_q)), Decimal(parse_quantity(limit_q))
    result = evaluate(evaluators["mine"], job({"requests": {"nvidia.com/gpu": request_q},
                                               "limits": {"nvidia.com/gpu": limit_q}}))
    assert bool(found(result, "extended-resources-limits")) is (r != lim)


def test_several_resources_over_their_limits_each_get_a_message(evaluators: dict[str, Evaluator]) -> None:
    result = evaluate(
        evaluators["mine"],
        job(
            {
                "requests": {"cpu": 2, "memory": "2Gi", "ephemeral-storage": "1Gi"},
                "limits": {"cpu": 1, "memory": "1Gi"},
            }
        ),
    )
    field = f"{C0}.resources.requests"
    assert found(result) == [
        (
            "requests-within-limits",
            field,
            f'{field}: Invalid value: "2": must be less than or equal to cpu limit of 1',
        ),
        (
            "requests-within-limits",
            field,
            f'{field}: Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi',
        ),
    ]
    assert [v.value for v in result.violations] == ["2", "2Gi"]


@pytest.mark.parametrize(("name", "overcommit"), [
    ("cpu", True), ("memory", True), ("ephemeral-storage", True), ("example.kubernetes.io/widgets", True),
    ("hugepages-2Mi", False), ("hugepages-1Gi", False), ("nvidia.com/gpu", False), ("amd.com/gpu", False),
    ("example.com/foo", False),
])
def test_overcommit_classification(evaluators: dict[str, Evaluator], name: str, overcommit: bool) -> None:
    """Request below limit: fine for overcommitable resources, 'must be equal' for the others."""
    result = evaluate(evaluators["mine"], job({"requests": {name: "1"}, "limits": {name: "2"}}))
    field = f"{C0}.resources.requests"
    if overcommit:
        assert found(result) == []
    else:
        assert found(result) == [("extended-resources-limits", field,
                                  f'{field}: Invalid value: "1": must be equal to {name} limit of 2')]
    missing = evaluate(evaluators["mine"], job({"requests": {name: "1"}}))
    want = [] if overcommit else [("extended-resources-limits", f"{C0}.resources.limits",
                                   f"{C0}.resources.limits: Required value: Limit must be set for non "
                                   "overcommitable resources")]
    assert found(missing) == want


def test_a_limit_alone_is_enough_for_extended_resources(evaluators: dict[str, Evaluator]) -> None:
    assert (
        found(evaluate(evaluators["mine"], job({"limits": {"nvidia.com/gpu": 4, "hugepages-2Mi": "1Gi"}})))
        == []
    )
