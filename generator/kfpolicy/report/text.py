"""Human-readable outputs: the default text report and a table (one row per finding)."""

from __future__ import annotations

from kfpolicy.report.common import Report, object_name, summary, violation_line, where


def eval_text(report: Report, *, verbose: bool = False) -> str:
    lines = []
    for r in report.results:
        if r.decision in ("allow", "skip") and not verbose:
            continue
        head = (
            f"{r.decision.upper():5} {where(r.source, r.line)} {object_name(r) if r.kind is not None else ''}"
        )
        lines.append(head.rstrip() + (f"  ({r.reason})" if r.reason else ""))
        for v in r.violations:
            at = violation_line(r, v)
            lines.append(f"      [{v.enforcement}] {v.msg}  ({v.rule})" + (f"  line {at}" if at else ""))
    lines.extend(f"ERROR {e}" for e in report.errors)
    s = summary(report.results)
    hint = " (-v shows them and why)" if s["skip"] and not verbose else ""
    lines.append(
        f"{len(report.results)} objects: {s['deny']} denied, {s['warn']} warned, {s['allow']} allowed, "
        f"{s['skip']} skipped{hint}" + (f"; {len(report.errors)} input errors" if report.errors else "")
    )
    return "\n".join(lines)


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
