"""Gatekeeper's match semantics (kinds, namespaces, selectors, scope, the old object on UPDATE),
excluded namespaces, and the yields-to parameter."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gatekeeper_files import load_doc as _load
from kfpolicy.admission import admission_request
from kfpolicy.catalogue.model import Catalogue
from kfpolicy.gatekeeper.evaluate import CompiledTemplate, GatekeeperEvaluator
from kfpolicy.gatekeeper.match import matches
from kfpolicy.gatekeeper.names import YIELDS_PARAM, template_path
from kfpolicy.inputs import Document

# --- match -------------------------------------------------------------------------------------


def _job(ns: str | None = "team-a", labels: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "j"}
    if ns:
        meta["namespace"] = ns
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "kubeflow.org/v1", "kind": "TFJob", "metadata": meta, "spec": {}}


def test_match_semantics() -> None:
    kinds = {"kinds": [{"apiGroups": ["kubeflow.org"], "kinds": ["TFJob"]}]}
    r = admission_request(_job(), operation="CREATE")
    assert matches(kinds, r, {})
    assert not matches({"kinds": [{"apiGroups": ["kubeflow.org"], "kinds": ["PyTorchJob"]}]}, r, {})
    assert matches({"kinds": [{"apiGroups": ["*"], "kinds": ["*"]}]}, r, {})
    assert not matches({**kinds, "excludedNamespaces": ["team-*"]}, r, {})
    assert matches({**kinds, "excludedNamespaces": ["kube-system"]}, r, {})
    assert not matches({**kinds, "namespaces": ["other"]}, r, {})
    assert matches(
        {"labelSelector": {"matchLabels": {"a": "b"}}},
        admission_request(_job(labels={"a": "b"}), operation="CREATE"),
        {},
    )
    assert not matches({"labelSelector": {"matchExpressions": [{"key": "a", "operator": "Exists"}]}}, r, {})
    ns = {
        "team-a": {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "team-a", "labels": {"t": "x"}},
        }
    }
    sel = {"namespaceSelector": {"matchLabels": {"t": "x"}}}
    assert matches(sel, r, ns)
    assert not matches(sel, r, {})  # the Namespace must be synced / in the case's inventory
    assert not matches({"scope": "Cluster"}, r, {})
    # UPDATE: the old object may match the label selector
    upd = admission_request(_job(), operation="UPDATE", old_object=_job(labels={"a": "b"}))
    assert matches({"labelSelector": {"matchLabels": {"a": "b"}}}, upd, {})


def test_excluded_namespaces_are_not_reviewed(catalogue: Catalogue) -> None:
    bad = catalogue.rules["replicas-non-negative"].examples[1].object
    gk = GatekeeperEvaluator(catalogue, profile="baseline")
    denied = gk.evaluate(Document(source="x", obj=bad))
    assert denied.decision == "deny"
    in_kube_system = json.loads(json.dumps(bad))
    in_kube_system["metadata"]["namespace"] = "kube-system"
    assert gk.evaluate(Document(source="x", obj=in_kube_system)).decision == "allow"


def test_yields_to_follows_the_parameter(catalogue: Catalogue, files: dict[str, str]) -> None:
    if (
        "master-replicas-one"
        not in catalogue.rules.get(
            "replicas-non-negative", catalogue.rules[next(iter(catalogue.rules))]
        ).yields_to
    ):
        pytest.skip("replicas-non-negative no longer yields to master-replicas-one")
    job = {
        "apiVersion": "kubeflow.org/v1",
        "kind": "PyTorchJob",
        "metadata": {"name": "j"},
        "spec": {
            "pytorchReplicaSpecs": {
                "Master": {
                    "replicas": -1,
                    "template": {"spec": {"containers": [{"name": "pytorch", "image": "x"}]}},
                }
            }
        },
    }
    field = "spec.pytorchReplicaSpecs[Master].replicas"
    template = CompiledTemplate(_load(files, template_path("replicas-non-negative")))
    review = admission_request(job, operation="CREATE")

    def fields(params: dict[str, Any]) -> set[str]:
        return {
            v["details"]["field"] for v in template.violations({"review": review, "parameters": params}, {})
        }

    assert field not in fields({})  # no kfpolicyYieldsTo: yields to every stricter rule
    assert field not in fields({YIELDS_PARAM: {"master-replicas-one": {}}})
    assert field in fields({YIELDS_PARAM: {}})  # the stricter rule is not in the profile
    assert field in fields({YIELDS_PARAM: {"pytorchjob-worker-replicas-at-least-one": {}}})
