"""kfpolicy benchmarks: admission latency, batch throughput, growth, tooling and memory.

    python benchmarks/run.py            # full run (a few minutes); writes benchmarks/RESULTS.md
    python benchmarks/run.py --smoke    # tiny N, proves the harness works (< 20 s); writes nothing

Every row of the printed table is measured in the same run. The process pins itself (and so every
child it starts) to one CPU, so all figures are single-core figures.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import jobs  # noqa: E402  (benchmarks/jobs.py, beside this file)
from kfpolicy.catalogue import load_catalogue  # noqa: E402
from kfpolicy.catalogue.model import Catalogue  # noqa: E402
from kfpolicy.errors import KfpolicyError  # noqa: E402
from kfpolicy.inputs import Document, read_paths  # noqa: E402
from kfpolicy.runner import Evaluator  # noqa: E402

PYTORCHJOB = HERE / "pytorchjob.yaml"
RESULTS = HERE / "RESULTS.md"
# The CLI under this very interpreter (never whatever `kfpolicy` is first on PATH).
KFPOLICY = [sys.executable, "-m", "kfpolicy"]


# --- sizes --------------------------------------------------------------------------------------


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
    smoke: bool = False  # also skips the restricted profile's Gatekeeper rows (60+ engines to load)


FULL = Sizes(latency_n=2000, warmup=200, batch=10_000, batch_repeats=1, per_process=30, growth_n=400,
             tool_repeats=3, run_test=True)
SMOKE = Sizes(latency_n=3, warmup=1, batch=12, batch_repeats=1, per_process=1, growth_n=3, tool_repeats=1,
              run_test=False, smoke=True)


# --- the table ----------------------------------------------------------------------------------


@dataclass
class Row:
    section: str
    measurement: str
    result: str
    note: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)
    extra: list[str] = field(default_factory=list)  # notes printed under the table
    later: list[Row] = field(default_factory=list)  # measured early, listed at the end (section order)

    def add(self, section: str, measurement: str, result: str, note: str = "") -> None:
        row = Row(section, measurement, result, note)
        self.rows.append(row)
        print(f"  [{section}] {measurement}: {result}  {note}".rstrip(), file=sys.stderr, flush=True)

    def table(self) -> str:
        head = ("#", "measurement", "result", "target / note")
        cells = [head] + [(r.section, r.measurement, r.result, r.note) for r in self.rows]
        widths = [max(len(c[i]) for c in cells) for i in range(4)]
        lines = []
        for n, c in enumerate(cells):
            lines.append("| " + " | ".join(c[i].ljust(widths[i]) for i in range(4)) + " |")
            if n == 0:
                lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        return "\n".join(lines)


def us(seconds: float) -> str:
    return f"{seconds * 1e6:,.0f} µs"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


# --- machine facts ------------------------------------------------------------------------------


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


def git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.strip()
        return out + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


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
        "real OPA engine": f"opa-golib-python-bindings {_version('opa-golib-python-bindings')} (OPA's Go engine)",
        "PyYAML": f"{_version('PyYAML')} (libyaml: {'yes' if _libyaml() else 'no'})",
        "catalogue": f"{len(cat.rules)} rules; per profile: {counts}",
        "load average at start (1, 5, 15 min)": ", ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def _libyaml() -> bool:
    import yaml

    return bool(getattr(yaml, "__with_libyaml__", False))


# --- timing helpers -----------------------------------------------------------------------------


def time_calls(fn: Callable[[], Any], n: int, warmup: int, budget: float | None = None) -> list[float]:
    """Wall seconds of n calls after warm-up (stops early, after at least 20, once `budget` s are spent)."""
    for _ in range(warmup):
        fn()
    gc.collect()
    out = []
    clock = time.perf_counter
    start = clock()
    for _ in range(n):
        t0 = clock()
        fn()
        out.append(clock() - t0)
        if budget is not None and len(out) >= 20 and clock() - start > budget:
            break
    return out


def cpu_per_call(fn: Callable[[], Any], n: int, budget: float | None = None) -> float:
    """Median process CPU seconds per call: unlike wall time, not inflated by other processes.
    Stops early (after at least 10 calls) once `budget` CPU seconds are spent."""
    out: list[float] = []
    spent = 0.0
    for _ in range(n):
        c0 = time.process_time()
        fn()
        out.append(time.process_time() - c0)
        spent += out[-1]
        if budget is not None and len(out) >= 10 and spent > budget:
            break
    return median(out)


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs)


def p99(xs: Sequence[float]) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(0.99 * (len(s) - 1))))]


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


def run_child(cmd: Sequence[str], *, cwd: Path, stdout: Any = subprocess.DEVNULL) -> Child:
    """Run one child process; its wall time, CPU time, exit code and own peak RSS (from wait4)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(list(cmd), cwd=cwd, stdout=stdout, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} exited {code}: {err.decode(errors='replace')[-2000:]}")
    return Child(wall, usage.ru_utime + usage.ru_stime, code, usage.ru_maxrss)


