"""The largest PyTorchJob (in containers, to the container) that the compiled mode answers within its
25,000-instruction budget, for each comparing resource rule alone and for the six resource rules
together, now and optionally at a git revision; 25,000 / that count estimates the instructions
each container costs. Deterministic (no timing): the budget is counted in instructions.

    python benchmarks/resource_budget.py            # now
    python benchmarks/resource_budget.py <git-rev>  # a revision's rego/ beside now

The last rows are on speedups.py's growth job (Master + Worker, each with the same number of
realistic containers) under the baseline profile: the largest total container count compiled for
field-types alone, the four baseline resource rules together, and the whole profile.
"""

from __future__ import annotations

import sys
from typing import Any

from jobs import job as growth_job
from kfpolicy.catalogue import Catalogue, load_catalogue
from kfpolicy.inputs import Document
from kfpolicy.runner import Evaluator
from resource_rules import RESOURCE_RULES, _compiled_now, _container, _modules_at

RULE_SETS = [["requests-within-limits"], ["extended-resources-limits"], ["resource-quantities-valid"],
             RESOURCE_RULES]


def job(containers: int) -> dict[str, Any]:
    """A PyTorchJob of `containers` containers, 8 per replica type (the last one may hold fewer)."""
    specs = {}
    for r in range((containers + 7) // 8):
        cs = [_container(i) for i in range(r * 8, min(containers, r * 8 + 8))]
        rtype = "Master" if r == 0 else f"Worker{r}"
        specs[rtype] = {"replicas": 1, "template": {"spec": {"containers": cs}}}
    return {"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "metadata": {"name": "big"},
            "spec": {"pytorchReplicaSpecs": specs}}


def _fits(cat: Catalogue, rules: list[str], modules: dict[str, str] | None, containers: int) -> bool:
    evaluator = _compiled_now(Evaluator(cat, profile="restricted", only=rules, modules=modules))
    evaluator.evaluate(Document(source="probe.yaml", obj=job(containers)))
    return sum(evaluator.engine.fallbacks.values()) == 0


def largest(cat: Catalogue, rules: list[str], modules: dict[str, str] | None, high: int = 400) -> int:
    low = 0
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if _fits(cat, rules, modules, mid) else (low, mid - 1)
    return low


BASELINE_RESOURCE_RULES = ["resource-quantities-valid", "resource-names-valid", "requests-within-limits",
                           "extended-resources-limits"]
GROWTH_SETS: list[tuple[str, list[str] | None]] = [
    ("field-types (growth job)", ["field-types"]),
    ("4 resource rules (growth job)", BASELINE_RESOURCE_RULES),
    ("the baseline profile", None),
]


def _profile_fits(cat: Catalogue, modules: dict[str, str] | None, only: list[str] | None,
                  per_spec: int) -> bool:
    evaluator = _compiled_now(Evaluator(cat, profile="baseline", only=only, modules=modules))
    obj = growth_job(cat.kinds["pytorchjob"].to_rego(), "grow", ["Master", "Worker"], per_spec)
    evaluator.evaluate(Document(source="probe.yaml", obj=obj))
    return sum(evaluator.engine.fallbacks.values()) == 0


def largest_profile(cat: Catalogue, modules: dict[str, str] | None, only: list[str] | None,
                    high: int = 400) -> int:
    """The most containers per replica spec (Master + Worker) the baseline profile (or `only` its
    rules given) compiles."""
    low = 0
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if _profile_fits(cat, modules, only, mid) else (low, mid - 1)
    return low


def main(argv: list[str]) -> int:
    cat = load_catalogue()
    variants: dict[str, dict[str, str] | None] = {"now": None}
    if argv:
        variants = {argv[0]: _modules_at(argv[0]), "now": None}
    print(f"{'rules':<30}{'code':<10}{'compiled up to':>16}{'~instr/container':>18}")
    for rules in RULE_SETS:
        label = rules[0] if len(rules) == 1 else "the six resource rules"
        for name, modules in variants.items():
            count = largest(cat, rules, modules)
            print(f"{label:<30}{name:<10}{count:>16}{25000 / max(count, 1):>18.0f}")
    for label, only in GROWTH_SETS:
        for name, modules in variants.items():
            count = 2 * largest_profile(cat, modules, only)
            print(f"{label:<30}{name:<10}{count:>16}{25000 / max(count, 1):>18.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
