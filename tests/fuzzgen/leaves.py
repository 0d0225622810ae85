"""Leaf values: names (DNS-shaped and odd), quantities valid and not, resource maps and env lists."""

from __future__ import annotations

from typing import Any

from .sources import Source

LOWER = "abcdefghijklmnopqrstuvwxyz"
DNS = LOWER + "0123456789-"
UNICODE = "aZ09-._/é名字ü\u200b\u202e🚀\"'\\%{}[]:,\n\t "
HUGE_INTS = [10**30, -(2**63), 2**63, 2**64, -(10**30), 2**53 + 1, 9007199254740993]
FLOATS = [0.5, -0.5, 1.5, -0.0, 1e308, -1e308, 1e-300, 3.0, 2.5e10]
VALID_QUANTITIES = [
    "1",
    "2",
    "500m",
    "1.5",
    "100Mi",
    "2Gi",
    "1G",
    "1e3",
    "0",
    "250m",
    "4",
    "10Ki",
    ".5",
    "1E2",
]
BAD_QUANTITIES = [
    "1Gii",
    "abc",
    "",
    "1.2.3",
    "--1",
    "1 Gi",
    "Gi",
    "1e",
    "0x10",
    "1,5",
    "∞",
    "-1",
    "-500m",
    "1e1000",
]
RESOURCE_NAMES = ["cpu", "memory", "nvidia.com/gpu", "ephemeral-storage", "amd.com/gpu", "example.com/foo"]
RESTART_POLICIES = ["Always", "OnFailure", "Never", "ExitCode", "Sometimes"]
MANAGERS = ["kubeflow.org/training-operator", "kueue.x-k8s.io/multikueue", "kubeflow.org/mpi-operator",
            "trainer.kubeflow.org/trainjob-controller", "acme.io/other"]


def dns_name(src: Source) -> str:
    return src.choice(LOWER) + src.text(DNS, 0, 10).strip("-") + src.choice(["", "x", "1"])


def odd_name(src: Source) -> Any:
    """Names the API server would reject or that stress string handling."""
    return src.choice([
        "", "UPPER", "-lead", "trail-", "a" * 64, "a" * 300, "x" * 10_000, "名前", "a.b", "a_b",
        src.text(UNICODE, 1, 30), "a\x00b", "🚀" * 40,
    ])


def name(src: Source) -> Any:
    return odd_name(src) if src.chance(10) else dns_name(src)


def quantity(src: Source) -> Any:
    r = src.integer(0, 19)
    if r < 14:
        return src.choice(VALID_QUANTITIES)
    if r < 16:
        return src.choice([1, 2, 0.5, 4, 0])
    return src.choice(BAD_QUANTITIES)


def resources(src: Source) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in ("requests", "limits"):
        if src.chance(60):
            out[part] = {r: quantity(src) for r in RESOURCE_NAMES[: src.integer(0, len(RESOURCE_NAMES))]
                         if src.chance(70)}
    return out


def env(src: Source) -> list[dict[str, Any]]:
    names = ["FOO", "PET_NNODES", "PET_MASTER_PORT", "OMPI_MCA_plm_rsh_args", "DMLC_TASK_ID", "LOG_LEVEL"]
    return [
        {"name": src.choice(names), "value": src.choice(["1", "x", ""])} for _ in range(src.integer(0, 3))
    ]
