"""Benchmark harness: sizes, the report table, machine facts, timing and child-process helpers."""

from __future__ import annotations

import gc
import importlib.metadata
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kfpolicy.catalogue.model import Catalogue

HERE = Path(__file__).resolve().parent


ROOT = HERE.parent


PYTORCHJOB = HERE / "pytorchjob.yaml"


RESULTS = HERE / "RESULTS.md"


# The CLI under this very interpreter (never whatever `kfpolicy` is first on PATH).
KFPOLICY = [sys.executable, "-m", "kfpolicy"]


@dataclass(frozen=True)
class Sizes:
    latency_n: int  # timed evaluations per latency row (after warm-up)
    warmup: int
    batch: int  # manifests in the batch corpus
    batch_repeats: int  # runs of the batch command (median reported)
    per_process: int  # separate processes sampled for the one-process-per-manifest row
    growth_n: int  # timed evaluations per growth point
    tool_repeats: int
    run_test: bool  # `kfpolicy test` (its own length does not shrink with N)
    startup_repeats: int  # `kfpolicy eval` processes on one manifest (after one that warms the cache)
    growth_budget: float  # CPU seconds per growth point (at least growth_least calls)
    growth_least: int
    smoke: bool = False  # also skips the restricted profile's Gatekeeper rows (60+ engines to load)


FULL = Sizes(latency_n=2000, warmup=200, batch=10_000, batch_repeats=1, per_process=30, growth_n=400,
             tool_repeats=3, run_test=True, startup_repeats=5, growth_budget=2.0, growth_least=10)


SMOKE = Sizes(latency_n=3, warmup=1, batch=12, batch_repeats=1, per_process=1, growth_n=3, tool_repeats=1,
              run_test=False, startup_repeats=1, growth_budget=0.2, growth_least=1, smoke=True)


@dataclass
class Row:
    section: str
    measurement: str
    result: str
    note: str = ""
    before: tuple[str, ...] = ()  # the same measurement for each --baseline tree, in order


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)
    extra: list[str] = field(default_factory=list)  # notes printed under the table
    later: list[Row] = field(default_factory=list)  # measured early, listed at the end (section order)
    baselines: list[str] = field(default_factory=list)  # column names of the --baseline trees

    def add(
        self, section: str, measurement: str, result: str, note: str = "", before: Sequence[str] = ()
    ) -> None:
        row = Row(section, measurement, result, note, tuple(before))
        self.rows.append(row)
        then = "".join(f" [{name}: {cell}]" for name, cell in zip(self.baselines, row.before, strict=False))
        print(f"  [{section}] {measurement}: {result}{then}  {note}".rstrip(), file=sys.stderr, flush=True)

    def table(self) -> str:
        """The rows as a Markdown table: one result column, or one per baseline tree and this tree's."""
        k = len(self.baselines)
        head = ("#", "measurement", *self.baselines, "this tree" if k else "result", "target / note")
        cells = [head] + [
            (r.section, r.measurement, *(r.before + ("",) * k)[:k], r.result, r.note) for r in self.rows
        ]
        widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
        lines = []
        for n, c in enumerate(cells):
            lines.append("| " + " | ".join(cell.ljust(w) for cell, w in zip(c, widths, strict=True)) + " |")
            if n == 0:
                lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        return "\n".join(lines)


def marked_sections(text: str) -> list[str]:
    """The sections other scripts write into RESULTS.md (`<!-- NAME: begin -->` to `<!-- NAME: end -->`,
    such as webhook_load.py --record's), which a new run.py report keeps."""
    return [m.group(0) for m in re.finditer(r"<!-- ([\w.-]+): begin -->\n.*?<!-- \1: end -->", text, re.S)]


def us(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f} µs"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def pin_one_cpu() -> str:
    """Pin this process (and every child, which inherits it) to one CPU; return what was done."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity)"
    allowed = sorted(os.sched_getaffinity(0))
    cpu = allowed[-1]
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu} (of {len(allowed)} allowed)"


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git_commit(tree: Path = ROOT) -> str:
    """The short commit of a checkout (and whether it has uncommitted changes), or why there is none."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=tree, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    try:
        if Path(git("rev-parse", "--show-toplevel")).resolve() != tree.resolve():
            return "not a git checkout"
        dirty = git("status", "--porcelain", "--untracked-files=no")
        return git("rev-parse", "--short", "HEAD") + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"


