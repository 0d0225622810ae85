"""The inputs on which the engines once disagreed, or one of them failed the whole run: every
engine and both embedded modes (compiled and interpreter, from the first evaluation) give the same
answer, and the answer holds the violation the rule is for."""

from __future__ import annotations

import json
from typing import Any

import pytest

import fuzzgen
from kfpolicy.catalogue import Catalogue
from kfpolicy.engine_input import input_json
from kfpolicy.engines import UNDEFINED
from kfpolicy.inputs import Document
from kfpolicy.runner import Evaluator, evaluate_each

TRAINER = "trainer.kubeflow.org/v1alpha1"


def _runtime(template_spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": TRAINER, "kind": "ClusterTrainingRuntime", "metadata": {"name": "rt"},
            "spec": {"template": {"spec": template_spec}}}


def _patched(pod_spec: dict[str, Any]) -> dict[str, Any]:
    job = {"name": "node", "template": {"spec": {"template": {"spec": pod_spec}}}}
    patch = {"manager": "acme.io/a", "trainingRuntimeSpec": {"template": {"spec": {"replicatedJobs": [job]}}}}
    return {"apiVersion": TRAINER, "kind": "TrainJob", "metadata": {"name": "j"},
            "spec": {"runtimeRef": {"name": "rt"}, "runtimePatches": [patch]}}


def _patches(patches: list[dict[str, Any]]) -> dict[str, Any]:
    return {**_patched({}), "spec": {"runtimeRef": {"name": "rt"}, "runtimePatches": patches}}


def _update(old_nodes: int, new_nodes: int) -> dict[str, Any]:
    def job(n: int) -> dict[str, Any]:
        return {"apiVersion": TRAINER, "kind": "TrainJob", "metadata": {"name": "j"},
                "spec": {"runtimeRef": {"name": "rt"}, "trainer": {"numNodes": n}}}
    request = {"uid": "1", "operation": "UPDATE", "object": job(new_nodes), "oldObject": job(old_nodes)}
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}


CONTAINERS = [{"name": f"c{i}", "image": "x"} for i in range(65)]

# input, the rule whose violation the answer must (True) or must not (False) hold
CASES: dict[str, tuple[Any, str, bool]] = {
    "successPolicy not an object": (_runtime({"successPolicy": "x"}), "runtime-jobset-template", False),
    "failurePolicy a list": (_runtime({"failurePolicy": [1]}), "runtime-jobset-template", False),
    "startupPolicy a number": (_runtime({"startupPolicy": 3}), "runtime-jobset-template", False),
    "bad operator beside a bad policy": (
        _runtime({"successPolicy": {"operator": "Some"}, "failurePolicy": "x"}),
        "runtime-jobset-template",
        True,
    ),
    "65 containers and no volumes": (
        _patched({"containers": CONTAINERS, "volumes": []}), "trainjob-runtime-patches-schema", True),
    "duplicate managers": (
        _patches([{"manager": "a.io/m"}] * 3),
        "trainjob-runtime-patches-schema",
        True,
    ),
    "numNodes beyond int64 across UPDATE": (_update(2**64 + 1, 2**64), "trainjob-immutable-fields", False),
    "numNodes changed within int64": (_update(2**62 + 1, 2**62), "trainjob-immutable-fields", True),
}


@pytest.fixture(scope="module")
def pair(catalogue: Catalogue) -> fuzzgen.EnginePair:
    return fuzzgen.EnginePair(catalogue, "all")


@pytest.mark.parametrize("case", sorted(CASES))
def test_engines_and_modes_agree(case: str, pair: fuzzgen.EnginePair) -> None:
    rego_input, rule, fires = CASES[case]
    outcome = pair.run("data.kubeflow.violation", rego_input)
    assert outcome.agree, outcome
    assert pair.compiled_fallbacks() == {}
    rules = {v["details"]["rule"] for v in json.loads(outcome.opa)}
    assert (rule in rules) is fires, rules


def test_numbers_beyond_int64_reach_the_engines_as_float64() -> None:
    assert json.loads(input_json({"a": 2**64 + 1, "b": 2**63 - 1, "c": [1.0]})) == {
        "a": float(2**64), "b": 2**63 - 1, "c": [1]}


def test_an_engine_failure_is_that_documents_error(catalogue: Catalogue) -> None:
    """A number no engine can hold (it could come from a caller other than the reader) fails its
    own document only."""
    job = fuzzgen.inventory(catalogue)[0]
    docs = [Document("huge#0", {**job, "x": 2**1100}), Document("ok#0", job)]
    results, errors = evaluate_each(Evaluator(catalogue), docs)
    assert [r.source for r in results] == ["ok#0"]
    assert [e.source for e in errors] == ["huge#0"] and "not evaluated" in errors[0].message
    assert Evaluator(catalogue).query("data.kubeflow.violation", {"kind": "x"}) is not UNDEFINED


# Characters of Unicode 15.1 and 16.0 (first and last of each addition), which OPA's Go tables do
# not know; benchmarks/unicode_sweep.py checks every code point.
NEW_CHARACTERS = [0x0897, 0x1B4E, 0x1B7F, 0x1C8A, 0x2427, 0x2429, 0x2FFC, 0x2FFF, 0x31E4, 0x31EF, 0xA7CB,
                  0xA7DC, 0x105C0, 0x105F3, 0x10D40, 0x10EC2, 0x10EFC, 0x11380, 0x116D0, 0x11BC0, 0x11F5A,
                  0x13460, 0x143FA, 0x16100, 0x16D40, 0x18CFF, 0x1CC00, 0x1E5D0, 0x1F8B2, 0x1FA89, 0x1FAE9,
                  0x1FBCB, 0x1FBEF, 0x2EBF0, 0x2EE5D]


def test_new_unicode_characters_print_alike(pair: fuzzgen.EnginePair) -> None:
    chars = [chr(c) for c in NEW_CHARACTERS] + ["é", "\U0001f600"]
    query = '[data.lib.kubeflow.core.format_value({"k": c}) | some c in input.chars]'
    outcome = pair.run(query, {"chars": chars})
    assert outcome.agree, outcome
    shown = json.loads(outcome.opa)
    hidden = "(a value holding characters or numbers that cannot be shown)"
    assert shown[: len(NEW_CHARACTERS)] == [hidden] * len(NEW_CHARACTERS)
    assert shown[-2:] == ['{"k": "é"}', '{"k": "\U0001f600"}']
