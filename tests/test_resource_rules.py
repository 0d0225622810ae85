"""The resource, type and pod-security rules in depth, on both engines: the Kubernetes quantity
grammar, comparison by value, exact messages, and silence (never an error) on malformed input."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

import pytest
from kubernetes.utils.quantity import parse_quantity

from kfpolicy.catalogue import Catalogue
from kfpolicy.engines.opa_golib import available as opa_available
from kfpolicy.inputs import Document
from kfpolicy.render.rego import render_rego
from kfpolicy.runner import VIOLATION_QUERY, Evaluator, Result

ENGINES = [
    "embedded",
    pytest.param("opa", marks=pytest.mark.skipif(not opa_available(), reason="real OPA not installed")),
]
RESOURCE_RULES = [
    "resource-quantities-valid",
    "resource-names-valid",
    "requests-within-limits",
    "extended-resources-limits",
    "resources-required",
    "resource-limit-caps",
]
# Evaluated alone (resources-required would add noise to every object; it has its own tests below).
MINE = ["field-types", "resource-quantities-valid", "requests-within-limits", "extended-resources-limits",
        "resource-limit-caps", "pod-security-baseline"]
SYNTAX = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
C0 = "spec.pytorchReplicaSpecs[Worker].template.spec.containers[0]"


@pytest.fixture(scope="module")
def modules(catalogue: Catalogue) -> dict[str, str]:
    return render_rego(catalogue)


@pytest.fixture(scope="module", params=ENGINES)
def evaluators(
    request: pytest.FixtureRequest, catalogue: Catalogue, modules: dict[str, str]
) -> dict[str, Evaluator]:
    """Per engine: my rules alone ("mine"), and the full restricted and baseline profiles."""
    engine = request.param
    return {
        "mine": Evaluator(catalogue, profile="all", engine=engine, only=MINE, modules=modules),
        "restricted": Evaluator(catalogue, profile="restricted", engine=engine, modules=modules),
        "baseline": Evaluator(catalogue, profile="baseline", engine=engine, modules=modules),
    }


def job(resources: Any = None, *, kind: str = "PyTorchJob", **container: Any) -> dict[str, Any]:
    c: dict[str, Any] = {"name": "pytorch", "image": "pytorch/pytorch:2.3.0", **container}
    if resources is not None:
        c["resources"] = resources
    return {
        "apiVersion": "kubeflow.org/v1",
        "kind": kind,
        "metadata": {"name": "job"},
        "spec": {
            "pytorchReplicaSpecs": {"Worker": {"replicas": 2, "template": {"spec": {"containers": [c]}}}}
        },
    }


def evaluate(ev: Evaluator, obj: Any) -> Result:
    return ev.evaluate(Document(source="test", obj=obj))


def found(result: Result, rule: str | None = None) -> list[tuple[str, str, str]]:
    return sorted((v.rule, v.field, v.msg) for v in result.violations if rule is None or v.rule == rule)


# --- the quantity grammar -------------------------------------------------------------------------

# What Kubernetes' resource.ParseQuantity accepts (Go grammar: signed decimal, one suffix).
VALID = ["1", "0", "500m", "1.5", ".5", "1.", "+1", "007", "1e3", "1E3", "1e-3", "2e+2", "2Ki", "1Mi", "1Gi",
         "1Ti", "1Pi", "1Ei", "1n", "1u", "1k", "1M", "1G", "1T", "1P", "1E", "0.5Gi", "12345678901234567890",
         "00", "9Ei", "64" + "0" * 62]
INVALID = [
    "1Gii",
    "1K",
    "1 Gi",
    " 1",
    "1 ",
    "",
    ".",
    "1e",
    "1.2.3",
    "Gi",
    "1gi",
    "1mi",
    "0x10",
    "1,5",
    "-",
    "+",
    "1e3Gi",
    "1Mi2",
    "one",
    "1b",
    "1KiB",
    "∞",
    "１",  # noqa: RUF001 (a fullwidth digit on purpose)
    # whole numbers with suffix letters in a wrong order or number (the regex-free path)
    "1iM",
    "1Mk",
    "1kk",
    "Mi",
    "1EE",
    "1iGi",
    "6" * 65,
]


@pytest.mark.parametrize("q", VALID)
def test_valid_quantities_pass(evaluators: dict[str, Evaluator], q: str) -> None:
    result = evaluate(evaluators["mine"], job({"requests": {"memory": q}, "limits": {"memory": q}}))
    assert found(result) == []


@pytest.mark.parametrize("q", INVALID)
def test_invalid_quantities_get_the_kubernetes_message(evaluators: dict[str, Evaluator], q: str) -> None:
    result = evaluate(evaluators["mine"], job({"limits": {"memory": q}}))
    field = f"{C0}.resources.limits[memory]"
    assert found(result) == [("resource-quantities-valid", field, f'{field}: Invalid value: "{q}": {SYNTAX}')]


def test_control_characters_are_invalid(evaluators: dict[str, Evaluator]) -> None:
    # (The message prints the string between quotes as given; Go's %q would escape the newline.)
    result = evaluate(evaluators["mine"], job({"limits": {"memory": "1\n"}}))
    assert [(r, f) for r, f, _ in found(result)] == [
        ("resource-quantities-valid", f"{C0}.resources.limits[memory]")
    ]


@pytest.mark.parametrize(("value", "shown"), [(True, '"boolean"'), ([1], '"array"'), ({"v": 1}, '"object"')])
def test_non_quantity_types_are_named(evaluators: dict[str, Evaluator], value: Any, shown: str) -> None:
    result = evaluate(evaluators["mine"], job({"requests": {"cpu": value}}))
    field = f"{C0}.resources.requests[cpu]"
    assert found(result) == [
        ("resource-quantities-valid", field, f"{field}: Invalid value: {shown}: {SYNTAX}")
    ]


@pytest.mark.parametrize(
    ("q", "shown"), [("-1", '"-1"'), ("-500m", '"-500m"'), (-2, '"-2"'), ("-0.5Gi", '"-0.5Gi"')]
)
def test_negative_quantities(evaluators: dict[str, Evaluator], q: Any, shown: str) -> None:
    result = evaluate(evaluators["mine"], job({"requests": {"cpu": q}}))
    field = f"{C0}.resources.requests[cpu]"
    assert found(result) == [
        (
            "resource-quantities-valid",
            field,
            f"{field}: Invalid value: {shown}: must be greater than or equal to 0",
        )
    ]


@pytest.mark.parametrize(
    ("q", "whole"),
    [("1", True), ("2000m", True), (3, True), ("1k", True), ("500m", False), ("1.5", False), ("1e-3", False)],
)
def test_extended_resources_are_whole_units(evaluators: dict[str, Evaluator], q: Any, whole: bool) -> None:
    result = evaluate(evaluators["mine"], job({"limits": {"nvidia.com/gpu": q, "cpu": "500m"}}))
    assert bool(found(result, "resource-quantities-valid")) is not whole


def test_null_quantities_count_as_unset(evaluators: dict[str, Evaluator]) -> None:
    assert found(evaluate(evaluators["mine"], job({"requests": {"cpu": None}, "limits": {"cpu": "1"}}))) == []


# --- comparison by value (checked against the kubernetes package's own parser) --------------------

PAIRS = [
    ("1", "1000m"),
    ("1001m", "1"),
    ("1Gi", "1024Mi"),
    ("1G", "1Gi"),
    ("1Gi", "1G"),
    ("0.5Gi", "512Mi"),
    ("1e3", "1k"),
    ("1k", "999"),
    ("100Mi", "0.1Gi"),
    ("2", "1.5"),
    ("1u", "1n"),
    ("1Ei", "1E"),
    ("0", "0"),
    ("1.5", "1500m"),
    ("1500001u", "1.5"),
    ("64Gi", "65536Mi"),
    ("65537Mi", "64Gi"),
    ("1e-9", "1n"),
]


@pytest.mark.parametrize(("request_q", "limit_q"), PAIRS)
def test_requests_within_limits_compares_like_kubernetes(
    evaluators: dict[str, Evaluator], request_q: str, limit_q: str
) -> None:
    over = Decimal(parse_quantity(request_q)) > Decimal(parse_quantity(limit_q))
    for name in ("cpu", "memory", "example.kubernetes.io/widgets"):
        result = evaluate(evaluators["mine"], job({"requests": {name: request_q}, "limits": {name: limit_q}}))
        field = f"{C0}.resources.requests"
        want = [
            (
                "requests-within-limits",
                field,
                f'{field}: Invalid value: "{request_q}": '
                f"must be less than or equal to {name} limit of {limit_q}",
            )
        ]
        assert found(result) == (want if over else []), name


def _whole(q: str) -> bool:
    value = Decimal(parse_quantity(q))
    return value == value.to_integral_value()


# Extended resources must be whole units, so only those pairs apply.
WHOLE_PAIRS = [(r, lim) for r, lim in PAIRS if _whole(r) and _whole(lim)]


@pytest.mark.parametrize(("request_q", "limit_q"), WHOLE_PAIRS)
def test_extended_resources_compare_for_equality_like_kubernetes(
    evaluators: dict[str, Evaluator], request_q: str, limit_q: str
) -> None:
    r, lim = Decimal(parse_quantity(request_q)), Decimal(parse_quantity(limit_q))
    result = evaluate(evaluators["mine"], job({"requests": {"nvidia.com/gpu": request_q},
                                               "limits": {"nvidia.com/gpu": limit_q}}))
    assert bool(found(result, "extended-resources-limits")) is (r != lim)


def test_several_resources_over_their_limits_each_get_a_message(evaluators: dict[str, Evaluator]) -> None:
    result = evaluate(
        evaluators["mine"],
        job(
            {
                "requests": {"cpu": 2, "memory": "2Gi", "ephemeral-storage": "1Gi"},
                "limits": {"cpu": 1, "memory": "1Gi"},
            }
        ),
    )
    field = f"{C0}.resources.requests"
    assert found(result) == [
        (
            "requests-within-limits",
            field,
            f'{field}: Invalid value: "2": must be less than or equal to cpu limit of 1',
        ),
        (
            "requests-within-limits",
            field,
            f'{field}: Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi',
        ),
    ]
    assert [v.value for v in result.violations] == ["2", "2Gi"]


@pytest.mark.parametrize(("name", "overcommit"), [
    ("cpu", True), ("memory", True), ("ephemeral-storage", True), ("example.kubernetes.io/widgets", True),
    ("hugepages-2Mi", False), ("hugepages-1Gi", False), ("nvidia.com/gpu", False), ("amd.com/gpu", False),
    ("example.com/foo", False),
])
def test_overcommit_classification(evaluators: dict[str, Evaluator], name: str, overcommit: bool) -> None:
    """Request below limit: fine for overcommitable resources, 'must be equal' for the others."""
    result = evaluate(evaluators["mine"], job({"requests": {name: "1"}, "limits": {name: "2"}}))
    field = f"{C0}.resources.requests"
    if overcommit:
        assert found(result) == []
    else:
        assert found(result) == [("extended-resources-limits", field,
                                  f'{field}: Invalid value: "1": must be equal to {name} limit of 2')]
    missing = evaluate(evaluators["mine"], job({"requests": {name: "1"}}))
    want = [] if overcommit else [("extended-resources-limits", f"{C0}.resources.limits",
                                   f"{C0}.resources.limits: Required value: Limit must be set for non "
                                   "overcommitable resources")]
    assert found(missing) == want


def test_a_limit_alone_is_enough_for_extended_resources(evaluators: dict[str, Evaluator]) -> None:
    assert (
        found(evaluate(evaluators["mine"], job({"limits": {"nvidia.com/gpu": 4, "hugepages-2Mi": "1Gi"}})))
        == []
    )


# --- resource names ---------------------------------------------------------------------------------

STANDARD = "must be a standard resource for containers"
EXTENDED = "doesn't follow extended resource name standard"


@pytest.mark.parametrize(
    ("name", "detail"),
    [
        ("cpu", None),
        ("memory", None),
        ("ephemeral-storage", None),
        ("hugepages-2Mi", None),
        ("hugepages-1Gi", None),
        ("nvidia.com/gpu", None),
        ("amd.com/gpu", None),
        ("example.kubernetes.io/widget", None),
        ("rdma/hca_shared_devices_a", None),
        ("gpu.intel.com/i915", None),
        ("a/" + "b" * 63, None),
        ("cpus", STANDARD),
        ("CPU", STANDARD),
        ("mem", STANDARD),
        ("gpu", STANDARD),
        ("storage", STANDARD),
        ("", STANDARD),
        ("nvidia.com/GPU count", EXTENDED),
        ("NVIDIA.com/gpu", EXTENDED),
        ("requests.nvidia.com/gpu", EXTENDED),
        ("example.com/a/b", EXTENDED),
        ("example.com/", EXTENDED),
        ("/gpu", EXTENDED),
        ("-x.com/gpu", EXTENDED),
        ("a/" + "b" * 64, EXTENDED),
        ("ü.com/gpu", EXTENDED),
    ],
)
def test_resource_names(catalogue: Catalogue, modules: dict[str, str], name: str, detail: str | None) -> None:
    for engine in ("embedded", "opa") if opa_available() else ("embedded",):
        ev = Evaluator(
            catalogue, profile="all", engine=engine, only=["resource-names-valid"], modules=modules
        )
        result = evaluate(ev, job({"limits": {name: "1"}}))
        field = f"{C0}.resources.limits[{name}]"
        want = (
            []
            if detail is None
            else [("resource-names-valid", field, f'{field}: Invalid value: "{name}": {detail}')]
        )
        assert found(result) == want, engine


# --- malformed input: later stages stay silent, field-types speaks once, nothing errors -------------

MALFORMED: dict[str, Any] = {
    "resources-string": job("1"),
    "resources-list": job([{"cpu": "1"}]),
    "requests-list": job({"requests": ["cpu"], "limits": {"cpu": "1"}}),
    "limits-string": job({"requests": {"nvidia.com/gpu": 1}, "limits": "nvidia.com/gpu=1"}),
    "containers-map": {**job(), "spec": {"pytorchReplicaSpecs": {"Worker": {"template": {"spec": {
        "containers": {"pytorch": {"image": "x", "resources": {"limits": {"cpu": "1Gii"}}}}}}}}}},
    "template-string": {**job(), "spec": {"pytorchReplicaSpecs": {"Worker": {"template": "pod"}}}},
    "replica-spec-list": {**job(), "spec": {"pytorchReplicaSpecs": {"Worker": [1, 2]}}},
    "replica-specs-string": {**job(), "spec": {"pytorchReplicaSpecs": "Worker"}},
    "spec-list": {**job(), "spec": ["pytorchReplicaSpecs"]},
    "container-string": {**job(), "spec": {"pytorchReplicaSpecs": {"Worker": {"template": {"spec": {
        "containers": ["pytorch"]}}}}}},
    "security-context-string": job(securityContext="privileged"),
}
EXPECTED_FIELD_TYPES = {
    "resources-string": [f"{C0}.resources"],
    "resources-list": [f"{C0}.resources"],
    "requests-list": [f"{C0}.resources.requests"],
    "limits-string": [f"{C0}.resources.limits"],
    "containers-map": ["spec.pytorchReplicaSpecs[Worker].template.spec.containers"],
    "template-string": ["spec.pytorchReplicaSpecs[Worker].template"],
    "replica-spec-list": ["spec.pytorchReplicaSpecs[Worker]"],
    "replica-specs-string": ["spec.pytorchReplicaSpecs"],
    "spec-list": [],
    "container-string": [f"{C0}"],
    "security-context-string": [f"{C0}.securityContext"],
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_structure_gets_one_type_error_and_no_resource_noise(
    evaluators: dict[str, Evaluator], name: str
) -> None:
    result = evaluate(evaluators["mine"], MALFORMED[name])
    assert [f for r, f, _ in found(result)] == EXPECTED_FIELD_TYPES[name]
    assert {r for r, _, _ in found(result)} <= {"field-types"}


@pytest.mark.parametrize("name", sorted(MALFORMED))
@pytest.mark.parametrize("profile", ["baseline", "restricted"])
def test_malformed_structure_never_breaks_a_profile(
    evaluators: dict[str, Evaluator], name: str, profile: str
) -> None:
    """resources-required may still ask for what is missing from the well-formed parts, never
    inside a malformed part; the other resource rules stay silent."""
    result = evaluate(evaluators[profile], MALFORMED[name])
    assert result.decision in ("deny", "allow")
    assert not {v.rule for v in result.violations} & (set(RESOURCE_RULES) - {"resources-required"})
    malformed = EXPECTED_FIELD_TYPES[name]
    for v in result.violations:
        if v.rule == "resources-required":
            assert not any(v.field.startswith(m + ".") or v.field.startswith(m + "[") for m in malformed), (
                v.field
            )


def test_weird_resource_names_and_values(evaluators: dict[str, Evaluator]) -> None:
    resources = {
        "requests": {"": "1", "ü/gpu": "1", "requests.nvidia.com/gpu": 1, "x" * 300: "1", "a/b/c": "2"},
        "limits": {"": "1", "ü/gpu": "1", "requests.nvidia.com/gpu": 1, "x" * 300: "1", "a/b/c": "2"},
    }
    result = evaluate(evaluators["mine"], job(resources))
    assert found(result) == []
    long_value = evaluate(evaluators["mine"], job({"limits": {"cpu": "1" * 100}}))
    assert [r for r, _, _ in found(long_value)] == ["resource-quantities-valid"]


# --- restricted-only rules -------------------------------------------------------------------------


def test_resources_required_reports_each_missing_entry(evaluators: dict[str, Evaluator]) -> None:
    result = evaluate(evaluators["restricted"], job({"requests": {"cpu": "1"}}))
    assert found(result) == [
        ("resources-required", f"{C0}.resources.limits[cpu]",
         f"{C0}.resources.limits[cpu]: Required value: every container must set a limit for cpu"),
        ("resources-required", f"{C0}.resources.limits[memory]",
         f"{C0}.resources.limits[memory]: Required value: every container must set a limit for memory"),
        ("resources-required", f"{C0}.resources.requests[memory]",
         f"{C0}.resources.requests[memory]: Required value: every container must set a request for memory"),
    ]
    assert not found(evaluate(evaluators["baseline"], job({"requests": {"cpu": "1"}})))


def test_restricted_checks_init_containers_too(evaluators: dict[str, Evaluator]) -> None:
    obj = job({"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}})
    pod = obj["spec"]["pytorchReplicaSpecs"]["Worker"]["template"]["spec"]
    assert evaluate(evaluators["restricted"], obj).decision == "allow"
    pod["initContainers"] = [
        {"name": "init", "image": "busybox:1.36", "securityContext": {"privileged": True}}
    ]
    init = "spec.pytorchReplicaSpecs[Worker].template.spec.initContainers[0]"
    fields = [f for _, f, _ in found(evaluate(evaluators["restricted"], obj))]
    assert sorted(fields) == [f"{init}.resources.limits[cpu]", f"{init}.resources.limits[memory]",
                              f"{init}.resources.requests[cpu]", f"{init}.resources.requests[memory]",
                              f"{init}.securityContext.privileged"]


def test_gpu_cap_in_restricted(evaluators: dict[str, Evaluator]) -> None:
    sized = {"cpu": "1", "memory": "1Gi"}
    at_cap = job({"requests": {**sized, "nvidia.com/gpu": 8}, "limits": {**sized, "nvidia.com/gpu": "8"}})
    assert evaluate(evaluators["restricted"], at_cap).decision == "allow"
    over = job({"requests": {**sized, "nvidia.com/gpu": 9}, "limits": {**sized, "nvidia.com/gpu": 9}})
    field = f"{C0}.resources.limits[nvidia.com/gpu]"
    assert found(evaluate(evaluators["restricted"], over)) == [
        ("resource-limit-caps", field, f'{field}: Invalid value: "9": must be less than or equal to 8')]
    assert evaluate(evaluators["baseline"], over).decision == "allow"


@pytest.mark.parametrize("flag", ["hostNetwork", "hostPID", "hostIPC"])
def test_host_namespaces_forbidden_in_restricted_only(evaluators: dict[str, Evaluator], flag: str) -> None:
    obj = job({"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}})
    obj["spec"]["pytorchReplicaSpecs"]["Worker"]["template"]["spec"][flag] = True
    result = evaluate(evaluators["restricted"], obj)
    assert [(v.rule, v.type, v.field) for v in result.violations] == [
        (
            "pod-security-baseline",
            "FieldValueForbidden",
            f"spec.pytorchReplicaSpecs[Worker].template.spec.{flag}",
        )
    ]
    assert evaluate(evaluators["baseline"], obj).decision == "allow"
    obj["spec"]["pytorchReplicaSpecs"]["Worker"]["template"]["spec"][flag] = False
    assert evaluate(evaluators["restricted"], obj).decision == "allow"


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


def test_engines_agree_on_the_corpus_of_this_file(catalogue: Catalogue, modules: dict[str, str]) -> None:
    """Every object this file builds, under restricted, gives identical violations on both engines."""
    if not opa_available():
        pytest.skip("real OPA not installed")
    objects = list(MALFORMED.values()) + [job({"requests": {"memory": q}, "limits": {"memory": "1Gi"}})
                                          for q in VALID + INVALID]
    results = {}
    for engine in ("embedded", "opa"):
        ev = Evaluator(catalogue, profile="restricted", engine=engine, modules=modules)
        results[engine] = [[v.to_json() for v in evaluate(ev, o).violations] for o in objects]
    assert results["embedded"] == results["opa"]