def machine_facts(cat: Catalogue, pinning: str) -> dict[str, str]:
    import regorus

    counts = ", ".join(f"{p} {len(cat.profiles[p].rules)}" for p in sorted(cat.profiles))
    return {
        "date (UTC)": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "git commit": git_commit(),
        "nproc": str(os.cpu_count()),
        "CPU": cpu_model(),
        "CPU pinning": pinning,
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "embedded engine": f"gordon-to-regorus {_version('gordon-to-regorus')} (module {regorus.__name__})",
        "real OPA engine": (
            f"opa-golib-python-bindings {_version('opa-golib-python-bindings')} (OPA's Go engine)"
        ),
        "PyYAML": f"{_version('PyYAML')} (libyaml: {'yes' if _libyaml() else 'no'})",
        "catalogue": f"{len(cat.rules)} rules; per profile: {counts}",
        "load average at start (1, 5, 15 min)": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _libyaml() -> bool:
    import yaml

    return bool(getattr(yaml, "__with_libyaml__", False))


@dataclass(frozen=True)
class Samples:
    wall: list[float]  # seconds per call, what a caller waits
    cpu: list[float]  # process CPU seconds per call: not inflated by other processes sharing the core


def time_calls(fn: Callable[[], Any], n: int, warmup: int, budget: float | None = None) -> Samples:
    """Wall and CPU seconds of each of n calls after warm-up (stops early, after at least 20, once
    `budget` wall seconds are spent)."""
    for _ in range(warmup):
        fn()
    gc.collect()
    samples = Samples([], [])
    clock, cpu_clock = time.perf_counter, time.process_time
    start = clock()
    for _ in range(n):
        t0, c0 = clock(), cpu_clock()
        fn()
        samples.cpu.append(cpu_clock() - c0)
        samples.wall.append(clock() - t0)
        if budget is not None and len(samples.wall) >= 20 and clock() - start > budget:
            break
    return samples


def cpu_samples(fn: Callable[[], Any], n: int, budget: float | None = None, least: int = 10) -> list[float]:
    """Process CPU seconds of each of n calls; stops early (after at least `least` calls) once
    `budget` CPU seconds are spent."""
    out: list[float] = []
    spent = 0.0
    for _ in range(n):
        c0 = time.process_time()
        fn()
        out.append(time.process_time() - c0)
        spent += out[-1]
        if budget is not None and len(out) >= least and spent > budget:
            break
    return out


def cpu_per_call(fn: Callable[[], Any], n: int, budget: float | None = None) -> float:
    """Median process CPU seconds per call: unlike wall time, not inflated by other processes."""
    return median(cpu_samples(fn, n, budget))


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs)


def p99(xs: Sequence[float]) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(0.99 * (len(s) - 1)))]


def least_squares(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float, float]:
    """slope, intercept, R^2 of the least-squares line through (xs, ys)."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx if sxx else 0.0
    intercept = my - slope * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    r2 = 1 - ss_res / ss_tot if ss_tot else 1.0
    return slope, intercept, r2


@dataclass(frozen=True)
class Child:
    wall: float  # seconds
    cpu: float  # user + system CPU seconds of the child
    code: int
    maxrss_kib: int


def run_child(
    cmd: Sequence[str], *, cwd: Path, stdout: Any = subprocess.DEVNULL, cpus: Collection[int] | None = None
) -> Child:
    """Run one child process (on `cpus` when given, else this process's) through benchmarks/spawn.py;
    its wall time, CPU time of it and its workers, exit code and peak RSS of the largest of them."""

    def on_cpus() -> None:
        if cpus:
            os.sched_setaffinity(0, cpus)

    with tempfile.TemporaryDirectory(prefix="kfpolicy-child-") as tmp:
        report = Path(tmp) / "child.json"
        spawn = [sys.executable, "-I", "-S", str(HERE / "spawn.py"), str(report), *cmd]
        done = subprocess.run(spawn, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE, preexec_fn=on_cpus,
                              check=False)
        if not report.is_file():
            err = done.stderr.decode(errors="replace")[-2000:]
            raise RuntimeError(f"benchmarks/spawn.py failed on {' '.join(cmd)}: {err}")
        figures = json.loads(report.read_text(encoding="utf-8"))
    if figures["code"] not in (0, 1):
        err = done.stderr.decode(errors="replace")[-2000:]
        raise RuntimeError(f"{' '.join(cmd)} exited {figures['code']}: {err}")
    return Child(figures["wall"], figures["cpu"], figures["code"], figures["maxrss_kib"])
