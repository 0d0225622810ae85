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
import shutil
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
from kfpolicy.engines import make_engine  # noqa: E402
from kfpolicy.inputs import Document, read_paths  # noqa: E402
from kfpolicy.runner import Evaluator  # noqa: E402

PYTORCHJOB = HERE / "pytorchjob.yaml"
RESULTS = HERE / "RESULTS.md"
KFPOLICY = [sys.executable, "-m", "kfpolicy.cli"] if shutil.which("kfpolicy") is None else ["kfpolicy"]


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


FULL = Sizes(latency_n=3000, warmup=300, batch=10_000, batch_repeats=3, per_process=100, growth_n=400,
             tool_repeats=5, run_test=True)
SMOKE = Sizes(latency_n=20, warmup=5, batch=30, batch_repeats=1, per_process=2, growth_n=5, tool_repeats=1,
              run_test=False)


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
    }


def _libyaml() -> bool:
    import yaml

    return bool(getattr(yaml, "__with_libyaml__", False))


# --- timing helpers -----------------------------------------------------------------------------


def time_calls(fn: Callable[[], Any], n: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        fn()
    gc.collect()
    out = []
    clock = time.perf_counter
    for _ in range(n):
        t0 = clock()
        fn()
        out.append(clock() - t0)
    return out


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
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    slope = sxy / sxx if sxx else 0.0
    intercept = my - slope * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - (intercept + slope * x)) ** 2 for x, y in zip(xs, ys))
    r2 = 1 - ss_res / ss_tot if ss_tot else 1.0
    return slope, intercept, r2


