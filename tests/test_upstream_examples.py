"""The upstream example manifests (outside the repository; --examples DIR or KFPOLICY_EXAMPLES):
every real job is admitted by the default profile, and every documentation snippet that upstream's
own webhook would deny is denied. Without the folder these tests are deselected and reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from kfpolicy.catalogue import Catalogue
from kfpolicy.render.rego import render_rego
from upstream.examples import check_upstream_examples

pytestmark = pytest.mark.upstream_examples


def test_every_upstream_example_decides_as_expected(catalogue: Catalogue, upstream_examples: Path) -> None:
    outcomes = list(check_upstream_examples(catalogue, "embedded", render_rego(catalogue), upstream_examples))
    assert len(outcomes) >= 100, "the upstream examples should hold well over 100 jobs"
    failures = [f"{o.name}: {o.message}" for o in outcomes if not o.passed]
    assert failures == []
    assert {o.kind for o in outcomes} >= {"PyTorchJob", "TFJob", "TrainJob", "MPIJob"}
