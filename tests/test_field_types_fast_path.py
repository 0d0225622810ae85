"""field-types recognises a well-typed job in one pass (`well_typed`) and then skips its field-by-field
checks (`mismatches`). The fast path may only ever be taken where those checks find nothing: checked
here on the catalogue's examples and on generated valid, broken and type-confused jobs of every kind
kfpolicy knows (field-types itself applies to the replica jobs), each evaluated with the checks
themselves (which run whatever the fast path says)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings

import fuzzgen
from conftest import ROOT
from kfpolicy.catalogue import Catalogue
from kfpolicy.engines import UNDEFINED
from kfpolicy.inputs import Document, read_paths
from kfpolicy.runner import Evaluator

PACKAGE = "data.lib.kubeflow.rules.field_types"
FAST = settings(max_examples=80, deadline=None, derandomize=True, database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def interpreter(catalogue: Catalogue) -> Evaluator:
    return Evaluator(catalogue, engine="embedded-interpreter", only=["field-types"])


def _fast_and_found(evaluator: Evaluator, rego_input: Any) -> tuple[bool, Any]:
    well_typed = evaluator.query(f"{PACKAGE}.well_typed", rego_input)
    found = evaluator.query(f"{PACKAGE}.mismatches", rego_input)
    return well_typed is True, [] if found is UNDEFINED else found


def test_the_benchmark_job_takes_the_fast_path(interpreter: Evaluator) -> None:
    job = str(ROOT / "benchmarks" / "pytorchjob.yaml")
    doc = next(d for d in read_paths([job]) if isinstance(d, Document))
    assert _fast_and_found(interpreter, doc.input) == (True, [])


def test_examples_take_the_fast_path_only_when_allowed(catalogue: Catalogue, interpreter: Evaluator) -> None:
    slow = 0
    for example in catalogue.rules["field-types"].examples:
        fast, found = _fast_and_found(interpreter, example.object)
        assert not (fast and found), example.name
        if not example.allowed:
            assert not fast, example.name
        slow += not fast
    assert slow  # (the allowed example sets fields to null, which the fast path leaves to the checks)


@pytest.mark.parametrize("mode", ["valid", "broken", "confused"])
def test_the_fast_path_is_never_taken_over_a_mismatch(
    catalogue: Catalogue, interpreter: Evaluator, mode: str
) -> None:
    taken: list[bool] = []

    @FAST
    @given(fuzzgen.strategy(catalogue, mode=mode, max_containers=6))
    def check(rego_input: Any) -> None:
        fast, found = _fast_and_found(interpreter, rego_input)
        assert not (fast and found), f"fast path over {found}: {rego_input}"
        taken.append(fast)

    check()
    if mode == "valid":
        assert any(taken)
