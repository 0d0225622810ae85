"""Property-based fuzzing of the generated policies on both engines (hypothesis).

Generators (tests/fuzzgen.py) cover every kind in catalogue/kinds.yaml with valid objects, objects
with one field broken, and type-confused objects (numbers as strings, lists for maps, nulls, unicode,
very long names, huge integers, floats, deep nesting, many containers), as manifests, AdmissionReviews
and Gatekeeper reviews. Properties, on every generated input:
  - neither engine raises an error;
  - both engines return the same violations (and deny, warn, admission.response);
  - the same input twice gives the same output;
  - every violation's field names a path in the object (Required: its nearest existing parent).
CI runs a bounded number of examples; benchmarks/soak.py runs the same generators 100,000 times.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import fuzzgen
from kfpolicy.catalogue import Catalogue
from kfpolicy.engines.opa_golib import available as opa_available
from kfpolicy.yamlio import MAX_DEPTH

pytestmark = pytest.mark.skipif(
    not opa_available(), reason="real OPA not installed (scripts/setup.sh --test)"
)

# No shrinking: it can take minutes on inputs this size; a failure prints the whole input instead.
FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def pair(catalogue: Catalogue) -> fuzzgen.EnginePair:
    return fuzzgen.EnginePair(catalogue, "all", fuzzgen.inventory(catalogue))


@pytest.fixture(scope="module")
def quirks(catalogue: Catalogue) -> frozenset[str]:
    return fuzzgen.quirk_fields(catalogue)


def check_properties(pair: fuzzgen.EnginePair, rego_input: Any, quirks: frozenset[str]) -> None:
    shown = json.dumps(rego_input)[:2000]
    for outcome in pair.check(rego_input):
        assert not outcome.error, f"engine error on {outcome.query}: {outcome.error}\ninput: {shown}"
        assert outcome.agree, (
            f"engines disagree on {outcome.query}\n embedded: {outcome.embedded}\n"
            f" interpreter: {outcome.interpreter}\n opa:      {outcome.opa}\ninput: {shown}"
        )
    assert not pair.compiled_fallbacks(), (
        f"the compiled mode handed an input to the interpreter\ninput: {shown}"
    )
    for name, ev in pair.engines.items():
        first = fuzzgen.canonical(ev.query("data.kubeflow.violation", rego_input))
        again = fuzzgen.canonical(ev.query("data.kubeflow.violation", rego_input))
        assert first == again, f"{name}: same input, different output\ninput: {shown}"
    violations = pair.embedded.query("data.kubeflow.violation", rego_input)
    obj = fuzzgen.object_of(rego_input)
    for v in violations if isinstance(violations, list) else []:
        d = v.get("details", {})
        problem = fuzzgen.field_problem(obj, d.get("field", ""), d.get("type", ""), quirks, d.get("value"))
        assert not problem, f"rule {d.get('rule')}: {problem}\nmsg: {v.get('msg')}\ninput: {shown}"


@pytest.mark.parametrize("mode", fuzzgen.MODES)
def test_generated_inputs(
    mode: str, catalogue: Catalogue, pair: fuzzgen.EnginePair, quirks: frozenset[str]
) -> None:
    @FUZZ
    @given(fuzzgen.strategy(catalogue, mode=mode, max_containers=50))
    def prop(rego_input: Any) -> None:
        check_properties(pair, rego_input, quirks)

    prop()


def test_every_kind_is_generated(
    catalogue: Catalogue, pair: fuzzgen.EnginePair, quirks: frozenset[str]
) -> None:
    """Each kind in the kind table, valid and broken, at least a few times (hypothesis may favour some)."""
    for kind_id in sorted(catalogue.kinds):
        @settings(FUZZ, max_examples=8)
        @given(st.sampled_from(["valid", "broken", "confused"]).flatmap(
            lambda m, k=kind_id: fuzzgen.strategy(catalogue, mode=m, kind_id=k, max_containers=10)))
        def prop(rego_input: Any) -> None:
            check_properties(pair, rego_input, quirks)

        prop()


def _pytorch(containers: Any = None, **replica: Any) -> dict[str, Any]:
    spec = {"template": {"spec": {"containers": containers if containers is not None else
                                  [{"name": "pytorch", "image": "x"}]}}}
    spec.update(replica)
    return {"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": {"name": "edge"},
            "spec": {"pytorchReplicaSpecs": {"Worker": spec}}}


def _trainjob(spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "trainer.kubeflow.org/v1alpha1", "kind": "TrainJob",
            "metadata": {"name": "t", "namespace": "default"}, "spec": spec}


EDGE_INPUTS = {
    # Bounded for CI: evaluation grows faster than linearly (1000 containers, each with four
    # violations, take seconds per engine); benchmarks/soak.py generates up to 200 per list.
    "a thousand containers": _pytorch(
        [
            {
                "name": f"c{i}",
                "image": "",
                "resources": {"requests": {"cpu": "2", "memory": "1Gii"}, "limits": {"cpu": "1"}},
            }
            for i in range(1000)
        ]
    ),
    "huge replicas": _pytorch(replicas=10**30),
    "most negative int64 replicas": _pytorch(replicas=-(2**63)),
    "float replicas": _pytorch(replicas=-0.5),
    "replicas as string": _pytorch(replicas="3"),
    "containers as a map": _pytorch({"pytorch": {"image": "x"}}),
    "resources as a string": _pytorch([{"name": "pytorch", "image": "x", "resources": "1"}]),
    "huge quantity": _pytorch(
        [
            {
                "name": "pytorch",
                "image": "x",
                "resources": {
                    "requests": {"cpu": "1e400", "memory": 10**30},
                    "limits": {"cpu": "1", "memory": 1e308},
                },
            }
        ]
    ),
    "unicode everywhere": {
        "apiVersion": "kubeflow.org/v1",
        "kind": "TFJob",
        "metadata": {"name": "名前🚀\u202e"},
        "spec": {
            "tfReplicaSpecs": {
                "Wörker]": {
                    "replicas": -1,
                    "template": {"spec": {"containers": [{"name": "tensorflow\u200b", "image": "é"}]}},
                }
            }
        },
    },
    "deep nesting at the limit": _pytorch(template=fuzzgen.nested(MAX_DEPTH - 5, 1, False)),
    "deep list nesting": _pytorch(fuzzgen.nested(MAX_DEPTH - 8, {"name": "pytorch"}, True)),
    "null spec": {"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": None, "spec": None},
    "list input": [1, 2, 3],
    "string input": "PyTorchJob",
    "review with null object": {"request": {"operation": "UPDATE", "object": None, "oldObject": 3}},
    "trainjob with runtimeRef list": {
        "apiVersion": "trainer.kubeflow.org/v1alpha1",
        "kind": "TrainJob",
        "metadata": {"name": "t", "namespace": "default"},
        "spec": {"runtimeRef": [{"name": "torch-distributed"}], "trainer": []},
    },
    # Regressions: inputs that once made the engines disagree or fail (fixed in the Rego).
    "mxjob containers as a map": {
        "apiVersion": "kubeflow.org/v1",
        "kind": "MXJob",
        "metadata": {"name": "m"},
        "spec": {
            "mxReplicaSpecs": {
                "Worker": {"replicas": 1, "template": {"spec": {"containers": {"mxnet": {"image": "x"}}}}}
            }
        },
    },
    "trainjob runtimePatches a string": _trainjob(
        {"runtimeRef": {"name": "torch-distributed"}, "runtimePatches": "x"}
    ),
    "trainjob runtimePatches a number": _trainjob(
        {"runtimeRef": {"name": "torch-distributed"}, "runtimePatches": 1.0}
    ),
    "trainjob name of emoji": dict(
        _trainjob({"runtimeRef": {"name": "torch-distributed"}}),
        metadata={"name": "🚀" * 40, "namespace": "default"},
    ),
    "runtimeRef holding a tiny float": _trainjob(
        {"runtimeRef": {"name": "missing-runtime", "apiGroup": 1e-300, "kind": "TrainingRuntime"}}
    ),
    "extended resource of 1e1000": _pytorch(
        [
            {
                "name": "pytorch",
                "image": "x",
                "resources": {
                    "requests": {"nvidia.com/gpu": "1e1000"},
                    "limits": {"nvidia.com/gpu": "1e1000"},
                },
            }
        ]
    ),
    "integral floats inside a printed value": _trainjob(
        {"runtimeRef": {"name": "missing-runtime", "kind": "TrainingRuntime", "x": [1.0, -0.0, 2.5]}}
    ),
    "volcano runtime with a system priority class": _trainjob({"runtimeRef": {"name": "volcano-runtime"}}),
    "runtimeRef name with invisible characters": _trainjob(
        {"runtimeRef": {"name": "a\u202eb\u200b\x00🚀", "kind": "ClusterTrainingRuntime"}}
    ),
    "runtime patch with 70 containers": _trainjob(
        {
            "runtimeRef": {"name": "torch-distributed"},
            "runtimePatches": [
                {
                    "manager": "acme.io/x",
                    "trainingRuntimeSpec": {
                        "template": {
                            "spec": {
                                "replicatedJobs": [
                                    {
                                        "name": "node",
                                        "template": {
                                            "spec": {
                                                "template": {
                                                    "spec": {
                                                        "containers": [{"name": f"c{i}"} for i in range(70)]
                                                    }
                                                }
                                            }
                                        },
                                    }
                                ]
                            }
                        }
                    },
                }
            ],
        }
    ),
    "runtime patch container without a name": _trainjob(
        {
            "runtimeRef": {"name": "torch-distributed"},
            "runtimePatches": [
                {
                    "manager": "acme.io/x",
                    "trainingRuntimeSpec": {
                        "template": {
                            "spec": {
                                "replicatedJobs": [
                                    {
                                        "name": "node",
                                        "template": {
                                            "spec": {
                                                "template": {
                                                    "spec": {
                                                        "containers": [
                                                            {"env": [{"name": "A", "value": "1"}]},
                                                            "str",
                                                            None,
                                                        ]
                                                    }
                                                }
                                            }
                                        },
                                    }
                                ]
                            }
                        }
                    },
                }
            ],
        }
    ),
    "runtime with replicatedJobs map": {
        "apiVersion": "trainer.kubeflow.org/v1alpha1",
        "kind": "ClusterTrainingRuntime",
        "metadata": {"name": "r"},
        "spec": {"template": {"spec": {"replicatedJobs": {"node": {"replicas": "1"}}}}},
    },
}


@pytest.mark.parametrize("name", sorted(EDGE_INPUTS))
def test_edge_inputs(name: str, pair: fuzzgen.EnginePair, quirks: frozenset[str]) -> None:
    if name == "a thousand containers":  # the slow one: one query per engine
        outcome = pair.run("data.kubeflow.violation", EDGE_INPUTS[name])
        assert not outcome.error, outcome.error
        assert outcome.agree
        assert len(json.loads(outcome.embedded)) >= 1000
        return
    check_properties(pair, EDGE_INPUTS[name], quirks)


# --- the field-path resolver itself --------------------------------------------------------------

OBJ = {"spec": {"pytorchReplicaSpecs": {"Worker": {"template": {"spec": {"containers": [
    {"name": "pytorch", "resources": {"limits": {"nvidia.com/gpu": "1"}}}]}}},
    "a]b": {"replicas": 1}}}, "metadata": {"name": "x"}}


@pytest.mark.parametrize("path, exists", [
    ("metadata.name", True),
    ("spec.pytorchReplicaSpecs[Worker].template.spec.containers[0].name", True),
    ("spec.pytorchReplicaSpecs[Worker].template.spec.containers[0].resources.limits[nvidia.com/gpu]", True),
    ("spec.pytorchReplicaSpecs[Worker].template.spec.containers[0].resources.limits.nvidia.com/gpu", True),
    ("spec.pytorchReplicaSpecs[a]b].replicas", True),
    ("spec.pytorchReplicaSpecs[Worker].template.spec.containers[1].name", False),
    ("spec.pytorchReplicaSpecs[Master].replicas", False),
    ("spec.pytorchReplicaSpecs.Worker.replicas", False),
    ("spec.RuntimeRef", False),
    ("metadata.namex", False),
])
def test_resolver(path: str, exists: bool) -> None:
    assert fuzzgen.resolve(OBJ, path) is exists


def test_required_fields_may_name_a_missing_child() -> None:
    assert fuzzgen.field_problem(OBJ, "spec.pytorchReplicaSpecs[Worker].replicas", "FieldValueRequired") == ""
    assert fuzzgen.field_problem(OBJ, "spec.pytorchReplicaSpecs[Master]", "FieldValueRequired") == ""
    assert fuzzgen.field_problem(OBJ, "spec.pytorchReplicaSpecs[Worker].template.spec.containers[0].image",
                                 "FieldValueRequired") == ""
    # ...but not through a map key or index that is not there, and not for other error types.
    assert fuzzgen.field_problem(OBJ, "spec.pytorchReplicaSpecs[Master].replicas", "FieldValueRequired")
    assert fuzzgen.field_problem(OBJ, "spec.pytorchReplicaSpecs[Worker].template.spec.containers[3].image",
                                 "FieldValueRequired")
    assert fuzzgen.field_problem(
        OBJ, "spec.pytorchReplicaSpecs[Worker].replicas", "FieldValueInvalid", value=-1
    )
    assert (
        fuzzgen.field_problem(
            OBJ, "spec.pytorchReplicaSpecs[Worker].replicas", "FieldValueForbidden", value=None
        )
        == ""
    )


def test_generators_make_the_kind_asked_for(catalogue: Catalogue) -> None:
    from random import Random

    for kind_id, kind in sorted(catalogue.kinds.items()):
        for seed in range(5):
            obj = fuzzgen.object_of(fuzzgen.generate(fuzzgen.RandomSource(Random(seed)), catalogue,
                                                     mode="valid", kind_id=kind_id))
            assert (obj["kind"], obj["apiVersion"].split("/")[0]) == (kind.kind, kind.group)


def test_generators_are_deterministic_for_a_seed(catalogue: Catalogue) -> None:
    from random import Random

    a = [fuzzgen.generate(fuzzgen.RandomSource(Random(7)), catalogue) for _ in range(3)]
    b = [fuzzgen.generate(fuzzgen.RandomSource(Random(7)), catalogue) for _ in range(3)]
    assert json.dumps(a) == json.dumps(b)


# --- Gatekeeper templates (Rego v1 form) on generated inputs ---------------------------------------


@pytest.fixture(scope="module")
def templates(catalogue: Catalogue) -> list[tuple[Any, dict[str, Any], dict[str, Any]]]:
    from kfpolicy.gatekeeper.evaluate import CompiledTemplate, parse_docs
    from kfpolicy.gatekeeper.names import SUITES, GatekeeperOptions, template_path
    from kfpolicy.gatekeeper.render import render_gatekeeper

    files = render_gatekeeper(catalogue, GatekeeperOptions(code_field=True))
    out = []
    for rule in catalogue.rules_sorted():
        [template] = parse_docs(files[template_path(rule.id)])
        cpath = f"{SUITES}/{rule.id}/constraint.yaml"
        params = (parse_docs(files[cpath])[0]["spec"].get("parameters") or {}) if cpath in files else {}
        out.append((rule, {e: CompiledTemplate(template, engine=e) for e in ("embedded", "opa")}, params))
    return out


def test_gatekeeper_templates_on_generated_inputs(catalogue: Catalogue, templates: Any) -> None:
    from kfpolicy.admission import admission_request
    from kfpolicy.runner import input_json, inventory_tree

    inventory = inventory_tree(fuzzgen.inventory(catalogue))

    @settings(FUZZ, max_examples=25)
    @given(fuzzgen.strategy(catalogue, max_containers=20))
    def prop(rego_input: Any) -> None:
        obj = fuzzgen.object_of(rego_input)
        kind = catalogue.kind_for(obj.get("apiVersion"), obj.get("kind"))
        request = (
            rego_input.get("request") or rego_input.get("review") if isinstance(rego_input, dict) else None
        )
        operation, old = "CREATE", None
        if isinstance(request, dict) and request.get("object") is obj:
            operation, old = str(request.get("operation", "CREATE")), request.get("oldObject")
        review = admission_request(obj, operation=operation, old_object=old)
        for rule, engines, params in templates:
            if kind is None or kind.id not in rule.kinds:
                continue
            text = input_json({"review": review, "parameters": params})
            got = {e: fuzzgen.canonical(t.violations(text, inventory, "fuzz")) for e, t in engines.items()}
            assert got["embedded"] == got["opa"], (rule.id, got, json.dumps(rego_input)[:2000])

    prop()
