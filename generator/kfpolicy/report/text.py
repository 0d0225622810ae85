"""Human-readable outputs: the default text report and a table (one row per finding)."""

from __future__ import annotations

from collections.abc import Sequence

from kfpolicy.inputs import DocumentError
from kfpolicy.report.common import Report, object_name, summary, violation_line, where
from kfpolicy.runner import Result


def eval_text(report: Report, *, verbose: bool = False) -> str:
    lines = text_result_lines(report.results, verbose=verbose)
    lines.extend(text_tail(summary(report.results), report.errors, verbose=verbose))
    return "\n".join(lines)


def text_result_lines(results: Sequence[Result], *, verbose: bool = False) -> list[str]:
    """The text report's lines for these results (a streamed report writes them window by window)."""
    lines = []
    for r in results:
        if r.decision in ("allow", "skip") and not verbose:
            continue
        head = (
            f"{r.decision.upper():5} {where(r.source, r.line)} {object_name(r) if r.kind is not None else ''}"
        )
        lines.append(head.rstrip() + (f"  ({r.reason})" if r.reason else ""))
        for v in r.violations:
            at = violation_line(r, v)
            lines.append(f"      [{v.enforcement}] {v.msg}  ({v.rule})" + (f"  line {at}" if at else ""))
    return lines


def text_tail(s: dict[str, int], errors: Sequence[DocumentError], *, verbose: bool = False) -> list[str]:
    """The text report's last lines: the input errors and the summary (`s`, from summary())."""
    lines = [f"ERROR {e}" for e in errors]
    hint = " (-v shows them and why)" if s["skip"] and not verbose else ""
    objects = sum(s.values())
    lines.append(
        f"{objects} objects: {s['deny']} denied, {s['warn']} warned, {s['allow']} allowed, "
        f"{s['skip']} skipped{hint}" + (f"; {len(errors)} input errors" if errors else "")
    )
    return lines


_COLUMNS = ("RESULT", "LOCATION", "OBJECT", "RULE", "MESSAGE")


def eval_table(report: Report) -> str:
    """Every object and finding in aligned columns (allowed and skipped objects included)."""
    rows: list[tuple[str, ...]] = []
    for r in report.results:
        if not r.violations:
            rows.append((r.decision, where(r.source, r.line), object_name(r), "", r.reason))
        for v in r.violations:
            rows.append((v.enforcement, where(r.source, violation_line(r, v)), object_name(r), v.rule, v.msg))
    rows.extend(("error", where(e.source, e.line), "-", "", e.message) for e in report.errors)
    widths = [max([len(c)] + [len(row[i]) for row in rows]) for i, c in enumerate(_COLUMNS)]
    out = []
    for row in [_COLUMNS, *rows]:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        out.append(" | ".join([*cells, row[-1]]).rstrip())
        if row is _COLUMNS:
            out.append("-+-".join("-" * w for w in widths))
    return "\n".join(out)
