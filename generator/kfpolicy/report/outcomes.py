"""`kfpolicy test` outcomes: one check each, and the text summary of them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class CheckOutcome:
    """One check made by `kfpolicy test`: a group (rule id or corpus), a subject and whether it held."""

    group: str
    name: str
    passed: bool
    message: str = ""
    kind: str = ""


def outcomes_text(outcomes: Sequence[CheckOutcome]) -> str:
    """A table per group and per kind, then every failure in full."""
    lines = []
    groups: dict[str, Counter[str]] = {}
    kinds: dict[str, Counter[str]] = {}
    for o in outcomes:
        groups.setdefault(o.group, Counter())["pass" if o.passed else "fail"] += 1
        if o.kind:
            kinds.setdefault(o.kind, Counter())["pass" if o.passed else "fail"] += 1
    width = max([len(g) for g in groups] + [10])
    lines.append(f"{'check':<{width}}  pass  fail")
    for g in sorted(groups):
        c = groups[g]
        lines.append(f"{g:<{width}}  {c['pass']:>4}  {c['fail']:>4}")
    if kinds:
        lines.append("")
        lines.append(f"{'kind':<{width}}  pass  fail")
        for k in sorted(kinds):
            c = kinds[k]
            lines.append(f"{k:<{width}}  {c['pass']:>4}  {c['fail']:>4}")
    failed = [o for o in outcomes if not o.passed]
    if failed:
        lines.append("")
        lines.append("Failures:")
        lines.extend(f"- {o.group}: {o.name}: {o.message}" for o in failed)
    passed = sum(o.passed for o in outcomes)
    lines.append("")
    lines.append(f"{passed} passed, {len(failed)} failed")
    return "\n".join(lines)
