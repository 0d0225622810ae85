"""Hand-made edge inputs for the fuzz tests (tests/test_fuzz.py): sizes, numbers and types at the
limits, unicode, deep nesting, non-object inputs, and regressions that once made the engines disagree."""

from __future__ import annotations

from typing import Any

import fuzzgen
from kfpolicy.yamlio import MAX_DEPTH


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
