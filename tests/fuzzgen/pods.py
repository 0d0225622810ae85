"""The parts every kind shares: containers, pod specs and templates, run policies and metadata."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .leaves import MANAGERS, RESTART_POLICIES, dns_name, env, name, resources
from .sources import Source


def container(src: Source, cname: str) -> dict[str, Any]:
    c: dict[str, Any] = {"name": cname}
    if src.chance(92):
        c["image"] = src.choice(["docker.io/kubeflow/pytorch:2.1", "busybox", "python:3.11", ""])
    if src.chance(30):
        c["command"] = src.choice([["python", "train.py"], ["tune", "run"], ["mpirun"]])
    if src.chance(30):
        c["args"] = src.choice([["--epochs=1"], ["output_dir=/tmp"], []])
    if src.chance(30):
        c["env"] = env(src)
    if src.chance(70):
        c["resources"] = resources(src)
    if src.chance(20):
        c["ports"] = [
            {
                "containerPort": src.choice([23456, 0, 70000]),
                "name": src.choice(["pytorchjob-port", "tfjob-port", "x"]),
            }
        ]
    if src.chance(20):
        c["volumeMounts"] = [{"name": src.choice(["initializer", "data"]), "mountPath": "/workspace"}]
    if src.chance(15):
        c["securityContext"] = {"privileged": src.chance(50), "runAsNonRoot": src.chance(50),
                                "allowPrivilegeEscalation": src.chance(50)}
    return c


def pod_spec(src: Source, main: str | None, extra_names: Sequence[str] = ()) -> dict[str, Any]:
    names = [main or dns_name(src), *list(extra_names)]
    if src.chance(20):
        names.append(dns_name(src))
    if src.chance(5):
        names = [dns_name(src)]  # the framework container is missing
    spec: dict[str, Any] = {"containers": [container(src, n) for n in names]}
    if src.chance(15):
        spec["initContainers"] = [
            container(src, src.choice(["init", "flux-installer", "dataset-initializer"]))
        ]
    if src.chance(15):
        spec["restartPolicy"] = src.choice(RESTART_POLICIES)
    if src.chance(10):
        spec["priorityClassName"] = src.choice(["high", "system-node-critical", ""])
    if src.chance(10):
        spec["hostNetwork"] = src.chance(50)
    if src.chance(10):
        spec["securityContext"] = {"runAsUser": src.choice([0, 1000]), "runAsNonRoot": src.chance(50)}
    if src.chance(10):
        spec["nodeSelector"] = {"gpu": "true"}
    return spec


def pod_template(src: Source, main: str | None) -> dict[str, Any]:
    t: dict[str, Any] = {"spec": pod_spec(src, main)}
    if src.chance(20):
        t["metadata"] = {
            "labels": {"app": dns_name(src)},
            "annotations": {"sidecar.istio.io/inject": "false"},
        }
    return t


def run_policy(src: Source) -> dict[str, Any]:
    rp: dict[str, Any] = {}
    if src.chance(40):
        rp["cleanPodPolicy"] = src.choice(["None", "All", "Running", "Sometimes"])
    for key in ("ttlSecondsAfterFinished", "activeDeadlineSeconds", "backoffLimit"):
        if src.chance(20):
            rp[key] = src.choice([0, 1, 60, 3600, -1])
    if src.chance(20):
        rp["managedBy"] = src.choice(MANAGERS)
    if src.chance(10):
        rp["suspend"] = src.chance(50)
    if src.chance(10):
        rp["schedulingPolicy"] = {"minAvailable": src.choice([1, 2, 0]), "queue": "default"}
    return rp


def metadata(src: Source, namespaced: bool = True) -> dict[str, Any]:
    m: dict[str, Any] = {"name": name(src)}
    if namespaced and src.chance(80):
        m["namespace"] = src.choice(["default", "team-a", dns_name(src)])
    if src.chance(5):
        del m["name"]
        m["generateName"] = dns_name(src) + "-"
    if src.chance(20):
        m["labels"] = {"team": dns_name(src)}
    return m
