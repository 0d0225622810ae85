"""Every evaluation under a time bound, in a forked worker: a slow or crashing evaluation is that
document's error (naming the slow rule), the worker is replaced, and the other documents keep
their results, equal to the in-process ones. Stand-in evaluators make a document slow or crash."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from kfpolicy.bounded import BoundedEvaluator
from kfpolicy.catalogue import Catalogue
from kfpolicy.inputs import Document, read_paths, read_text
from kfpolicy.parallel import run_parallel
from kfpolicy.rawinputs import split_paths
from kfpolicy.runner import Evaluator, Result, evaluate_each

JOBS = """apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: ok}
spec:
  pytorchReplicaSpecs: {Worker: {replicas: 1, template: {spec: {containers: [{name: pytorch, image: x}]}}}}
---
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: bad}
spec: {pytorchReplicaSpecs: {Worker: {replicas: -1, template: {spec: {containers: [{name: pytorch}]}}}}}
"""


def _docs(names: list[str]) -> list[Document]:
    docs = [i for i in read_text(JOBS, "jobs.yaml") if isinstance(i, Document)]
    out = []
    for n in names:
        base = docs[0] if n != "bad" else docs[1]
        out.append(Document(f"{n}#0", {**base.obj, "metadata": {"name": n}}))
    return out


class StandIn:
    """The real evaluator, except that documents named `slow` sleep (in rule `sleepy-rule`) and
    documents named `crash` end the process, as an engine crash would."""

    def __init__(self, real: Evaluator) -> None:
        self.real, self.catalogue, self.profile = real, real.catalogue, real.profile

    def evaluate(self, doc: Document) -> Result:
        name = doc.obj["metadata"]["name"]
        if name == "slow":
            time.sleep(60)
        if name == "crash":
            os._exit(139)
        return self.real.evaluate(doc)

    def query(self, query: str, rego_input: Any) -> Any:
        if query.endswith(".replicas_non_negative.violation") and rego_input["metadata"]["name"] == "slow":
            time.sleep(60)
        return self.real.query(query, rego_input)


@pytest.fixture(scope="module")
def real(catalogue: Catalogue) -> Evaluator:
    return Evaluator(catalogue)


def test_results_equal_the_in_process_ones(real: Evaluator) -> None:
    docs = _docs(["ok", "bad"])
    with BoundedEvaluator(real, 30) as bounded:
        assert evaluate_each(bounded, docs) == evaluate_each(real, docs)
    assert evaluate_each(real, docs)[0][1].decision == "deny"


def test_a_slow_document_names_its_rule_and_the_others_are_evaluated(real: Evaluator) -> None:
    with BoundedEvaluator(StandIn(real), 1) as bounded:
        results, errors = evaluate_each(bounded, _docs(["ok", "slow", "bad"]))
    assert [r.name for r in results] == ["ok", "bad"]
    assert [e.source for e in errors] == ["slow#0"]
    assert "rule replicas-non-negative took longer than 1 s" in errors[0].message


def test_a_crash_is_that_documents_error(real: Evaluator) -> None:
    with BoundedEvaluator(StandIn(real), 30) as bounded:
        results, errors = evaluate_each(bounded, _docs(["crash", "ok"]))
        assert [r.name for r in results] == ["ok"]
        assert [e.source for e in errors] == ["crash#0"]
        assert "the evaluation crashed the engine" in errors[0].message


def test_watched_workers_bound_each_document_and_keep_the_others(real: Evaluator, tmp_path: Path) -> None:
    """With --jobs, the workers evaluate without a round trip per document; the parent notices a slow
    document or a dead worker, and the report is the one the per-document bound gives."""
    docs = _docs(["ok", "slow", "bad", "crash", "last"])
    path = tmp_path / "jobs.yaml"
    path.write_text("\n---\n".join(yaml.safe_dump(d.obj) for d in docs))
    raws = list(split_paths([str(path)]))
    report = run_parallel(StandIn(real), raws, 2, 1.0)
    assert [r.name for r in report.results] == ["ok", "bad", "last"]
    assert [e.source for e in report.errors] == [f"{path}#1", f"{path}#3"]
    assert "rule replicas-non-negative took longer than 1 s" in report.errors[0].message
    assert "the evaluation crashed the engine" in report.errors[1].message
    in_process = [real.evaluate(d) for d in read_paths([str(path)]) if isinstance(d, Document)]
    assert report.results[1] == in_process[2] and report.results[1].line == in_process[2].line
