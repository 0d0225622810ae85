"""Malformed TrainJobs and runtimes evaluate without error and identically on the embedded engine
and real OPA, with a runtime in the inventory that enables every plugin (so every Trainer rule and
the patch-merging helpers of lib.kubeflow.trainer run)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kfpolicy.catalogue.loader import load_catalogue
from kfpolicy.inputs import Document
from kfpolicy.render.rego import render_rego
from kfpolicy.runner import Evaluator

WEIRD: list[Any] = [None, -1, "", "x", [], {}, [None], [{}], {"a": 1}, True]

RUNTIME = {
    "apiVersion": "trainer.kubeflow.org/v1alpha1",
    "kind": "ClusterTrainingRuntime",
    "metadata": {"name": "torchtune-llama3.2-1b"},
    "spec": {
        "mlPolicy": {
            "torch": {"envInjection": {"targets": [{"jobName": "node", "containerNames": ["x"]}]}},
            "mpi": {"runLauncherAsNode": True},
            "flux": {},
            "xgboost": {},
        },
        "podGroupPolicy": {"volcano": {}},
        "template": {
            "metadata": {"annotations": {"scheduling.volcano.sh/queue-name": ""}},
            "spec": {
                "replicatedJobs": [
                    {
                        "name": "node",
                        "template": {
                            "metadata": {
                                "labels": {"trainer.kubeflow.org/trainjob-ancestor-step": "trainer"}
                            },
                            "spec": {
                                "template": {
                                    "spec": {
                                        "priorityClassName": "p",
                                        "initContainers": [{"name": "flux-installer"}],
                                        "containers": [{"name": "node"}],
                                    }
                                }
                            },
                        },
                    }
                ]
            },
        },
    },
}

JOB = {
    "apiVersion": "trainer.kubeflow.org/v1alpha1",
    "kind": "TrainJob",
    "metadata": {"name": "j", "namespace": "default"},
    "spec": {
        "runtimeRef": {"name": "torchtune-llama3.2-1b"},
        "suspend": True,
        "trainer": {
            "command": ["tune", "run"],
            "env": [{"name": "PET_NNODES"}, {"name": "DMLC_TASK_ID"}],
            "args": ["output_dir=x", "model.quantize_base=True"],
            "numNodes": 2,
            "resourcesPerNode": {"requests": {"nvidia.com/gpu": 2}},
        },
        "initializer": {"dataset": {"storageUri": "x"}, "model": {}},
        "runtimePatches": [
            {
                "manager": "acme.io/a",
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
                                                    "containers": [{"name": "node", "env": [{"name": "A"}]}]
                                                }
                                            }
                                        }
                                    },
                                },
                                {"name": "ghost"},
                            ]
                        }
                    }
                },
            }
        ],
    },
    "status": {"conditions": [{"type": "Created", "status": "True"}, {"type": "Running", "status": "True"}]},
}

JOB_PATHS = [
    ("spec",),
    ("spec", "runtimeRef"),
    ("spec", "runtimeRef", "name"),
    ("spec", "runtimeRef", "kind"),
    ("spec", "trainer"),
    ("spec", "trainer", "env"),
    ("spec", "trainer", "args"),
    ("spec", "trainer", "numNodes"),
    ("spec", "trainer", "resourcesPerNode"),
    ("spec", "runtimePatches"),
    ("spec", "initializer"),
    ("metadata",),
    ("metadata", "name"),
    ("status",),
    ("status", "conditions"),
]
RUNTIME_PATHS = [
    ("spec", "template"),
    ("spec", "mlPolicy"),
    ("spec", "template", "spec", "replicatedJobs"),
    ("metadata", "labels"),
]


def with_value(obj: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    cur = out
    for key in path[:-1]:
        if not isinstance(cur.get(key), dict):
            cur[key] = {}
        cur = cur[key]
    cur[path[-1]] = value
    return out


INPUTS = [with_value(JOB, p, w) for p in JOB_PATHS for w in WEIRD] + [
    with_value(RUNTIME, p, w) for p in RUNTIME_PATHS for w in WEIRD
]


@pytest.fixture(scope="module")
def evaluators() -> dict[str, Evaluator]:
    cat = load_catalogue()
    modules = render_rego(cat)
    trainer_rules = [r.id for r in cat.rules_sorted() if r.id.startswith(("trainjob-", "runtime-"))]
    return {
        engine: Evaluator(
            cat, profile="all", engine=engine, inventory=[RUNTIME], only=trainer_rules, modules=modules
        )
        for engine in ("embedded", "opa")
    }


def decide(evaluator: Evaluator, obj: dict[str, Any], operation: str) -> list[tuple[str, str, str]]:
    review = {"request": {"operation": operation, "object": obj, "oldObject": JOB}}
    doc = Document(source="x", obj=obj, operation=operation, old_object=JOB, rego_input=review)
    return sorted((v.rule, v.field, v.msg) for v in evaluator.evaluate(doc).violations)


def test_the_unmodified_job_fires_every_plugin_rule(evaluators: dict[str, Evaluator]) -> None:
    fired = {rule for rule, _, _ in decide(evaluators["embedded"], JOB, "CREATE")}
    assert {
        "trainjob-flux-reserved-init-container",
        "trainjob-volcano-priority-class",
        "trainjob-volcano-queue-name",
        "trainjob-torch-reserved-env",
        "trainjob-xgboost-reserved-env",
        "trainjob-mpi-launcher-node",
        "trainjob-torchtune-config",
        "trainjob-torchtune-immutable-args",
        "trainjob-runtime-patch-targets",
        "trainjob-runtime-patch-reserved-env",
        "trainjob-dataset-initializer",
        "trainjob-model-initializer",
        "trainjob-torch-env-injection",
        "trainjob-condition-types",
        "trainjob-condition-created",
    } <= fired


@pytest.mark.parametrize("operation", ["CREATE", "UPDATE"])
def test_malformed_inputs_agree_on_both_engines(evaluators: dict[str, Evaluator], operation: str) -> None:
    for obj in INPUTS:
        embedded = decide(evaluators["embedded"], obj, operation)
        opa = decide(evaluators["opa"], obj, operation)
        assert embedded == opa, obj
