"""Every upstream test case for Kubeflow Trainer v2 (TrainJob, TrainingRuntime,
ClusterTrainingRuntime) under tests/upstream/cases, decided under the `upstream` and the
`baseline` profile the way upstream decides it.

Generic rules only, read from the case files (no per-case expectations):
- `runtime` documents, and documents of existing cluster objects (role `existing ...`, e.g. a
  JobSet), become referential data (Gatekeeper's data.inventory shape).
- A plugin unit test hands the plugin a TrainJob without `spec.runtimeRef`; as the case notes say,
  to replay it through admission its runtimeRef is pointed at the (single) runtime document, and a
  TrainJob without a namespace takes the TrainingRuntime's.
- deny: denied with exactly the expected set of (details.type, field) pairs. The API server checks
  the CRD schema/CEL before any webhook and answers 422 with those errors alone, so when a
  schema-stage rule denies, only schema-stage denials are compared.
- allow and mutate: not denied.
- The rules applied are the checks the upstream test itself runs: an integration test (envtest)
  goes through the API server and the webhooks, so every rule applies; a Go unit test of the
  validating webhook or a plugin calls it directly, without the API server, so the schema-stage
  rules (CRD/CEL) are left out; a Go unit test of the mutating webhook runs no validation and
  resolves no runtime, so only the schema-stage rules (what the API server checks on the mutated
  object) apply.
- expected warnings appear among the warnings.
Cases that cannot be replayed through admission are skipped with the reason: a nil object, a
plugin unit test with a nil runtime.Info (no runtime document and no runtimeRef), and expected
InternalErrors (JS-8: a failing GET of the JobSet, which a policy never sees).
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from typing import Any

import pytest

from kfpolicy.catalogue.loader import load_catalogue
from kfpolicy.inputs import Document
from kfpolicy.render.rego import render_rego
from kfpolicy.runner import Evaluator, Result
from upstream.cases import CASES_DIR, Case, iter_cases, split_documents

KIND_DIRS = ("trainjob", "trainingruntime", "clustertrainingruntime")
PROFILES = ("upstream", "baseline")
RUNTIME_KINDS = ("TrainingRuntime", "ClusterTrainingRuntime")
GROUP = "trainer.kubeflow.org"

CASES: list[Case] = list(iter_cases(CASES_DIR, KIND_DIRS)) if CASES_DIR.is_dir() else []

pytestmark = pytest.mark.skipif(not CASES, reason=f"no upstream cases at {CASES_DIR}")

CATALOGUE = load_catalogue()
MODULES = render_rego(CATALOGUE)
SCHEMA_RULES = [r.id for r in CATALOGUE.rules_sorted() if r.stage == "schema"]
OTHER_RULES = [r.id for r in CATALOGUE.rules_sorted() if r.stage != "schema"]


def cluster_state(case: Case) -> list[dict[str, Any]]:
    """Existing cluster objects the case describes besides runtimes (role `existing ...`)."""
    docs = split_documents(case.path.read_text(encoding="utf-8"))
    return [d for role, d in docs if role == "existing" and isinstance(d, dict)]


def point_at_runtime(obj: dict[str, Any], runtime: dict[str, Any]) -> dict[str, Any]:
    """The TrainJob with spec.runtimeRef naming the runtime (and its namespace, if it has none)."""
    out = copy.deepcopy(obj)
    meta = runtime.get("metadata") or {}
    spec = out.get("spec") if isinstance(out.get("spec"), dict) else {}
    spec["runtimeRef"] = {"name": meta.get("name"), "apiGroup": GROUP, "kind": runtime.get("kind")}
    out["spec"] = spec
    out_meta = out.setdefault("metadata", {})
    if runtime.get("kind") == "TrainingRuntime" and meta.get("namespace") and not out_meta.get("namespace"):
        out_meta["namespace"] = meta["namespace"]
    return out


def has_runtime_ref(obj: dict[str, Any] | None) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("spec"), dict) and "runtimeRef" in obj["spec"]


def prepare(case: Case) -> tuple[Case, str | None]:
    """The case as it replays through admission, or a reason to skip it."""
    if case.object is None:
        return case, "the Go test passes a nil object; not reachable through admission"
    if any(e.get("type") == "InternalError" for e in case.errors):
        return (
            case,
            "expects an InternalError from a failing API GET (JS-8): needs cluster state a policy never sees",
        )
    if case.object.get("kind") != "TrainJob" or has_runtime_ref(case.object):
        return case, None
    if len(case.runtimes) != 1:
        return (
            case,
            "plugin unit test with a nil runtime.Info and no runtimeRef; not reachable through admission",
        )
    runtime = case.runtimes[0]
    old = point_at_runtime(case.old_object, runtime) if case.old_object is not None else None
    return replace(case, object=point_at_runtime(case.object, runtime), old_object=old), None


def rules_in_scope(case: Case) -> list[str] | None:
    """The rule ids matching what the upstream test exercises (None: every rule of the profile)."""
    test_kind = str(case.header.get("test_kind", ""))
    enforced_by = str(case.header.get("enforced_by", ""))
    if "unit test" not in test_kind:
        return None
    if enforced_by == "mutating webhook":
        return SCHEMA_RULES
    if enforced_by == "validating webhook":
        return OTHER_RULES
    return None


_EVALUATORS: dict[str, Evaluator] = {}


def evaluate(case: Case, profile: str) -> Result:
    only = rules_in_scope(case)
    inventory = [*case.runtimes, *cluster_state(case)]
    key = json.dumps([profile, only, inventory], sort_keys=True)
    if key not in _EVALUATORS:
        _EVALUATORS[key] = Evaluator(
            CATALOGUE, profile=profile, inventory=inventory, only=only, modules=MODULES
        )
    return _EVALUATORS[key].evaluate(case.document())


def denial_pairs(result: Result) -> set[tuple[str, str]]:
    denies = [v for v in result.violations if v.enforcement == "deny"]
    schema = [v for v in denies if CATALOGUE.rules[v.rule].stage == "schema"]
    return {(v.type, v.field) for v in (schema or denies)}


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_trainer_case(case: Case, profile: str) -> None:
    case, skip = prepare(case)
    if skip:
        pytest.skip(skip)
    result = evaluate(case, profile)
    got = denial_pairs(result)
    messages = [v.msg for v in result.violations]
    if case.expected == "deny":
        assert case.error_pairs, f"{case.name}: a deny case without expected errors"
        assert got == case.error_pairs, f"{case.name} ({profile}): {messages}"
    else:
        assert result.decision != "deny", f"{case.name} ({profile}) was denied: {messages}"
    warnings = {v.msg for v in result.violations if v.enforcement == "warn"}
    missing = [w for w in case.warnings if w not in warnings]
    assert not missing, f"{case.name} ({profile}): missing warnings {missing}; got {sorted(warnings)}"


def test_cases_cover_every_trainer_kind() -> None:
    """The shared folder holds cases of all three kinds and most replay through admission."""
    assert {c.kind_dir for c in CASES} == set(KIND_DIRS)
    replayed = [c for c in CASES if prepare(c)[1] is None]
    assert len(replayed) >= 0.9 * len(CASES)


def test_status_audit_reports_conditions_of_an_existing_trainjob() -> None:
    """The status stage reads status on CREATE (eval and audit of existing objects), not on UPDATE."""
    job = {
        "apiVersion": "trainer.kubeflow.org/v1alpha1",
        "kind": "TrainJob",
        "metadata": {"name": "done", "namespace": "default"},
        "spec": {"runtimeRef": {"name": "rt"}},
        "status": {
            "conditions": [
                {"type": "Created", "status": "True"},
                {"type": "Complete", "status": "True"},
                {"type": "Failed", "status": "True"},
                {"type": "Running", "status": "True"},
            ]
        },
    }
    runtime = {"apiVersion": "trainer.kubeflow.org/v1alpha1", "kind": "ClusterTrainingRuntime",
               "metadata": {"name": "rt"}, "spec": {}}
    evaluator = Evaluator(CATALOGUE, profile="baseline", inventory=[runtime], modules=MODULES)
    created = evaluator.evaluate(Document(source="job", obj=job))
    fired = {(v.rule, v.field) for v in created.violations}
    assert fired == {
        ("trainjob-condition-created", "status.conditions[0].type"),
        ("trainjob-conditions-terminal-exclusive", "status.conditions[2]"),
        ("trainjob-condition-types", "status.conditions[3].type"),
    }
    review = {"request": {"operation": "UPDATE", "object": job, "oldObject": job}}
    updated = evaluator.evaluate(
        Document(source="job", obj=job, operation="UPDATE", old_object=job, rego_input=review)
    )
    assert not [v for v in updated.violations if CATALOGUE.rules[v.rule].stage == "status"]
