"""A streamed report (text, json, github) writes exactly what render() gives for the whole report,
however the results are cut into windows, with or without results and input errors."""

from __future__ import annotations

import pytest

from kfpolicy.catalogue import Catalogue
from kfpolicy.inputs import Document, DocumentError, read_text
from kfpolicy.report import Report, render
from kfpolicy.report.stream import STREAMED_FORMATS, StreamedReport
from kfpolicy.runner import Evaluator

JOBS = """apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: ok}
spec:
  pytorchReplicaSpecs: {Worker: {replicas: 1, template: {spec: {containers: [{name: pytorch, image: x}]}}}}
---
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: bad}
spec:
  pytorchReplicaSpecs:
    Worker:
      replicas: -1
      template: {spec: {containers: [{name: pytorch}]}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: other}
"""


@pytest.fixture(scope="module")
def report(catalogue: Catalogue) -> Report:
    evaluator = Evaluator(catalogue)
    docs = [i for i in read_text(JOBS, "jobs.yaml") if isinstance(i, Document)]
    results = [evaluator.evaluate(d) for d in docs * 3]
    errors = [DocumentError("broken.yaml#0", "invalid YAML: x", 3), DocumentError("other.json", "not JSON")]
    return Report(results=results, errors=errors)


def _streamed(output: str, windows: list[Report], verbose: bool) -> str:
    written: list[str] = []
    stream = StreamedReport(output, written.append, verbose=verbose)
    for window in windows:
        stream.add(window)
    stream.finish()
    return "".join(written)


@pytest.mark.parametrize("output", STREAMED_FORMATS)
@pytest.mark.parametrize("verbose", [False, True])
@pytest.mark.parametrize("cut", [1, 2, 4, 100])
def test_streamed_reports_are_the_rendered_ones(report: Report, output: str, verbose: bool, cut: int) -> None:
    windows = [
        Report(results=report.results[i : i + cut], errors=report.errors[i // cut : i // cut + 1])
        for i in range(0, len(report.results), cut)
    ]
    whole = Report(results=report.results, errors=[e for w in windows for e in w.errors])
    expected = render(whole, output, Catalogue.__new__(Catalogue), verbose=verbose) + "\n"
    assert _streamed(output, windows, verbose) == expected
    assert "deny" in expected.lower() or output == "github"


@pytest.mark.parametrize("output", STREAMED_FORMATS)
def test_empty_and_error_only_reports_stream_as_rendered(report: Report, output: str) -> None:
    for whole in (Report(results=[]), Report(results=[], errors=report.errors)):
        expected = render(whole, output, Catalogue.__new__(Catalogue)) + "\n"
        assert _streamed(output, [whole, Report(results=[])], False) == expected


def test_formats_that_need_every_result_are_refused() -> None:
    with pytest.raises(ValueError, match="not streamed"):
        StreamedReport("junit", print)
