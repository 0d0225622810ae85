"""JUnit XML for `eval`/`audit` and `kfpolicy test`, written with junitparser.

XML 1.0 cannot carry most control characters or lone surrogates at all (not even as character
references), so every text is made safe first: such characters are written as `\\uXXXX`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, cast

from junitparser import Error, Failure, JUnitXml, Properties, Property, Skipped, TestCase, TestSuite

from kfpolicy.report.common import Report, object_name, violation_line, where
from kfpolicy.report.outcomes import CheckOutcome

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: Any) -> str:
    """Text XML 1.0 can hold: forbidden characters become visible `\\uXXXX` escapes."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", str(value))


def _case(name: str, classname: str, time: float | None = None) -> TestCase:
    return TestCase(xml_text(name), xml_text(classname), time)


def _failure(message: str, type_: str, text: str) -> Failure:
    failure = Failure(xml_text(message), xml_text(type_))
    failure.text = xml_text(text)
    return failure


def _warnings(case: TestCase, lines: Sequence[str]) -> None:
    """Warnings as their own `<properties><property name="warning" .../>` entries, one each (JUnit
    has no warning result; CI systems show properties, and a warning must not fail the case)."""
    props: Any = Properties()  # type: ignore[no-untyped-call]  # junitparser has no hints here
    for line in lines:
        props.add_property(Property("warning", xml_text(line)))
    cast(Any, case).append(props)


def _append(suite: TestSuite, case: TestCase) -> None:
    """TestSuite.add_testcase recounts the whole suite on every call (quadratic): append, and count
    once at the end with update_statistics."""
    cast(Any, suite).append(case)


def _tostring(root: JUnitXml) -> str:
    return bytes(cast(Any, root).tostring()).decode("utf-8")


def eval_junit(report: Report, name: str = "kfpolicy eval") -> str:
    suite = TestSuite(xml_text(name))
    for i, r in enumerate(report.results):
        classname = str(r.kind) if r.kind is not None else "input"
        case = _case(f"{where(r.source, r.line)} {object_name(r)}", classname, report.time_of(i))
        if r.decision == "skip":
            case.result = [Skipped(xml_text(r.reason or "not checked"))]
        denials = [v for v in r.violations if v.enforcement == "deny"]
        if denials:
            case.result = [
                _failure(f"[{v.rule}] {v.msg}", v.rule, f"{where(r.source, violation_line(r, v))}: {v.msg}")
                for v in denials
            ]
        warned = [
            f"[{v.rule}] {v.msg} ({where(r.source, violation_line(r, v))})"
            for v in r.violations
            if v.enforcement != "deny"
        ]
        if warned:
            _warnings(case, warned)
        _append(suite, case)
    for e in report.errors:
        case = _case(e.source, "input")
        error = Error(xml_text(e.message), "input error")
        error.text = xml_text(str(e))
        case.result = [error]
        _append(suite, case)
    cast(Any, suite).update_statistics()
    suite.time = round(sum(report.times), 6)
    return bytes(cast(Any, suite).tostring()).decode("utf-8")


def outcomes_junit(outcomes: Sequence[CheckOutcome]) -> str:
    root = JUnitXml("kfpolicy test")
    by_group: dict[str, list[CheckOutcome]] = {}
    for o in outcomes:
        by_group.setdefault(o.group, []).append(o)
    for group, items in by_group.items():
        suite = TestSuite(xml_text(group))
        for o in items:
            case = _case(o.name, group)
            if not o.passed:
                case.result = [_failure(o.message[:500], "check failed", o.message)]
            _append(suite, case)
        cast(Any, suite).update_statistics()
        root.add_testsuite(suite)
    cast(Any, root).update_statistics()
    return _tostring(root)