def run_child(cmd: Sequence[str], *, cwd: Path, stdout: Any = subprocess.DEVNULL) -> tuple[float, int, int]:
    """Run one child process: (wall seconds, exit code, its own peak RSS in KiB from wait4)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(list(cmd), cwd=cwd, stdout=stdout, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {err.decode(errors='replace')[-2000:]}")
    return wall, proc.returncode, usage.ru_maxrss


# --- 1. per-admission latency -------------------------------------------------------------------


def gatekeeper_admission(cat: Catalogue, profile: str, engine: str, obj: dict[str, Any]) -> tuple[Callable[[], Any], str]:
    """One admission through the Gatekeeper template path: every constraint of the profile in turn.

    Uses kfpolicy.gatekeeper_eval when it offers a reusable evaluator; otherwise loads each generated
    template's Rego (gatekeeper/templates/*.yaml: libs + rego) into its own engine and queries
    `violation` with Gatekeeper's input shape (review + parameters). Returns (call, how).
    """
    import yaml

    templates = sorted((ROOT / "gatekeeper" / "templates").glob("*.yaml"))
    if not templates:
        raise LookupError("gatekeeper/templates/ not generated")
    by_rule: dict[str, dict[str, Any]] = {}
    for path in templates:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        by_rule[path.stem] = doc
    settings = cat.profiles[profile].rules
    review = {"object": obj, "operation": "CREATE", "kind": {"group": obj["apiVersion"].split("/")[0],
                                                             "version": obj["apiVersion"].split("/")[1],
                                                             "kind": obj["kind"]}}
    loaded = []
    for rule_id, setting in sorted(settings.items()):
        doc = by_rule.get(rule_id)
        if doc is None:
            continue
        target = doc["spec"]["targets"][0]
        modules = {f"{rule_id}/lib{i}.rego": text for i, text in enumerate(target.get("libs", []))}
        modules[f"{rule_id}/template.rego"] = target["rego"]
        package = target["rego"].split("package ", 1)[1].split()[0]
        eng = make_engine(engine)
        eng.load(modules, {"inventory": {"cluster": {}, "namespace": {}}})
        params = {**cat.rules[rule_id].default_parameters, **dict(setting.parameters or {})}
        loaded.append((eng, f"data.{package}.violation", json.dumps({"review": review, "parameters": params})))
    if not loaded:
        raise LookupError(f"no template for any rule of profile {profile}")

    def call() -> int:
        # Gatekeeper serialises the review once per constraint; so do we.
        return sum(len(e.evaluate(q, i) or ()) for e, q, i in loaded)

    return call, f"{len(loaded)} templates of {len(settings)} rules, own loader"


def latency_section(cat: Catalogue, report: Report, sizes: Sizes) -> None:
    doc = next(d for d in read_paths([str(PYTORCHJOB)]) if isinstance(d, Document))
    lines = len(PYTORCHJOB.read_text().splitlines())
    found: dict[tuple[str, str, str], list[float]] = {}
    for profile in ("baseline", "restricted"):
        for engine in ("embedded", "opa"):
            ev = Evaluator(cat, profile=profile, engine=engine)
            result = ev.evaluate(doc)
            ts = time_calls(lambda: ev.evaluate(doc), sizes.latency_n, sizes.warmup)
            found[(profile, "rego", engine)] = ts
            n_rules = len(cat.profiles[profile].rules)
            note = f"{n_rules} rules, decision {result.decision} ({len(result.violations)} violations)"
            if engine == "embedded" and profile == "baseline":
                note += f"; target p99 ≤ 300 µs: {verdict(p99(ts) <= 300e-6)}"
            report.add("1", f"{profile}, data.kubeflow.violation, {engine}: median / p99",
                       f"{us(median(ts))} / {us(p99(ts))}", note)
        emb, opa = found[(profile, "rego", "embedded")], found[(profile, "rego", "opa")]
        ratio = median(opa) / median(emb)
        report.add("1", f"{profile}, data.kubeflow.violation: real OPA / embedded (median, p99)",
                   f"{ratio:.2f}x, {p99(opa) / p99(emb):.2f}x",
                   f"target ≥ 1.00x (embedded at least as fast): {verdict(ratio >= 1.0)}")
        for engine in ("embedded", "opa"):
            try:
                call, how = gatekeeper_admission(cat, profile, engine, doc.obj)
            except LookupError as exc:
                report.add("1", f"{profile}, Gatekeeper template path, {engine}", "missing", str(exc))
                continue
            ts = time_calls(call, sizes.latency_n, sizes.warmup)
            found[(profile, "gk", engine)] = ts
            report.add("1", f"{profile}, Gatekeeper template path, {engine}: median / p99",
                       f"{us(median(ts))} / {us(p99(ts))}", how)
        if (profile, "gk", "embedded") in found and (profile, "gk", "opa") in found:
            emb, opa = found[(profile, "gk", "embedded")], found[(profile, "gk", "opa")]
            report.add("1", f"{profile}, Gatekeeper template path: real OPA / embedded (median, p99)",
                       f"{median(opa) / median(emb):.2f}x, {p99(opa) / p99(emb):.2f}x")
    report.extra.append(
        f"Latency rows: one in-process `Evaluator.evaluate` per admission (input serialisation, query, "
        f"result conversion) on benchmarks/pytorchjob.yaml ({lines} lines: Master + 4 Workers, GPU requests "
        f"and limits, env, volumes); {sizes.latency_n:,} timed evaluations after {sizes.warmup} warm-up ones."
    )


# --- 2 + 5. batch throughput and peak memory ----------------------------------------------------


def batch_section(cat: Catalogue, report: Report, sizes: Sizes, work: Path) -> None:
    kinds = {k: v.to_rego() for k, v in cat.kinds.items()}
    corpus = work / "corpus"
    corpus.mkdir()
    paths = jobs.write_corpus(kinds, sizes.batch, corpus)
    total_lines = sum(len(p.read_text().splitlines()) for p in paths)
    cmd = [*KFPOLICY, "eval", str(corpus), "-o", "json"]
    walls, rss = [], []
    out_path = work / "batch.json"
    for _ in range(sizes.batch_repeats):
        with out_path.open("wb") as out:
            wall, _, maxrss = run_child(cmd, cwd=ROOT, stdout=out)
        walls.append(wall)
        rss.append(maxrss)
    decisions: dict[str, int] = {}
    for r in json.loads(out_path.read_text())["results"] if _has_results(out_path) else []:
        decisions[r["decision"]] = decisions.get(r["decision"], 0) + 1
    wall = median(walls)
    rate = sizes.batch / wall
    report.add("2", f"`kfpolicy eval` on {sizes.batch:,} manifests, one process: wall / rate",
               f"{wall:.2f} s / {rate:,.0f} manifests/s",
               f"target ≥ 3,000/s: {verdict(rate >= 3000)}; median of {len(walls)} runs; "
               + ", ".join(f"{k} {v}" for k, v in sorted(decisions.items())))

    # One process per manifest, as a shell loop of `opa eval` calls would run: sample, then extrapolate.
    sample = paths[: sizes.per_process]
    one = [run_child([*KFPOLICY, "eval", str(p)], cwd=ROOT)[0] for p in sample]
    per = statistics.mean(one)
    report.add("2", f"one `kfpolicy eval <file>` process per manifest: mean wall, extrapolated to {sizes.batch:,}",
               f"{per * 1000:,.0f} ms each → {per * sizes.batch:,.0f} s ({1 / per:,.1f} manifests/s)",
               f"measured {len(sample)} separate processes")
    minimal = [run_child([sys.executable, str(HERE / "one_shot.py"), str(ROOT / "rego"), str(p)], cwd=ROOT)[0]
               for p in sample]
    per_min = statistics.mean(minimal)
    report.add("2", "one minimal Python process per manifest (load rego/, evaluate one): mean wall",
               f"{per_min * 1000:,.0f} ms each → {per_min * sizes.batch:,.0f} s ({1 / per_min:,.1f} manifests/s)",
               f"measured {len(sample)} separate processes (benchmarks/one_shot.py)")
    report.add("2", "batch vs one process per manifest (kfpolicy eval, minimal)",
               f"{per * rate:,.0f}x, {per_min * rate:,.0f}x", "ratio of manifests/s")
    report.later.append(Row("5", f"peak memory of `kfpolicy eval` on {sizes.batch:,} manifests (ru_maxrss of the child)",
                            f"{max(rss) / 1024:,.0f} MiB", f"max of {len(rss)} runs; corpus {total_lines:,} YAML lines"))
    report.extra.append(
        f"Batch corpus: {sizes.batch:,} distinct manifests generated by benchmarks/jobs.py "
        f"({', '.join(jobs.BATCH_KINDS)} in turn; 1-3 replica types, 1-3 containers each; some made invalid), "
        f"one file each, {total_lines / max(1, len(paths)):.0f} lines on average. Wall time includes process "
        "start, catalogue load, policy compile, YAML parsing, evaluation and JSON output. There is no `opa` "
        "binary here, so the one-process-per-manifest rows sample separate processes and multiply."
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
    points = ", ".join(f"{x}: {y * 1e6:,.0f}" for x, y in zip(xs, ys))
    ratios = ", ".join(f"{ys[i + 1] / ys[i]:.2f}" for i in range(len(ys) - 1))
    report.add("3", f"{label}: slope (least squares)", f"{slope * 1e6:,.1f} µs per {unit}",
               f"R² {r2:.4f}; intercept {intercept * 1e6:,.0f} µs; median µs at {points}; step ratios {ratios}")


def growth_section(cat: Catalogue, report: Report, sizes: Sizes) -> None:
    kinds = {k: v.to_rego() for k, v in cat.kinds.items()}
    ev = Evaluator(cat, profile="baseline")

    def med_of(obj: dict[str, Any]) -> float:
        d = Document(source="growth", obj=obj)
        return median(time_calls(lambda: ev.evaluate(d), sizes.growth_n, max(3, sizes.growth_n // 10)))

    xs = [1, 4, 16, 64]
    ys = [med_of(jobs.job(kinds["pytorchjob"], "grow", ["Master", "Worker"], n)) for n in xs]
    _series(report, "baseline, PyTorchJob Master+Worker, containers per replica spec 1/4/16/64", "container", xs, ys)

    order = ["Worker", "PS", "Evaluator", "Chief", "Master"]
    xt = [1, 2, 3, 4, 5]
    yt = [med_of(jobs.job(kinds["tfjob"], "grow", order[:n], 2)) for n in xt]
    _series(report, "baseline, TFJob replica types 1..5 (2 containers each)", "replica type", xt, yt)

    pytorch_rules = [r.id for r in cat.rules_sorted() if "pytorchjob" in r.kinds]
    if not pytorch_rules:
        report.add("3", "rules added", "missing", "no rule applies to PyTorchJob")
        return
    total = len(pytorch_rules)
    counts = sorted({max(1, round(total * f)) for f in (0.25, 0.5, 0.75, 1.0)})
    doc = next(d for d in read_paths([str(PYTORCHJOB)]) if isinstance(d, Document))
    yr = []
    for k in counts:
        narrowed = Evaluator(cat, profile="all", only=pytorch_rules[:k])
        yr.append(median(time_calls(lambda: narrowed.evaluate(doc), sizes.growth_n, max(3, sizes.growth_n // 10))))
    if len(counts) >= 2:
        _series(report, f"profile all narrowed by data.kubeflow.only to k of {total} PyTorchJob rules", "rule",
                counts, yr)
    else:
        report.add("3", "rules added", f"{yr[0] * 1e6:,.0f} µs at 1 rule", "only one PyTorchJob rule: no slope")


# --- 4. tooling ---------------------------------------------------------------------------------


def tooling_section(report: Report, sizes: Sizes, work: Path) -> None:
    walls = []
    for i in range(sizes.tool_repeats):
        out = work / f"gen{i}"
        walls.append(run_child([*KFPOLICY, "generate", "--out", str(out)], cwd=ROOT)[0])
    wall = median(walls)
    report.add("4", "`kfpolicy generate` (whole catalogue, into an empty folder): wall",
               f"{wall:.2f} s", f"target < 1 s: {verdict(wall < 1.0)}; median of {len(walls)}")
    if sizes.run_test:
        wall, code, _ = run_child([*KFPOLICY, "test"], cwd=ROOT)
        report.add("4", "`kfpolicy test` (examples, corpus, upstream examples): wall", f"{wall:.2f} s",
                   "all passed" if code == 0 else f"exit {code}: some checks failed")
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
    print(report.table())
    target = args.results if args.results is not None else (None if args.smoke else RESULTS)
    if target is not None:
        command = "python benchmarks/run.py" + (" --smoke" if args.smoke else "")
        write_results(report, command, target)
        print(f"\nwrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
