"""Issue 16's rows: each tree's figures (from targets.py) as report rows, one column a tree, and the
targets marked met or MISSED. Figures are printed, never asserted."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness import Report, verdict
from targets import BATCH_VARIANTS, ENGINES, GROWTH

Figures = dict[str, Any]  # one tree's JSON object from targets.py


@dataclass(frozen=True)
class Target:
    label: str
    value: Callable[[Figures], float]
    shown: Callable[[float], str]
    limit: float
    at_least: bool  # the figure must be at least the limit (else at most)
    rows: str  # where the figures behind it are listed

    def met(self, x: float) -> bool:
        return bool((operator.ge if self.at_least else operator.le)(x, self.limit))


def _us(x: float) -> str:
    return f"{x * 1e6:,.0f} µs"


def _per_s(x: float) -> str:
    return f"{x:,.0f}/s"


def _times(x: float) -> str:
    return f"{x:,.2f}x"


def _rate(f: Figures, variant: str) -> float:
    return float(f["batch"]["count"] / f["batch"]["runs"][variant]["wall"])


def _admission(f: Figures, engine: str, stat: str) -> float:
    return float(f["admission"][engine][stat])


def _growth(f: Figures, engine: str, n: int) -> float:
    return float(f["growth"][engine][str(n)]["median"])


def _faster_rows(f: Figures) -> tuple[int, int]:
    """(rows where the embedded engine took no more CPU than real OPA, rows compared)."""
    wins = [_admission(f, "embedded", stat) <= _admission(f, "opa", stat) for stat in ("median", "p99")]
    wins += [_growth(f, "embedded", n) <= _growth(f, "opa", n) for n in GROWTH]
    return sum(wins), len(wins)


_ADMISSION = "per admission (pytorchjob.yaml, baseline, embedded)"
_BATCH = "`kfpolicy eval` over the YAML batch, whole process"
TARGETS = (
    Target(f"{_ADMISSION}: CPU median ≤ 200 µs", lambda f: _admission(f, "embedded", "median"), _us,
           200e-6, at_least=False, rows="section 1"),
    Target(f"{_ADMISSION}: CPU p99 ≤ 300 µs", lambda f: _admission(f, "embedded", "p99"), _us,
           300e-6, at_least=False, rows="section 1"),
    Target(f"{_BATCH}, default settings: ≥ 3,000 manifests/s", lambda f: _rate(f, "default settings"),
           _per_s, 3000, at_least=True, rows="section 2"),
    Target(f"{_BATCH}, `--jobs 1`: ≥ 1,500 manifests/s", lambda f: _rate(f, "--jobs 1"),
           _per_s, 1500, at_least=True, rows="section 2"),
    Target("growth, embedded CPU median: 64 containers ≤ 20x of 1",
           lambda f: _growth(f, "embedded", 64) / _growth(f, "embedded", 1), _times, 20,
           at_least=False, rows="section 3"),
    Target("growth, embedded CPU median: 256 containers ≤ 4x of 64",
           lambda f: _growth(f, "embedded", 256) / _growth(f, "embedded", 64), _times, 4,
           at_least=False, rows="section 3"),
    Target("start-up to the first evaluation (`kfpolicy eval` on one manifest, whole process) ≤ 0.3 s CPU",
           lambda f: float(f["startup"]["cpu"]), lambda x: f"{x:.3f} s", 0.3, at_least=False,
           rows="section 4"),
)


def _cells(columns: list[Figures], show: Callable[[Figures], str]) -> list[str]:
    """One cell a tree; `n/a` where the tree has no such figure (an option it lacks)."""
    out = []
    for f in columns:
        try:
            out.append(show(f))
        except (KeyError, ZeroDivisionError):
            out.append("n/a")
    return out


def _add(report: Report, section: str, label: str, cells: list[str], note: str = "") -> None:
    report.add(section, label, cells[-1], note, before=cells[:-1])


def _judged(target: Target) -> Callable[[Figures], str]:
    def show(f: Figures) -> str:
        x = target.value(f)
        return f"{target.shown(x)}: {verdict(target.met(x))}"

    return show


def _faster(f: Figures) -> str:
    wins, rows = _faster_rows(f)
    return f"{wins} of {rows} rows: {verdict(wins == rows)}"


def _batch_cell(variant: str) -> Callable[[Figures], str]:
    def show(f: Figures) -> str:
        run = f["batch"]["runs"][variant]
        short = "" if run["answered"] == f["batch"]["count"] else f" (answered {run['answered']:,})"
        return f"{_rate(f, variant):,.0f}/s; {run['wall']:,.1f} s wall, {run['cpu']:,.1f} s CPU{short}"

    return show


def target_rows(report: Report, columns: list[Figures]) -> None:
    """Every issue-16 row; `columns` holds the baseline trees' figures in order, this tree's last."""
    now = columns[-1]
    for target in TARGETS:
        _add(report, "T", target.label, _cells(columns, _judged(target)), f"figures: {target.rows}")
    growth_points = "/".join(map(str, GROWTH))
    _add(report, "T", "embedded at least as fast as real OPA in-process (CPU) on every per-admission and "
         "growth row", _cells(columns, _faster),
         f"figures: sections 1 and 3 (admission median and p99, growth at {growth_points} containers); "
         "section 1's in-process ratio rows (both profiles, Gatekeeper path; this tree) are marked there")

    for engine in ENGINES:
        a = now["admission"][engine]
        label = f"per admission of pytorchjob.yaml (baseline, in-process), {engine}: CPU median / p99"
        _add(report, "1", label,
             _cells(columns, lambda f, e=engine: f"{_us(_admission(f, e, 'median'))} / "
                    f"{_us(_admission(f, e, 'p99'))}"),
             f"{a['calls']:,} calls; handed to the interpreter: {a['handed']}")
    _add(report, "1", "per admission: real OPA CPU / embedded CPU (median, p99)",
         _cells(columns, lambda f: ", ".join(_times(_admission(f, "opa", s) / _admission(f, "embedded", s))
                                             for s in ("median", "p99"))), "target ≥ 1.00x")

    count = f"{now['batch']['count']:,}"
    for variant in BATCH_VARIANTS:
        _add(report, "2", f"`kfpolicy eval` on {count} YAML manifests, whole process, {variant}: "
             "rate (wall); wall; CPU", _cells(columns, _batch_cell(variant)),
             f"on the CPUs {now['batch']['cpus']}")

    for n in GROWTH:
        g = now["growth"]["embedded"][str(n)]
        plural = "s" if n > 1 else ""
        _add(report, "3", f"growth: {n} container{plural} per replica spec (PyTorchJob Master + Worker, "
             "baseline): CPU median, embedded / real OPA",
             _cells(columns, lambda f, n=n: " / ".join(f"{_growth(f, e, n) * 1e3:,.2f}" for e in ENGINES)
                    + " ms"),
             f"embedded: {g['calls']} calls, {g['handed']} handed to the interpreter")

    for variant in BATCH_VARIANTS:
        _add(report, "5", f"peak RSS of `kfpolicy eval` on {count} manifests, {variant} (largest process)",
             _cells(columns, lambda f, v=variant: f"{f['batch']['runs'][v]['rss_mib']:,.0f} MiB"),
             "ru_maxrss: the process or its largest worker, started from a small process (spawn.py)")

    s = now["startup"]
    _add(report, "4", f"start-up: `kfpolicy eval pytorchjob.yaml`, disk cache warm: CPU (wall), median of "
         f"{s['runs']}", _cells(columns, lambda f: f"{f['startup']['cpu']:.3f} s "
                                f"({f['startup']['wall']:.3f} s)"),
         "whole process: interpreter start, imports, catalogue and policies, one evaluation, output")
