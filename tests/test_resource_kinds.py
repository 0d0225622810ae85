"""The resource rules across kinds and input forms: MPIJob v2beta1 is checked and v1 skipped, MXJob
gets no resource errors, reviews see the same object as manifests, and both engines agree on every
object the resource tests build."""

from __future__ import annotations

import copy
import json

import pytest

from kfpolicy.catalogue import Catalogue
from kfpolicy.engines.opa_golib import available as opa_available
from kfpolicy.runner import VIOLATION_QUERY, Evaluator
from resource_jobs import INVALID, MALFORMED, VALID, evaluate, found, job

# --- kinds and entry points ---------------------------------------------------------------------------


def test_mpijob_v2beta1_is_checked_and_v1_is_skipped(evaluators: dict[str, Evaluator]) -> None:
    obj = job({"requests": {"cpu": "2"}, "limits": {"cpu": "1"}})
    obj["kind"], obj["apiVersion"] = "MPIJob", "kubeflow.org/v2beta1"
    obj["spec"] = {"mpiReplicaSpecs": obj["spec"]["pytorchReplicaSpecs"]}
    assert [v.rule for v in evaluate(evaluators["mine"], obj).violations] == ["requests-within-limits"]
    obj["apiVersion"] = "kubeflow.org/v1"
    assert evaluate(evaluators["mine"], obj).decision == "skip"


def test_mxjob_gets_no_resource_or_type_errors(evaluators: dict[str, Evaluator]) -> None:
    obj = job("1")
    obj["kind"] = "MXJob"
    obj["spec"] = {"mxReplicaSpecs": {"Worker": {"replicas": "2", "template": {"spec": {"containers": [
        {"name": "mxnet", "image": "mxnet:1.9", "resources": {"limits": {"cpu": "1Gii"}}}]}}}}}
    assert found(evaluate(evaluators["mine"], obj)) == []
    assert evaluate(evaluators["baseline"], obj).decision in ("warn", "allow")


def test_gatekeeper_and_admission_review_inputs_see_the_same_object(evaluators: dict[str, Evaluator]) -> None:
    obj = job({"requests": {"cpu": "1Gii"}})
    plain = evaluators["mine"].query(VIOLATION_QUERY, obj)
    review = evaluators["mine"].query(VIOLATION_QUERY, {"review": {"object": obj, "operation": "CREATE"}})
    request = evaluators["mine"].query(VIOLATION_QUERY, {
        "apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
        "request": {"uid": "u", "operation": "UPDATE", "object": obj, "oldObject": copy.deepcopy(obj)}})
    assert len(plain) == 1
    assert (
        sorted(map(json.dumps, plain)) == sorted(map(json.dumps, review)) == sorted(map(json.dumps, request))
    )


def test_engines_agree_on_the_resource_corpus(catalogue: Catalogue, modules: dict[str, str]) -> None:
    """Every object the resource tests build (resource_jobs.py), under restricted, gives identical
    violations on both engines."""
    if not opa_available():
        pytest.skip("real OPA not installed")
    objects = list(MALFORMED.values()) + [job({"requests": {"memory": q}, "limits": {"memory": "1Gi"}})
                                          for q in VALID + INVALID]
    results = {}
    for engine in ("embedded", "opa"):
        ev = Evaluator(catalogue, profile="restricted", engine=engine, modules=modules)
        results[engine] = [[v.to_json() for v in evaluate(ev, o).violations] for o in objects]
    assert results["embedded"] == results["opa"]
