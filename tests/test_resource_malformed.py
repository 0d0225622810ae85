"""Malformed input to the resource rules, on both engines: later stages stay silent, field-types
speaks once, no profile breaks, and nothing is an evaluation error."""

from __future__ import annotations

import pytest

from kfpolicy.runner import Evaluator
from resource_jobs import EXPECTED_FIELD_TYPES, MALFORMED, RESOURCE_RULES, evaluate, found, job

# --- malformed input: later stages stay silent, field-types speaks once, nothing errors -------------


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_structure_gets_one_type_error_and_no_resource_noise(
    evaluators: dict[str, Evaluator], name: str
) -> None:
    result = evaluate(evaluators["mine"], MALFORMED[name])
    assert [f for r, f, _ in found(result)] == EXPECTED_FIELD_TYPES[name]
    assert {r for r, _, _ in found(result)} <= {"field-types"}


@pytest.mark.parametrize("name", sorted(MALFORMED))
@pytest.mark.parametrize("profile", ["baseline", "restricted"])
def test_malformed_structure_never_breaks_a_profile(
    evaluators: dict[str, Evaluator], name: str, profile: str
) -> None:
    """resources-required may still ask for what is missing from the well-formed parts, never
    inside a malformed part; the other resource rules stay silent."""
    result = evaluate(evaluators[profile], MALFORMED[name])
    assert result.decision in ("deny", "allow")
    assert not {v.rule for v in result.violations} & (set(RESOURCE_RULES) - {"resources-required"})
    malformed = EXPECTED_FIELD_TYPES[name]
    for v in result.violations:
        if v.rule == "resources-required":
            assert not any(v.field.startswith(m + ".") or v.field.startswith(m + "[") for m in malformed), (
                v.field
            )


def test_weird_resource_names_and_values(evaluators: dict[str, Evaluator]) -> None:
    resources = {
        "requests": {"": "1", "ü/gpu": "1", "requests.nvidia.com/gpu": 1, "x" * 300: "1", "a/b/c": "2"},
        "limits": {"": "1", "ü/gpu": "1", "requests.nvidia.com/gpu": 1, "x" * 300: "1", "a/b/c": "2"},
    }
    result = evaluate(evaluators["mine"], job(resources))
    assert found(result) == []
    long_value = evaluate(evaluators["mine"], job({"limits": {"cpu": "1" * 100}}))
    assert [r for r, _, _ in found(long_value)] == ["resource-quantities-valid"]
