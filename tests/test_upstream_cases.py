"""Every upstream test case for the Training Operator v1 kinds, MXJob and MPIJob (v1 and v2beta1),
decided under `--profile upstream` the way upstream decides it.

Generic rules only, read from the case headers (no per-case expectations):
- deny / invalid-by-controller: denied with exactly the set of (details.type, field) pairs upstream
  expects; MXJob (never denied) instead gets a warning carrying each controller error text.
- allow / valid-by-controller: not denied.
- expected warnings appear as warn violations (exactly them where upstream compares warnings).
- MPIJob kubeflow.org/v1 is a skipped kind: decision `skip`.
Two adjustments follow from RULES.md, not from any one case: mpi-operator validates after its own
defaulting, so an expected error on a defaulted field that the object leaves unset cannot occur in
a cluster, and an unset Worker count becomes 0 and fails MV-14 (section 3); and with
`metadata.generateName` and no name the API server generates the name before admission, so name
errors cannot occur either.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from kfpolicy.catalogue.loader import load_catalogue
from kfpolicy.runner import Evaluator
from upstream.cases import ADMITTING, CASES_DIR, DENYING, Case, iter_cases

KIND_DIRS = (
    "pytorchjob",
    "tfjob",
    "xgboostjob",
    "paddlejob",
    "jaxjob",
    "mxjob",
    "mpijob-v1",
    "mpijob-v2beta1",
)

# mpi-operator's SetDefaults_MPIJob fills these before ValidateMPIJob runs (RULES.md section 3).
MPI_DEFAULTED = (
    re.compile(r"^spec\.slotsPerWorker$"),
    re.compile(r"^spec\.runPolicy\.cleanPodPolicy$"),
    re.compile(r"^spec\.sshAuthMountPath$"),
    re.compile(r"^spec\.mpiImplementation$"),
    re.compile(r"^spec\.mpiReplicaSpecs\[(Launcher|Worker)\]\.(replicas|restartPolicy)$"),
)

CASES: list[Case] = list(iter_cases(CASES_DIR, KIND_DIRS)) if CASES_DIR.is_dir() else []

pytestmark = pytest.mark.skipif(not CASES, reason=f"no upstream cases at {CASES_DIR}")


def value_at(obj: Any, field: str) -> Any:
    """The value at a field path such as spec.mpiReplicaSpecs[Worker].replicas (None if absent)."""
    for part in re.findall(r"[^.\[\]]+", field):
        if isinstance(obj, dict):
            obj = obj.get(part)
        elif isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        else:
            return None
    return obj


def expected_pairs(case: Case) -> set[tuple[str, str]]:
    obj = case.object or {}
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    generated_name = "name" not in meta and bool(meta.get("generateName"))
    pairs = set()
    for type_, field in case.error_pairs:
        if generated_name and field == "metadata.name":
            continue
        defaulted = case.kind_dir == "mpijob-v2beta1" and any(p.match(field) for p in MPI_DEFAULTED)
        if defaulted and value_at(obj, field) is None:
            continue
        pairs.add((type_, field))
    pairs |= defaulted_worker_error(case)
    return pairs


def defaulted_worker_error(case: Case) -> set[tuple[str, str]]:
    """SetDefaults_MPIJob sets an unset Worker count to 0, which MV-14 then rejects."""
    if case.kind_dir != "mpijob-v2beta1":
        return set()
    worker = value_at(case.object or {}, "spec.mpiReplicaSpecs.Worker")
    if isinstance(worker, dict) and worker.get("replicas") is None:
        return {("FieldValueInvalid", "spec.mpiReplicaSpecs[Worker].replicas")}
    return set()


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="module", params=["embedded", "opa"])
def evaluator(request, catalogue):
    return Evaluator(catalogue, profile="upstream", engine=request.param)


def test_cases_were_found():
    kinds = {c.kind_dir for c in CASES}
    assert {"pytorchjob", "mxjob", "mpijob-v2beta1"} <= kinds, kinds


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_upstream_case(case: Case, evaluator: Evaluator, catalogue) -> None:
    if case.expected not in DENYING + ADMITTING:
        pytest.skip(f"{case.expected} cases describe mutation, not admission")
    result = evaluator.evaluate(case.document())
    kind = catalogue.kind_for(case.object.get("apiVersion"), case.object.get("kind"))
    assert kind is not None, f"{case.name}: kind not in the kind table"
    if kind.status == "skipped":
        assert result.decision == "skip", [v.msg for v in result.violations]
        return

    denied = {(v.type, v.field) for v in result.violations if v.enforcement == "deny"}
    warned = [v for v in result.violations if v.enforcement == "warn"]
    warn_msgs = {v.msg for v in warned}
    messages = [v.msg for v in result.violations]
    never_denied = kind.status == "deprecated"  # MXJob: every check is a warning

    if case.expected in DENYING and not never_denied:
        want = expected_pairs(case)
        if want:
            assert result.decision == "deny", messages
        assert denied == want, messages
    elif case.expected in DENYING:
        assert result.decision != "deny", messages
        for text in case.controller_errors:
            assert any(text in m for m in warn_msgs), f"no warning carries {text!r}: {messages}"
        warned_pairs = {(v.type, v.field) for v in warned}
        assert case.error_pairs <= warned_pairs, messages
    else:
        assert result.decision != "deny", messages
        assert not denied, messages

    assert set(case.warnings) <= warn_msgs, messages
    if case.expected in ADMITTING or not never_denied:
        assert warn_msgs == set(case.warnings), messages


def test_case_reader_agrees_with_index_json():
    """The header reader gives what cases/index.json says for every case file (all kinds)."""
    import json

    index = {e["file"]: e for e in json.loads((CASES_DIR / "index.json").read_text(encoding="utf-8"))}
    checked = 0
    for case in iter_cases(CASES_DIR):
        entry = index.get("cases/" + case.path.relative_to(CASES_DIR).as_posix())
        if entry is None:
            continue
        assert (case.expected, case.operation) == (entry["expected"], entry["operation"]), case.name
        assert list(case.errors) == entry["expected_errors"], case.name
        assert list(case.warnings) == entry["expected_warnings"], case.name
        roles = [r.split()[0] for r in entry["document_roles"]]
        assert ("oldObject" in roles) == (case.old_object is not None), case.name
        assert roles.count("runtime") == len(case.runtimes), case.name
        checked += 1
    assert checked >= len(CASES)
