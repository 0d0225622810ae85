"""The fuzz tests' own tools (tests/fuzzgen/): the field-path resolver finds what is there and only
that, a Required error may name a missing child, and the generators make the kind asked for, the
same objects for the same seed."""

from __future__ import annotations

import json

import pytest

import fuzzgen
from kfpolicy.catalogue import Catalogue

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
