"""Whole objects of the Trainer v2 kinds: TrainJobs, (Cluster)TrainingRuntimes with replicated jobs,
and the fixed inventory of runtimes the generated TrainJobs may refer to."""

from __future__ import annotations

from typing import Any

from kfpolicy.catalogue.model import Catalogue, Kind

from .leaves import MANAGERS, dns_name, env, resources
from .pods import metadata, pod_spec
from .sources import RandomSource, Source

RUNTIME_NAMES = ["torch-distributed", "mpi-distributed", "deepspeed-distributed", "torchtune-llama3.2-1b",
                 "xgboost-distributed", "flux-runtime", "missing-runtime"]
# A fixed runtime (not generated): Volcano with a system priority class on its first job.
VOLCANO_RUNTIME = {
    "apiVersion": "trainer.kubeflow.org/v1alpha1", "kind": "ClusterTrainingRuntime",
    "metadata": {"name": "volcano-runtime"},
    "spec": {"podGroupPolicy": {"volcano": {}}, "template": {"spec": {"replicatedJobs": [
        {"name": "node", "template": {"spec": {"template": {"spec": {
            "priorityClassName": "system-node-critical", "containers": [{"name": "node", "image": "x"}]}}}}},
        {"name": "extra", "template": {"spec": {"template": {"spec": {
            "priorityClassName": "missing-class", "containers": [{"name": "node", "image": "x"}]}}}}},
    ]}}},
}
ANCESTORS = {
    "dataset-initializer": "dataset-initializer",
    "model-initializer": "model-initializer",
    "trainer": "node",
}


def replicated_job(src: Source, job_name: str) -> dict[str, Any]:
    ancestor = {"dataset-initializer": "dataset-initializer", "model-initializer": "model-initializer",
                "node": "trainer", "launcher": "trainer"}.get(job_name)
    main = ANCESTORS.get(ancestor or "") if src.chance(90) else dns_name(src)
    tmpl: dict[str, Any] = {"spec": {"template": {"spec": pod_spec(src, main)}}}
    if ancestor and src.chance(80):
        tmpl["metadata"] = {"labels": {"trainer.kubeflow.org/trainjob-ancestor-step": ancestor}}
    job: dict[str, Any] = {"name": job_name, "template": tmpl}
    if src.chance(60):
        job["replicas"] = src.choice([1, 1, 1, 2, 0])
    return job


def runtime(src: Source, kind: Kind) -> dict[str, Any]:
    jobs = [
        j for j in ("dataset-initializer", "model-initializer", "launcher", "node") if src.chance(50)
    ] or ["node"]
    spec: dict[str, Any] = {"template": {"spec": {"replicatedJobs": [replicated_job(src, j) for j in jobs]}}}
    ml = src.choice(["torch", "mpi", "xgboost", "flux", "jax", None])
    policy: dict[str, Any] = {"numNodes": src.choice([1, 2, 4, 0])} if src.chance(70) else {}
    if ml == "torch":
        policy["torch"] = {"numProcPerNode": src.choice(["auto", 1, 2, "gpu"])}
    elif ml == "mpi":
        policy["mpi"] = {
            "numProcPerNode": src.choice([1, 2]),
            "mpiImplementation": src.choice(["OpenMPI", "Intel"]),
            "sshAuthMountPath": "/root/.ssh",
            "runLauncherAsNode": src.chance(50),
        }
    elif ml is not None:
        policy[ml] = {}
    if policy:
        spec["mlPolicy"] = policy
    if src.chance(20):
        spec["podGroupPolicy"] = src.choice(
            [{"coscheduling": {"scheduleTimeoutSeconds": 60}}, {"volcano": {}}]
        )
    if src.chance(15):
        spec["template"]["metadata"] = {
            "annotations": {"scheduling.volcano.sh/queue-name": src.choice(["", "q"])}
        }
    meta = metadata(src, namespaced=kind.scope != "Cluster")
    if src.chance(15):
        meta["labels"] = {"trainer.kubeflow.org/support": "deprecated"}
    return {
        "apiVersion": f"{kind.group}/{src.choice(kind.versions)}",
        "kind": kind.kind,
        "metadata": meta,
        "spec": spec,
    }


def trainjob(src: Source, kind: Kind) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if src.chance(90):
        ref: dict[str, Any] = {"name": src.choice([*RUNTIME_NAMES, "volcano-runtime"])}
        if src.chance(60):
            ref["kind"] = src.choice(["ClusterTrainingRuntime", "TrainingRuntime", "Foo"])
        if src.chance(50):
            ref["apiGroup"] = src.choice(["trainer.kubeflow.org", "example.com"])
        spec["runtimeRef"] = ref
    if src.chance(70):
        trainer: dict[str, Any] = {}
        if src.chance(60):
            trainer["image"] = src.choice(["pytorch/pytorch:2.1", ""])
        if src.chance(30):
            trainer["command"] = src.choice([["tune", "run"], ["torchrun", "train.py"]])
        if src.chance(30):
            trainer["args"] = src.choice([["output_dir=/x"], ["model.lora_attn_modules=[q]"], ["epochs=1"]])
        if src.chance(40):
            trainer["numNodes"] = src.choice([1, 2, 4, 0, -1])
        if src.chance(30):
            trainer["numProcPerNode"] = src.choice(["auto", 1, 2, "gpu", 0])
        if src.chance(40):
            trainer["resourcesPerNode"] = resources(src)
        if src.chance(30):
            trainer["env"] = env(src)
        spec["trainer"] = trainer
    if src.chance(20):
        spec["initializer"] = {k: {"storageUri": "hf://x"} for k in ("dataset", "model") if src.chance(60)}
    if src.chance(15):
        spec["suspend"] = src.chance(50)
    if src.chance(15):
        spec["managedBy"] = src.choice(MANAGERS)
    if src.chance(15):
        spec["labels"] = {"a": "b"}
    if src.chance(15):
        spec["runtimePatches"] = [{
            "manager": src.choice(["acme.io/tool", "bad", "", "a/b/c"]),
            "trainingRuntimeSpec": {"template": {"spec": {"replicatedJobs": [
                {"name": src.choice(["node", "nope", "dataset-initializer"]),
                 "template": {"spec": {"template": {"spec": {"containers": [
                     {"name": src.choice(["node", "other"]), "env": env(src)}]}}}}}]}}}}]
    return {"apiVersion": f"{kind.group}/{src.choice(kind.versions)}", "kind": kind.kind,
            "metadata": metadata(src), "spec": spec}


# A fixed inventory for the engines (loaded once): runtimes the generated TrainJobs may refer to.
def inventory(cat: Catalogue) -> list[dict[str, Any]]:
    from random import Random

    out = []
    for i, rname in enumerate(RUNTIME_NAMES[:-1]):
        for kid in ("clustertrainingruntime", "trainingruntime"):
            if kid not in cat.kinds:
                continue
            src = RandomSource(Random(f"{rname}/{kid}"))
            obj = runtime(src, cat.kinds[kid])
            obj["metadata"] = {"name": rname}
            if kid == "trainingruntime":
                obj["metadata"]["namespace"] = "default"
            if i == 3:
                obj["metadata"]["labels"] = {"trainer.kubeflow.org/support": "deprecated"}
            out.append(obj)
    return [*out, VOLCANO_RUNTIME]
