"""Whole objects of the v1 kinds (PyTorchJob, TFJob, MPIJob and the rest): replica specs with pod
templates, and each kind's own spec fields."""

from __future__ import annotations

from typing import Any

from kfpolicy.catalogue.model import Kind

from .leaves import RESTART_POLICIES
from .pods import metadata, pod_template, run_policy
from .sources import Source


def v1_job(src: Source, kind: Kind) -> dict[str, Any]:
    types = list(kind.replica_types) or ["Worker"]
    chosen = [t for t in types if src.chance(60)] or [src.choice(types)]
    if src.chance(5):
        chosen.append(src.choice(["Launcher", "worker", "Foo", "Master"]))
    specs: dict[str, Any] = {}
    for t in chosen:
        r: dict[str, Any] = {"template": pod_template(src, kind.container)}
        if src.chance(85):
            single = t in ("Master", "Chief", "Launcher", "Scheduler")
            r["replicas"] = 1 if single and src.chance(80) else src.choice([1, 2, 3, 0, 8, -1])
        if src.chance(40):
            r["restartPolicy"] = src.choice(RESTART_POLICIES)
        specs[t] = r
    spec: dict[str, Any] = {kind.replica_specs or "replicaSpecs": specs}
    if kind.kind == "MPIJob" and "v2beta1" in kind.versions:
        if src.chance(80):
            spec["slotsPerWorker"] = src.choice([1, 2, 8, 0, -1])
        if src.chance(40):
            spec["mpiImplementation"] = src.choice(["OpenMPI", "Intel", "MPICH", "Other"])
        if src.chance(30):
            spec["sshAuthMountPath"] = src.choice(["/root/.ssh", "/home/mpiuser/.ssh", ""])
        if src.chance(30):
            spec["launcherCreationPolicy"] = src.choice(["AtStartup", "WaitForWorkersReady"])
    if kind.kind == "PyTorchJob":
        if src.chance(20):
            spec["elasticPolicy"] = {k: v for k, v in {
                "minReplicas": src.choice([1, 2, 4]), "maxReplicas": src.choice([1, 4, 8]),
                "nProcPerNode": src.choice([1, 2, None]), "rdzvBackend": "c10d"}.items() if v is not None}
        if src.chance(20):
            spec["nprocPerNode"] = src.choice(["auto", "cpu", "gpu", "2", "0"])
    if kind.kind == "TFJob" and src.chance(20):
        spec["enableDynamicWorker"] = src.chance(50)
    if src.chance(50):
        spec["runPolicy"] = run_policy(src)
    return {"apiVersion": f"{kind.group}/{src.choice(kind.versions)}", "kind": kind.kind,
            "metadata": metadata(src), "spec": spec}
