"""Outputs CI systems read line by line: GitHub Actions workflow commands and TAP 13."""

from __future__ import annotations

import json
from collections.abc import Sequence

from kfpolicy.inputs import DocumentError
from kfpolicy.report.common import Report, object_name, split_source, summary, violation_line, where
from kfpolicy.runner import Result


def _data(text: str) -> str:
    """GitHub's escaping for a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """GitHub's escaping for a workflow command's property values."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, source: str, line: int | None, title: str, message: str) -> str:
    file, _ = split_source(source)
    props = [f"file={_property(file)}"] if file else []
    props += [f"line={line}"] if file and line else []
    props.append(f"title={_property(title)}")
    return f"::{level} {','.join(props)}::{_data(message)}"


def eval_github(report: Report) -> str:
    """`::error`/`::warning` annotations (file and line) for every violation and input error."""
    out = github_result_lines(report.results)
    out.extend(github_tail(summary(report.results), report.errors))
    return "\n".join(out)


def github_result_lines(results: Sequence[Result]) -> list[str]:
    """The annotations of these results' violations (a streamed report writes them window by window)."""
    out = []
    for r in results:
        for v in r.violations:
            level = "error" if v.enforcement == "deny" else "warning"
            out.append(
                _command(
                    level, r.source, violation_line(r, v), v.rule, f"{object_name(r)} ({r.source}): {v.msg}"
                )
            )
    return out


def github_tail(s: dict[str, int], errors: Sequence[DocumentError]) -> list[str]:
    """The input errors' annotations and the summary line (`s`, from summary())."""
    out = [_command("error", e.source, e.line, "kfpolicy input error", str(e)) for e in errors]
    out.append(
        f"kfpolicy: {sum(s.values())} objects: {s['deny']} denied, {s['warn']} warned, "
        f"{s['allow']} allowed, {s['skip']} skipped; {len(errors)} input errors"
    )
    return out


def _diagnostic(fields: dict[str, object]) -> list[str]:
    """A TAP 13 YAML block; JSON is YAML, so each value is written as JSON (always one line)."""
    return ["  ---", *(f"  {k}: {json.dumps(v)}" for k, v in fields.items()), "  ..."]


def eval_tap(report: Report) -> str:
    """TAP version 13: one test point per object and per input error."""
    out = ["TAP version 13", f"1..{len(report.results) + len(report.errors)}"]
    n = 0
    for r in report.results:
        n += 1
        name = f"{where(r.source, r.line)} {object_name(r)}".replace("#", "\\#")
        if r.decision == "skip":
            out.append(f"ok {n} - {name} # SKIP {r.reason}")
            continue
        out.append(f"{'not ok' if r.decision == 'deny' else 'ok'} {n} - {name}")
        if r.violations:
            out.extend(
                _diagnostic(
                    {
                        "severity": "fail" if r.decision == "deny" else "warning",
                        "violations": [
                            {
                                "rule": v.rule,
                                "enforcement": v.enforcement,
                                "message": v.msg,
                                "line": violation_line(r, v),
                            }
                            for v in r.violations
                        ],
                    }
                )
            )
    for e in report.errors:
        n += 1
        out.append(f"not ok {n} - {e.source}".replace("#", "\\#"))
        out.extend(_diagnostic({"severity": "error", "message": e.message, "line": e.line}))
    return "\n".join(out)
