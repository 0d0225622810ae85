"""CPU time of the resource rules alone on one large job, on the embedded engine (compiled mode and
its interpreter), and of pod-security-baseline: median microseconds per evaluation.

The job is a PyTorchJob with N replica types of 8 containers each (requests and limits for cpu,
memory, ephemeral-storage and nvidia.com/gpu; every container differs in one quantity), plus a
ClusterTrainingRuntime with the same containers in replicated jobs. Compiled-mode fallbacks to the
interpreter (the 25,000-instruction budget) are counted and printed.

    python benchmarks/resource_rules.py                   # 64 containers, 200 timed runs
    python benchmarks/resource_rules.py 64 200 <git-rev>  # the same, and the rego/ of a revision
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from kfpolicy.catalogue import load_catalogue
from kfpolicy.inputs import Document
from kfpolicy.runner import Evaluator

ROOT = Path(__file__).resolve().parent.parent

RESOURCE_RULES = [
    "resource-quantities-valid",
    "resource-names-valid",
    "requests-within-limits",
    "extended-resources-limits",
    "resources-required",
    "resource-limit-caps",
]


def _container(i: int) -> dict[str, Any]:
    return {
        "name": f"c{i}",
        "image": "pytorch/pytorch:2.3.0",
        "resources": {
            "requests": {"cpu": f"{500 + i}m", "memory": "4Gi", "ephemeral-storage": "10Gi",
                         "nvidia.com/gpu": 1},
            "limits": {"cpu": "2", "memory": "4096Mi", "nvidia.com/gpu": "1"},
        },
        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
    }


def pytorchjob(containers: int) -> dict[str, Any]:
    per_type = 8
    specs = {}
    for r in range(max(1, containers // per_type)):
        cs = [_container(r * per_type + i) for i in range(per_type)]
        rtype = "Master" if r == 0 else f"Worker{r}"
        specs[rtype] = {"replicas": 1, "template": {"spec": {"containers": cs}}}
    return {"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": {"name": "big"},
            "spec": {"pytorchReplicaSpecs": specs}}


def runtime(containers: int) -> dict[str, Any]:
    per_job = 8
    jobs = []
    for r in range(max(1, containers // per_job)):
        cs = [_container(r * per_job + i) for i in range(per_job)]
        jobs.append({"name": f"node{r}", "template": {"spec": {"template": {"spec": {"containers": cs}}}}})
    return {"apiVersion": "trainer.kubeflow.org/v1alpha1", "kind": "ClusterTrainingRuntime",
            "metadata": {"name": "big"}, "spec": {"template": {"spec": {"replicatedJobs": jobs}}}}


def _median_us(evaluator: Evaluator, doc: Document, runs: int) -> float:
    for _ in range(max(2, runs // 10)):
        evaluator.evaluate(doc)
    samples = []
    for _ in range(runs):
        started = time.process_time()
        evaluator.evaluate(doc)
        samples.append((time.process_time() - started) * 1e6)
    return statistics.median(samples)


def _modules_at(revision: str) -> dict[str, str]:
    """The generated rego/ tree as committed at a git revision (for a before/after comparison)."""
    listed = subprocess.run(["git", "ls-tree", "-r", "--name-only", revision, "rego/"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split()
    return {path: subprocess.run(["git", "show", f"{revision}:{path}"], cwd=ROOT, capture_output=True,
                                 text=True, check=True).stdout for path in listed if path.endswith(".rego")}


def _compiled_now(evaluator: Evaluator) -> Evaluator:
    """The engine compiles a rule path only after it has been used often (COMPILE_AFTER): from the
    first evaluation here, so every timed run is the compiled mode's."""
    if hasattr(evaluator.engine, "compile_after"):
        evaluator.engine.compile_after = 0
    return evaluator


def _falls_back(evaluator: Evaluator, make: Any, containers: int) -> bool:
    fallbacks = getattr(evaluator.engine, "fallbacks", None)
    before = sum(fallbacks.values()) if fallbacks is not None else 0
    evaluator.evaluate(Document(source="probe.yaml", obj=make(containers)))
    return fallbacks is not None and sum(fallbacks.values()) > before


def _largest_compiled(evaluator: Evaluator, make: Any) -> int:
    """The largest container count (a multiple of 8, up to 256) the compiled mode answers without
    falling back to the interpreter (deterministic: the fallback is the instruction budget)."""
    low, high = 0, 32
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if not _falls_back(evaluator, make, mid * 8) else (low, mid - 1)
    return low * 8


def main(argv: list[str]) -> int:
    containers = int(argv[0]) if argv else 64
    runs = int(argv[1]) if len(argv) > 1 else 200
    before = argv[2] if len(argv) > 2 else ""
    cat = load_catalogue()
    variants: dict[str, dict[str, str] | None] = {"now": None}
    if before:
        variants = {before: _modules_at(before), "now": None}
    makers = {"PyTorchJob": pytorchjob, "ClusterTrainingRuntime": runtime}
    print(f"{containers} containers, median CPU us of {runs} evaluations, compiled mode (embedded),")
    print("restricted profile's parameters; last column: largest container count answered without the")
    print("interpreter fallback (the compiled mode's instruction budget)")
    print(f"{'rules':<24}{'kind':<24}{'code':<10}{'median us':>10}{'compiled up to':>16}")
    for label, only in (("resource rules", RESOURCE_RULES), ("pod-security", ["pod-security-baseline"])):
        for kind, make in makers.items():
            doc = Document(source="job.yaml", obj=make(containers))
            evaluators = {
                name: _compiled_now(Evaluator(cat, profile="restricted", only=only, modules=modules))
                for name, modules in variants.items()
            }
            medians: dict[str, list[float]] = {name: [] for name in variants}
            for _ in range(5):  # interleaved rounds, so machine load hits every variant alike
                for name, evaluator in evaluators.items():
                    medians[name].append(_median_us(evaluator, doc, max(1, runs // 5)))
            for name, evaluator in evaluators.items():
                largest = _largest_compiled(evaluator, make)
                print(f"{label:<24}{kind:<24}{name:<10}{statistics.median(medians[name]):>10.0f}{largest:>16}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
