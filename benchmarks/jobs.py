"""Synthetic training jobs for the benchmarks: growth series and a corpus of distinct manifests.

Every job is built from the kind table (catalogue/kinds.yaml), so the shapes follow the catalogue:
replica-spec field, framework container name and replica types come from there.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

# The kinds the batch corpus cycles through (all have replica specs and admission rules).
BATCH_KINDS = ("pytorchjob", "tfjob", "xgboostjob", "paddlejob", "jaxjob", "mpijob-v2beta1")


def container(name: str, i: int, *, gpu: bool = True) -> dict[str, Any]:
    """A realistic container: image, command, env, GPU requests and limits, mounts, security context."""
    requests: dict[str, Any] = {"cpu": f"{2 + i % 6}", "memory": f"{8 + 4 * (i % 4)}Gi"}
    limits: dict[str, Any] = {"cpu": f"{4 + i % 6}", "memory": f"{16 + 4 * (i % 4)}Gi"}
    if gpu:
        requests["nvidia.com/gpu"] = 1
        limits["nvidia.com/gpu"] = 1
    return {
        "name": name,
        "image": f"registry.example.com/ml/train:{1 + i % 9}.{i % 17}",
        "command": ["python", "-m", "train", "--epochs", str(1 + i % 5)],
        "env": [{"name": "NCCL_DEBUG", "value": "INFO"}, {"name": "SHARD", "value": str(i)}],
        "resources": {"requests": requests, "limits": limits},
        "securityContext": {"runAsNonRoot": True, "allowPrivilegeEscalation": False},
        "volumeMounts": [{"name": "dshm", "mountPath": "/dev/shm"}],
    }


def replica_spec(framework_container: str, n_containers: int, replicas: int, seed: int = 0) -> dict[str, Any]:
    names = [framework_container or "main"] + [f"sidecar-{k}" for k in range(1, n_containers)]
    return {
        "replicas": replicas,
        "restartPolicy": "OnFailure",
        "template": {
            "spec": {
                "containers": [container(n, seed + k) for k, n in enumerate(names)],
                "volumes": [{"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": "8Gi"}}],
            }
        },
    }


def job(
    kind: dict[str, Any], name: str, replica_types: Sequence[str], n_containers: int, seed: int = 0
) -> dict[str, Any]:
    """A job of the given kind-table entry with one replica spec per type, each with n containers."""
    specs = {}
    for k, rtype in enumerate(replica_types):
        single = rtype in ("Master", "Chief", "Launcher")
        specs[rtype] = replica_spec(
            kind.get("container", ""), n_containers, 1 if single else 2 + (seed + k) % 7, seed + k
        )
    spec: dict[str, Any] = {
        kind["replica_specs"]: specs,
        "runPolicy": {"cleanPodPolicy": "None", "backoffLimit": 3},
    }
    if kind["kind"] == "MPIJob":
        spec["slotsPerWorker"] = 1
    return {
        "apiVersion": f"{kind['group']}/{kind['versions'][0]}",
        "kind": kind["kind"],
        "metadata": {"name": name, "namespace": f"team-{seed % 13}", "labels": {"app": name}},
        "spec": spec,
    }


def _mutate(obj: dict[str, Any], kind: dict[str, Any], i: int) -> None:
    """Make some manifests wrong in the ways users get them wrong, so deny paths run too."""
    specs = obj["spec"][kind["replica_specs"]]
    first = next(iter(specs.values()))
    c = first["template"]["spec"]["containers"][0]
    if i % 7 == 3:
        first["replicas"] = -1
    if i % 11 == 5:
        c["resources"]["requests"]["memory"] = "lots"
    if i % 13 == 7:
        c["resources"]["requests"]["cpu"] = "64"  # above its limit
    if i % 17 == 9:
        del c["resources"]["limits"]
    if i % 19 == 2:
        c["name"] = "renamed"


def batch_corpus(kinds: dict[str, dict[str, Any]], count: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """`count` distinct manifests (name, object): the kinds in turn, 1-3 replica types, 1-3 containers."""
    for i in range(count):
        kind_id = BATCH_KINDS[i % len(BATCH_KINDS)]
        kind = kinds[kind_id]
        types = list(kind["replica_types"])
        n_types = 1 + (i // len(BATCH_KINDS)) % min(3, len(types))
        chosen = types[-n_types:] if kind_id == "tfjob" else types[:n_types]
        if kind_id in ("pytorchjob", "xgboostjob", "paddlejob") and "Master" not in chosen:
            chosen = ["Master", *chosen]
        obj = job(kind, f"job-{i:05d}", chosen, 1 + i % 3, seed=i)
        _mutate(obj, kind, i)
        yield f"job-{i:05d}", obj


def write_corpus(kinds: dict[str, dict[str, Any]], count: int, folder: Path) -> list[Path]:
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    paths = []
    for name, obj in batch_corpus(kinds, count):
        path = folder / f"{name}.yaml"
        path.write_text(yaml.dump(obj, Dumper=dumper, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths
