"""Render evaluation results and test outcomes as text, JSON or JUnit XML."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from kfpolicy.inputs import DocumentError
from kfpolicy.runner import Result

DECISIONS = ("deny", "warn", "allow", "skip")


def summary(results: Sequence[Result]) -> dict[str, int]:
    counts = Counter(r.decision for r in results)
    return {d: counts.get(d, 0) for d in DECISIONS}


def eval_json(results: Sequence[Result], errors: Sequence[DocumentError]) -> str:
    doc: dict[str, object] = {
        "results": [r.to_json() for r in results],
        "summary": summary(results),
    }
    if errors:
        doc["errors"] = [{"source": e.source, "message": e.message} for e in errors]
    return json.dumps(doc, indent=2, sort_keys=False)


def eval_text(results: Sequence[Result], errors: Sequence[DocumentError], *, verbose: bool = False) -> str:
    lines = []
    for r in results:
        if r.decision in ("allow", "skip") and not verbose:
            continue
        what = f"{r.kind}/{r.name}" if r.name is not None else str(r.kind)
        lines.append(f"{r.decision.upper():5} {r.source} {what}")
        for v in r.violations:
            lines.append(f"      [{v.enforcement}] {v.msg}  ({v.rule})")
    for e in errors:
        lines.append(f"ERROR {e}")
    s = summary(results)
    lines.append(
        f"{len(results)} objects: {s['deny']} denied, {s['warn']} warned, {s['allow']} allowed, "
        f"{s['skip']} skipped" + (f"; {len(errors)} input errors" if errors else "")
    )
    return "\n".join(lines)


def eval_junit(results: Sequence[Result], errors: Sequence[DocumentError]) -> str:
    suite = ET.Element("testsuite", name="kfpolicy eval")
    failures = 0
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=str(r.kind), name=r.source)
        if r.decision == "skip":
            ET.SubElement(case, "skipped", message="kind not checked by kfpolicy")
        elif r.decision == "deny":
            failures += 1
            failure = ET.SubElement(case, "failure", message=f"denied by {len(r.violations)} violation(s)")
            failure.text = "\n".join(v.msg for v in r.violations)
        elif r.violations:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(f"warning: {v.msg}" for v in r.violations)
    for e in errors:
        case = ET.SubElement(suite, "testcase", classname="input", name=e.source)
        err = ET.SubElement(case, "error", message=e.message)
        err.text = str(e)
    suite.set("tests", str(len(results) + len(errors)))
    suite.set("failures", str(failures))
    suite.set("errors", str(len(errors)))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True)


@dataclass(frozen=True)
class CheckOutcome:
    """One check made by `kfpolicy test`: a group (rule id or corpus), a subject and whether it held."""

    group: str
    name: str
    passed: bool
    message: str = ""
    kind: str = ""


def outcomes_junit(outcomes: Sequence[CheckOutcome]) -> str:
    root = ET.Element("testsuites", name="kfpolicy test")
    by_group: dict[str, list[CheckOutcome]] = {}
    for o in outcomes:
        by_group.setdefault(o.group, []).append(o)
    for group, items in by_group.items():
        suite = ET.SubElement(root, "testsuite", name=group, tests=str(len(items)))
        suite.set("failures", str(sum(not o.passed for o in items)))
        for o in items:
            case = ET.SubElement(suite, "testcase", classname=group, name=o.name)
            if not o.passed:
                ET.SubElement(case, "failure", message=o.message[:500]).text = o.message
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


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
        for o in failed:
            lines.append(f"- {o.group}: {o.name}: {o.message}")
    passed = sum(o.passed for o in outcomes)
    lines.append("")
    lines.append(f"{passed} passed, {len(failed)} failed")
    return "\n".join(lines)