# --- 1. per-admission latency -------------------------------------------------------------------


def gatekeeper_admission(cat: Catalogue, profile: str, engine: str, doc: Document) -> tuple[Callable[[], Any], str]:
    """One admission through the Gatekeeper template path: every Constraint of the profile, each
    against its own ConstraintTemplate's Rego, with Gatekeeper's input (review + parameters).
    Uses kfpolicy.gatekeeper.evaluate. Returns (call, note)."""
    try:
        from kfpolicy.gatekeeper.evaluate import GatekeeperEvaluator
    except ImportError as exc:
        raise LookupError(f"kfpolicy.gatekeeper not importable: {exc}") from None
    ev = GatekeeperEvaluator(cat, profile=profile, engine=engine)
    result = ev.evaluate(doc)
    note = (f"{len(ev.bound)} constraints, one engine per template; decision {result.decision} "
            f"({len(result.violations)} violations)")
    return (lambda: ev.evaluate(doc)), note


def compiled_now(ev: Evaluator) -> Evaluator:
    """In-process rows time the compiled mode from the first call (kfpolicy itself compiles a rule
    path once a process has used it COMPILE_AFTER times)."""
    if hasattr(ev.engine, "compile_after"):
        ev.engine.compile_after = 0
    return ev


def _latency_row(report: Report, label: str, fn: Callable[[], Any], sizes: Sizes, note: str) -> list[float]:
    ts = time_calls(fn, sizes.latency_n, sizes.warmup)
    cpu = cpu_per_call(fn, max(5, sizes.latency_n // 10))
    report.add("1", f"{label}: median / p99 wall (median CPU)", f"{us(median(ts))} / {us(p99(ts))} ({us(cpu)})", note)
    return ts


def latency_section(cat: Catalogue, report: Report, sizes: Sizes) -> None:
    doc = next(d for d in read_paths([str(PYTORCHJOB)]) if isinstance(d, Document))
    lines = len(PYTORCHJOB.read_text().splitlines())
    for profile in ("baseline", "restricted"):
        found: dict[tuple[str, str], list[float]] = {}
        n_rules = len(cat.profiles[profile].rules)
        for engine in ("embedded", "embedded-interpreter", "opa"):
            ev = compiled_now(Evaluator(cat, profile=profile, engine=engine))
            result = ev.evaluate(doc)
            note = f"{n_rules} rules in the profile; decision {result.decision} ({len(result.violations)} violations)"
            ts = _latency_row(report, f"{profile}, data.kubeflow.violation, {engine}", lambda ev=ev: ev.evaluate(doc),
                              sizes, note)
            found[("rego", engine)] = ts
            if engine == "embedded":
                fallbacks = dict(getattr(ev.engine, "fallbacks", {}))
                report.rows[-1].note += f"; compiled mode, interpreter fallbacks {fallbacks or 0}"
                if profile == "baseline":
                    report.rows[-1].note += f"; target p99 ≤ 300 µs: {verdict(p99(ts) <= 300e-6)}"
        emb, opa = found[("rego", "embedded")], found[("rego", "opa")]
        ratio = median(opa) / median(emb)
        report.add("1", f"{profile}, data.kubeflow.violation: real OPA time / embedded time (median, p99)",
                   f"{ratio:.2f}x, {p99(opa) / p99(emb):.2f}x",
                   f"target ≥ 1.00x (embedded at least as fast): {verdict(ratio >= 1.0)}")
        interp = found[("rego", "embedded-interpreter")]
        report.add("1", f"{profile}, data.kubeflow.violation: interpreter time / compiled time (median, p99)",
                   f"{median(interp) / median(emb):.2f}x, {p99(interp) / p99(emb):.2f}x",
                   "the embedded engine before (interpreter) and after (compiled mode), same run")
        for engine in ("embedded", "opa"):
            if sizes.smoke and profile != "baseline":
                report.add("1", f"{profile}, Gatekeeper template path, {engine}", "skipped", "smoke mode")
                continue
            try:
                call, how = gatekeeper_admission(cat, profile, engine, doc)
            except (LookupError, KfpolicyError) as exc:
                report.add("1", f"{profile}, Gatekeeper template path, {engine}", "missing", str(exc))
                continue
            found[("gk", engine)] = _latency_row(report, f"{profile}, Gatekeeper template path, {engine}", call,
                                                 sizes, how)
        if ("gk", "embedded") in found and ("gk", "opa") in found:
            emb, opa = found[("gk", "embedded")], found[("gk", "opa")]
            report.add("1", f"{profile}, Gatekeeper template path: real OPA time / embedded time (median, p99)",
                       f"{median(opa) / median(emb):.2f}x, {p99(opa) / p99(emb):.2f}x")
    report.extra.append(
        "Engines: `embedded` is kfpolicy's default, regorus in its compiled mode (Program + Rvm, the modules "
        "with guarded assignments; see generator/kfpolicy/engines/regorus_engine.py), which hands an input to "
        "the interpreter when its fixed budget of 25,000 instructions runs out; `embedded-interpreter` is "
        "regorus's interpreter alone (kfpolicy's embedded engine before the compiled mode); `opa` is OPA's Go "
        "engine in-process. The Gatekeeper rows evaluate the legacy `rego:` (Rego v0) templates, which only "
        "the interpreter takes. kfpolicy compiles a rule path once the process has evaluated it 64 times "
        "(COMPILE_AFTER): the in-process latency and growth rows compile at once, while the CLI rows and the "
        "batch breakdown run as kfpolicy does, so their first 64 evaluations are interpreted."
    )
    report.extra.append(
        f"Latency rows: one in-process admission per call on benchmarks/pytorchjob.yaml ({lines} lines: Master + "
        f"4 Workers, GPU requests and limits, env, volumes): `Evaluator.evaluate` (input serialisation, query, "
        f"result conversion) for the Rego entry point, `GatekeeperEvaluator.evaluate` (every Constraint's "
        f"template in turn) for the Gatekeeper path; {sizes.latency_n:,} timed calls after {sizes.warmup} "
        "warm-up calls. Wall time is what a caller waits; CPU time (process CPU per call) is not inflated by "
        "other processes sharing the core, so it is the steadier figure on a busy machine."
    )


# --- 2 + 5. batch throughput and peak memory ----------------------------------------------------


def batch_section(cat: Catalogue, report: Report, sizes: Sizes, work: Path) -> None:
    kinds = {k: v.to_rego() for k, v in cat.kinds.items()}
    corpus = work / "corpus"
    corpus.mkdir()
    paths = jobs.write_corpus(kinds, sizes.batch, corpus)
    total_lines = sum(len(p.read_text().splitlines()) for p in paths)
    cmd = [*KFPOLICY, "eval", str(corpus), "-o", "json"]
    runs = []
    out_path = work / "batch.json"
    for _ in range(sizes.batch_repeats):
        with out_path.open("wb") as out:
            runs.append(run_child(cmd, cwd=ROOT, stdout=out))
    decisions: dict[str, int] = {}
    for r in json.loads(out_path.read_text())["results"] if _has_results(out_path) else []:
        decisions[r["decision"]] = decisions.get(r["decision"], 0) + 1
    if sum(decisions.values()) != sizes.batch:
        raise RuntimeError(f"{' '.join(cmd)} answered for {sum(decisions.values())} of {sizes.batch} manifests")
    wall = median([r.wall for r in runs])
    cpu = median([r.cpu for r in runs])
    rate = sizes.batch / wall
    report.add("2", f"`kfpolicy eval` on {sizes.batch:,} manifests, one process: wall / rate (CPU / rate)",
               f"{wall:.1f} s / {rate:,.0f} per s ({cpu:.1f} s / {sizes.batch / cpu:,.0f} per CPU-s)",
               f"target ≥ 3,000/s: {verdict(rate >= 3000)}; median of {len(runs)} runs; "
               + ", ".join(f"{k} {v}" for k, v in sorted(decisions.items())))

    # Where the batch time goes, in-process on a sample: reading (YAML) vs evaluating.
    sample_n = min(len(paths), 500)
    c0 = time.process_time()
    docs = [d for d in read_paths([str(p) for p in paths[:sample_n]]) if isinstance(d, Document)]
    read_cpu = (time.process_time() - c0) / sample_n
    ev = Evaluator(cat)
    c0 = time.process_time()
    for d in docs:
        ev.evaluate(d)
    eval_cpu = (time.process_time() - c0) / max(1, len(docs))
    fallbacks = dict(getattr(ev.engine, "fallbacks", {}))
    report.add("2", f"batch breakdown, in-process on {sample_n} of the manifests: read+parse / evaluate, CPU each",
               f"{us(read_cpu)} / {us(eval_cpu)}", "the rest of the batch wall time is start-up and JSON output; "
               f"inputs the compiled mode handed to the interpreter: {fallbacks or 0}")

    # One process per manifest, as a shell loop of `opa eval` calls would run: sample, then extrapolate.
    sample = paths[: sizes.per_process]
    one = [run_child([*KFPOLICY, "eval", str(p)], cwd=ROOT) for p in sample]
    per = statistics.mean(r.wall for r in one)
    per_cpu = statistics.mean(r.cpu for r in one)
    report.add("2", f"one `kfpolicy eval <file>` process per manifest: mean wall (CPU), extrapolated to {sizes.batch:,}",
               f"{per * 1000:,.0f} ms ({per_cpu * 1000:,.0f} ms) each → {per * sizes.batch:,.0f} s",
               f"{1 / per:,.1f} manifests/s; measured {len(sample)} separate processes")
    minimal = [run_child([sys.executable, str(HERE / "one_shot.py"), str(ROOT / "rego"), str(p)], cwd=ROOT)
               for p in sample]
    per_min = statistics.mean(r.wall for r in minimal)
    per_min_cpu = statistics.mean(r.cpu for r in minimal)
    report.add("2", "one minimal Python process per manifest (load rego/, evaluate one): mean wall (CPU)",
               f"{per_min * 1000:,.0f} ms ({per_min_cpu * 1000:,.0f} ms) each → {per_min * sizes.batch:,.0f} s",
               f"{1 / per_min:,.1f} manifests/s; measured {len(sample)} separate processes (benchmarks/one_shot.py)")
    report.add("2", "batch rate / one-process-per-manifest rate (kfpolicy eval, minimal process)",
               f"{per * rate:,.0f}x, {per_min * rate:,.0f}x", "by wall time")
    report.later.append(Row("5", f"peak memory of `kfpolicy eval` on {sizes.batch:,} manifests (ru_maxrss of the "
                            "child)", f"{max(r.maxrss_kib for r in runs) / 1024:,.0f} MiB",
                            f"max of {len(runs)} runs; corpus {total_lines:,} YAML lines"))
    report.extra.append(
        f"Batch corpus: {sizes.batch:,} distinct manifests generated by benchmarks/jobs.py "
        f"({', '.join(jobs.BATCH_KINDS)} in turn; 1-3 replica types, 1-3 containers each; some made invalid), "
        f"one file each, {total_lines / max(1, len(paths)):.0f} lines on average. Wall time includes process "
        "start, catalogue load, policy compile, YAML parsing, evaluation and JSON output. There is no `opa` "
        "binary here, so the one-process-per-manifest rows time separate processes on a sample and multiply."
    )


def _has_results(path: Path) -> bool:
    try:
        data = json.loads(path.read_text())
    except ValueError:
        return False
    return isinstance(data, dict) and isinstance(data.get("results"), list)


# --- 3. growth ----------------------------------------------------------------------------------


def _series(report: Report, label: str, unit: str, xs: list[int], ys: list[float]) -> None:
    slope, intercept, r2 = least_squares(xs, ys)
    points = ", ".join(f"{x}: {y * 1e6:,.0f}" for x, y in zip(xs, ys, strict=True))
    ratios = ", ".join(f"{ys[i + 1] / ys[i]:.2f}" for i in range(len(ys) - 1))
    report.add("3", f"{label}: slope (least squares)", f"{slope * 1e6:,.1f} µs per {unit}",
               f"R² {r2:.3f}; intercept {intercept * 1e6:,.0f} µs; CPU µs per admission at {points}; "
               f"step ratios {ratios}")


def growth_section(cat: Catalogue, report: Report, sizes: Sizes) -> None:
    kinds = {k: v.to_rego() for k, v in cat.kinds.items()}
    budget = 2.0 if sizes is FULL else 0.2

    def cost(evaluator: Evaluator, obj: dict[str, Any]) -> float:
        d = Document(source="growth", obj=obj)
        for _ in range(1 if sizes.smoke else 3):
            evaluator.evaluate(d)
        return cpu_per_call(lambda: evaluator.evaluate(d), sizes.growth_n, budget)

    def fallback_note(evaluator: Evaluator, before: int) -> str:
        counts = getattr(evaluator.engine, "fallbacks", None)
        return "" if counts is None else str(sum(counts.values()) - before)

    for engine in ("embedded", "embedded-interpreter"):
        ev = compiled_now(Evaluator(cat, profile="baseline", engine=engine))
        xs = [1, 4, 16, 64]
        ys, handed = [], []
        for n in xs:
            before = sum(getattr(ev.engine, "fallbacks", {}).values())
            ys.append(cost(ev, jobs.job(kinds["pytorchjob"], "grow", ["Master", "Worker"], n)))
            handed.append(fallback_note(ev, before))
        _series(report, f"{engine}, baseline, PyTorchJob Master+Worker, containers per replica spec 1/4/16/64",
                "container per replica spec", xs, ys)
        if engine == "embedded":
            report.rows[-1].note += ("; evaluations handed to the interpreter (instruction budget) per point: "
                                     + ", ".join(f"{x}: {h}" for x, h in zip(xs, handed, strict=True)))

        order = ["Worker", "PS", "Evaluator", "Chief", "Master"]
        xt = [1, 2, 3, 4, 5]
        yt = [cost(ev, jobs.job(kinds["tfjob"], "grow", order[:n], 2)) for n in xt]
        _series(report, f"{engine}, baseline, TFJob replica types 1..5 (2 containers each)", "replica type", xt, yt)

    pytorch_rules = [r.id for r in cat.rules_sorted() if "pytorchjob" in r.kinds]
    doc = next(d for d in read_paths([str(PYTORCHJOB)]) if isinstance(d, Document))
    total = len(pytorch_rules)
    counts = sorted({max(1, round(total * f)) for f in (0.25, 0.5, 0.75, 1.0)})
    if len(counts) < 2:
        report.add("3", "rules added", "missing", f"{total} rule(s) apply to PyTorchJob: no slope")
        return
    yr = [cost(compiled_now(Evaluator(cat, profile="all", only=pytorch_rules[:k])), doc.obj) for k in counts]
    _series(report, f"embedded, pytorchjob.yaml, the first k of the {total} PyTorchJob rules (profile all, "
            "data.kubeflow.only)", "rule", counts, yr)
    report.extra.append(
        "Growth rows: median process CPU time per admission (steadier than wall time on a shared machine), "
        "at most 2 s of CPU per point; slope, intercept and R² of the least-squares line; step ratios are "
        "consecutive y ratios (a linear cost with a fixed part grows by less than the x ratio). Rules are "
        "added in catalogue (alphabetical) order, so each step adds a different mix of cheap and costly rules. "
        "The compiled mode stops at a fixed 25,000 instructions and the interpreter then answers, so its "
        "container series is not a line: small jobs run compiled, large ones pay for the attempt and the "
        "interpreter; the interpreter's own series shows how the policies' cost grows."
    )


# --- 4. tooling ---------------------------------------------------------------------------------


def tooling_section(report: Report, sizes: Sizes, work: Path) -> None:
    runs = [run_child([*KFPOLICY, "generate", "--out", str(work / f"gen{i}")], cwd=ROOT)
            for i in range(sizes.tool_repeats)]
    if not (work / "gen0" / "rego").is_dir():
        raise RuntimeError("`kfpolicy generate --out` wrote no rego/ folder")
    wall = median([r.wall for r in runs])
    cpu = median([r.cpu for r in runs])
    report.add("4", "`kfpolicy generate` (whole catalogue, into an empty folder): wall (CPU)",
               f"{wall:.2f} s ({cpu:.2f} s)", f"target < 1 s: {verdict(wall < 1.0)} by wall, {verdict(cpu < 1.0)} by "
               f"CPU; median of {len(runs)}")
    if sizes.run_test:
        listing = work / "test.txt"
        with listing.open("wb") as out:
            r = run_child([*KFPOLICY, "test"], cwd=ROOT, stdout=out)
        if " passed" not in listing.read_text(encoding="utf-8"):
            raise RuntimeError("`kfpolicy test` printed no summary")
        report.add("4", "`kfpolicy test` (examples, corpus, upstream examples, gator suites): wall (CPU)",
                   f"{r.wall:.1f} s ({r.cpu:.1f} s)", "all passed" if r.code == 0 else f"exit {r.code}: some failed")
    else:
        report.add("4", "`kfpolicy test`: wall", "skipped", "smoke mode")


# --- main ---------------------------------------------------------------------------------------


def write_results(report: Report, command: str, path: Path) -> None:
    facts = "\n".join(f"- {k}: {v}" for k, v in report.facts.items())
    notes = "\n".join(f"- {n}" for n in report.extra)
    path.write_text(
        "# kfpolicy benchmark results\n\n"
        "Generated by `benchmarks/run.py`; do not edit by hand. Re-run with:\n\n"
        f"```\n{command}\n```\n\n"
        f"## Machine\n\n{facts}\n\n## Results\n\n{report.table()}\n\n## How each row was measured\n\n{notes}\n",
        encoding="utf-8",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny N: check the harness works; write nothing")
    parser.add_argument("--results", type=Path, default=None, help="where to write the results (default: "
                        "benchmarks/RESULTS.md; smoke mode writes nothing unless given)")
    args = parser.parse_args(argv)
    sizes = SMOKE if args.smoke else FULL
    os.chdir(ROOT)
    pinning = pin_one_cpu()
    cat = load_catalogue()
    report = Report()
    report.facts = machine_facts(cat, pinning)
    with tempfile.TemporaryDirectory(prefix="kfpolicy-bench-") as tmp:
        work = Path(tmp)
        latency_section(cat, report, sizes)
        batch_section(cat, report, sizes, work)
        growth_section(cat, report, sizes)
        tooling_section(report, sizes, work)
    report.rows.extend(report.later)
    report.facts["load average at end (1, 5, 15 min)"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(report.table())
    target = args.results if args.results is not None else (None if args.smoke else RESULTS)
    if target is not None:
        command = "python benchmarks/run.py" + (" --smoke" if args.smoke else "")
        write_results(report, command, target)
        print(f"\nwrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
