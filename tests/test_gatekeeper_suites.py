"""Gatekeeper test suites (gator's format): every suite runs and passes, the runner counts skipped
suites and catches wrong expectations, and the suite objects round-trip to the rule examples."""

from __future__ import annotations

from gatekeeper_files import load_doc as _load
from kfpolicy.catalogue.model import Catalogue
from kfpolicy.gatekeeper.evaluate import parse_docs
from kfpolicy.gatekeeper.names import SUITES
from kfpolicy.gatekeeper.suite_runner import run_suites

# --- suites ------------------------------------------------------------------------------------


def test_every_suite_runs_and_passes(catalogue: Catalogue, files: dict[str, str]) -> None:
    result = run_suites(files)
    failed = [(o.name, o.message) for o in result.outcomes if not o.passed]
    assert failed == []
    assert result.suites_run == result.suite_files == len(catalogue.rules)
    cases = [o for o in result.outcomes if o.name != "suite count"]
    assert len(cases) == sum(
        len([e for e in r.examples if isinstance(e.object, dict)]) for r in catalogue.rules_sorted()
    )
    for rule in catalogue.rules_sorted():
        suite = _load(files, f"{SUITES}/{rule.id}.yaml")
        assert suite["apiVersion"] == "test.gatekeeper.sh/v1alpha1" and suite["kind"] == "Suite"


def test_suite_runner_counts_skipped_suites_and_catches_wrong_expectations(files: dict[str, str]) -> None:
    suites = sorted(p for p in files if p.startswith(SUITES + "/") and p.count("/") == 2)[:2]
    keep = tuple(p.removesuffix(".yaml") for p in suites)
    files = {p: t for p, t in files.items() if not p.startswith(SUITES) or p.startswith(keep)}
    broken = dict(files)
    first = suites[0]
    broken[first] = files[first].replace("test.gatekeeper.sh/v1alpha1", "test.gatekeeper.sh/v1beta1")
    result = run_suites(broken)
    count = next(o for o in result.outcomes if o.name == "suite count")
    assert not count.passed and result.suites_run == result.suite_files - 1
    # flip an expectation: an allowed case now claims one violation
    second = suites[1]
    flipped = dict(files)
    flipped[second] = files[second].replace("violations: 'no'", "violations: 1", 1)
    assert flipped[second] != files[second]
    assert any(not o.passed for o in run_suites(flipped).outcomes)


def test_suite_objects_round_trip(catalogue: Catalogue, files: dict[str, str]) -> None:
    for rule in catalogue.rules_sorted():
        for ex in rule.examples:
            if not isinstance(ex.object, dict):
                continue
            doc = _load(files, f"{SUITES}/{rule.id}/{ex.name}.yaml")
            if ex.operation == "CREATE" and ex.old_object is None:
                assert doc == ex.object
            else:
                assert doc["kind"] == "AdmissionReview"
                assert doc["request"]["operation"] == ex.operation
                assert doc["request"]["object"] == ex.object
                assert doc["request"].get("oldObject") == ex.old_object
            if ex.inventory:
                assert parse_docs(files[f"{SUITES}/{rule.id}/{ex.name}-inventory.yaml"]) == list(ex.inventory)
