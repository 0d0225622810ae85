"""Issue 16's figures for one tree: run as a child process whose `kfpolicy` is that tree's.

    PYTHONPATH=TREE/generator python benchmarks/targets.py --corpus DIR [--cpus 0,1] [--smoke]

`measure_trees` (used by benchmarks/run.py and benchmarks/speedups.py) starts one such child for this
checkout and one for each `--baseline DIR`, so every tree is measured by the same code on the same
corpus in the same run. The child prints one JSON object (seconds, MiB, counts):

- start-up: CPU and wall of `kfpolicy eval benchmarks/pytorchjob.yaml`, median of several processes
  after the tree's modules are compiled to bytecode (as an installed wheel has them) and one process
  has filled the disk cache (where the tree has one);
- per admission: benchmarks/pytorchjob.yaml under `baseline`, in-process, the embedded engine in its
  compiled mode from the first call and real OPA in-process; process CPU per call, median and p99;
- growth: a PyTorchJob (Master + Worker) with 1, 4, 16, 64 and 256 containers per replica spec, the
  same two engines, CPU median per admission, and how many of the embedded engine's evaluations the
  compiled mode handed to the interpreter;
- batch: `kfpolicy eval DIR -o json` over the corpus, one whole process with default settings and
  with `--jobs 1` (where the tree has `--jobs`), on the CPUs given by `--cpus` (run.py pins itself to
  one; the default `--jobs` is the usable CPUs): wall, CPU of the process and its workers, peak RSS
  of the largest of them, and how many documents the output answers for.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import jobs  # noqa: E402
from harness import (  # noqa: E402
    FULL,
    KFPOLICY,
    PYTORCHJOB,
    ROOT,
    SMOKE,
    Sizes,
    cpu_samples,
    median,
    p99,
    run_child,
)

GROWTH = (1, 4, 16, 64, 256)  # containers per replica spec
ENGINES = ("embedded", "opa")  # kfpolicy's default, and real OPA in-process
BATCH_VARIANTS = {"default settings": (), "--jobs 1": ("--jobs", "1")}


def _tree() -> Path:
    """The checkout whose kfpolicy this process imports (its generator/ is on PYTHONPATH)."""
    import kfpolicy

    return Path(kfpolicy.__file__).resolve().parents[2]


def _evaluator(engine: str) -> Any:
    """A baseline-profile Evaluator whose compiled mode (where the tree has one) runs from the first call."""
    from kfpolicy.catalogue import load_catalogue
    from kfpolicy.runner import Evaluator

    ev = Evaluator(load_catalogue(), profile="baseline", engine=engine)
    if hasattr(ev.engine, "compile_after"):
        ev.engine.compile_after = 0
    return ev


def _handed(ev: Any) -> int:
    """Evaluations the compiled mode has handed to the interpreter so far (0 where it keeps no count)."""
    return sum(dict(getattr(ev.engine, "fallbacks", {})).values())


def startup(sizes: Sizes, tree: Path) -> dict[str, float]:
    cmd = [*KFPOLICY, "eval", str(PYTORCHJOB)]
    # An installed wheel has its modules compiled to bytecode. A checkout may not, and with
    # PYTHONDONTWRITEBYTECODE set every process would compile them again (tens of ms, more for a
    # larger tree), so they are compiled first: start-up is then what an installed kfpolicy costs.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "generator" / "kfpolicy")],
                   stdout=subprocess.DEVNULL, check=True)
    run_child(cmd, cwd=tree)  # fills the disk cache, where the tree has one
    runs = [run_child(cmd, cwd=tree) for _ in range(sizes.startup_repeats)]
    return {"cpu": median([r.cpu for r in runs]), "wall": median([r.wall for r in runs]), "runs": len(runs)}


def admission(sizes: Sizes, engine: str) -> dict[str, float]:
    from kfpolicy.inputs import Document, read_paths

    ev = _evaluator(engine)
    doc = next(d for d in read_paths([str(PYTORCHJOB)]) if isinstance(d, Document))
    for _ in range(sizes.warmup):
        ev.evaluate(doc)
    xs = cpu_samples(lambda: ev.evaluate(doc), sizes.latency_n, budget=10.0)
    return {"median": median(xs), "p99": p99(xs), "calls": len(xs), "handed": _handed(ev)}


def growth(sizes: Sizes, engine: str) -> dict[str, dict[str, float]]:
    from kfpolicy.catalogue import load_catalogue
    from kfpolicy.inputs import Document

    kind = load_catalogue().kinds["pytorchjob"].to_rego()
    ev = _evaluator(engine)
    out: dict[str, dict[str, float]] = {}
    for n in GROWTH:
        doc = Document(source="growth", obj=jobs.job(kind, "grow", ["Master", "Worker"], n))
        ev.evaluate(doc)  # warm-up, not counted
        before = _handed(ev)
        xs = cpu_samples(lambda doc=doc: ev.evaluate(doc), sizes.growth_n, sizes.growth_budget,
                         least=sizes.growth_least)
        out[str(n)] = {"median": median(xs), "calls": len(xs), "handed": _handed(ev) - before}
    return out


def _answered(output: Path) -> int:
    """Documents the `-o json` report answers for (-1 when it is not such a report)."""
    try:
        data = json.loads(output.read_text(encoding="utf-8"))
    except ValueError:
        return -1
    results = data.get("results") if isinstance(data, dict) else None
    return len(results) if isinstance(results, list) else -1


def has_jobs_option(tree: Path) -> bool:
    helped = subprocess.run([*KFPOLICY, "eval", "--help"], cwd=tree, capture_output=True, text=True,
                            check=False)
    return "--jobs" in helped.stdout


def batch(corpus: Path, tree: Path, cpus: Collection[int] | None) -> dict[str, Any]:
    out: dict[str, dict[str, float]] = {}
    variants = BATCH_VARIANTS if has_jobs_option(tree) else {"default settings": ()}
    with tempfile.TemporaryDirectory(prefix="kfpolicy-targets-") as tmp:
        report = Path(tmp) / "report.json"
        for name, extra in variants.items():
            with report.open("wb") as sink:
                cmd = [*KFPOLICY, "eval", str(corpus), "-o", "json", *extra]
                r = run_child(cmd, cwd=tree, stdout=sink, cpus=cpus)
            answered = _answered(report)
            out[name] = {"wall": r.wall, "cpu": r.cpu, "rss_mib": r.maxrss_kib / 1024, "answered": answered}
    on = ",".join(map(str, sorted(cpus or os.sched_getaffinity(0))))
    return {"count": len(list(corpus.glob("*.yaml"))), "cpus": on, "runs": out}


def measure(sizes: Sizes, corpus: Path, cpus: Collection[int] | None) -> dict[str, Any]:
    tree = _tree()
    steps: dict[str, Callable[[], Any]] = {
        "startup": lambda: startup(sizes, tree),
        "admission": lambda: {engine: admission(sizes, engine) for engine in ENGINES},
        "growth": lambda: {engine: growth(sizes, engine) for engine in ENGINES},
        "batch": lambda: batch(corpus, tree, cpus),
    }
    figures: dict[str, Any] = {"tree": str(tree)}
    for name, step in steps.items():
        print(f"  [{tree.name}] {name} ...", file=sys.stderr, flush=True)
        figures[name] = step()
    return figures


def checkout(text: str) -> Path:
    """An argparse type: a folder holding a kfpolicy checkout (a clone, or `git archive` of a commit)."""
    tree = Path(text).resolve()
    if not (tree / "generator" / "kfpolicy" / "__init__.py").is_file():
        raise argparse.ArgumentTypeError(f"{text}: not a kfpolicy checkout (no generator/kfpolicy/)")
    return tree


def tree_figures(tree: Path, corpus: Path, cpus: Sequence[int], sizes: Sizes) -> dict[str, Any]:
    """Issue 16's figures for one checkout: this script in a child process that imports its kfpolicy."""
    env = dict(os.environ, PYTHONPATH=str(tree / "generator"))
    cmd = [sys.executable, __file__, "--corpus", str(corpus), "--cpus", ",".join(map(str, cpus))]
    cmd += ["--admissions", str(sizes.latency_n), *(["--smoke"] if sizes.smoke else [])]
    done = subprocess.run(cmd, cwd=tree, env=env, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"benchmarks/targets.py for {tree} exited {done.returncode} (its errors above)")
    figures: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    if Path(figures["tree"]) != tree.resolve():
        raise RuntimeError(f"the child for {tree} imported the kfpolicy of {figures['tree']}")
    return figures


def measure_trees(
    baselines: Sequence[Path], sizes: Sizes, corpus: Path, cpus: Sequence[int]
) -> list[dict[str, Any]]:
    """Each baseline's figures in order, then this checkout's, on the same corpus (written here)."""
    from kfpolicy.catalogue import load_catalogue

    jobs.write_corpus({k: v.to_rego() for k, v in load_catalogue().kinds.items()}, sizes.batch, corpus)
    columns = [tree_figures(tree, corpus, cpus, sizes) for tree in [*baselines, ROOT]]
    answered = {v: r["answered"] for v, r in columns[-1]["batch"]["runs"].items()}
    if any(n != sizes.batch for n in answered.values()):
        raise RuntimeError(f"`kfpolicy eval` answered for {answered} of {sizes.batch} manifests")
    return columns


def main() -> int:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--corpus", type=Path, required=True, help="folder of YAML manifests (batch rows)")
    parser.add_argument("--cpus", default="", help="CPUs for the batch processes, e.g. 0,1 (default: ours)")
    parser.add_argument("--smoke", action="store_true", help="tiny N: check that every figure is produced")
    parser.add_argument("--admissions", type=int, default=None, help="timed admissions per engine")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        parser.error(f"--corpus {args.corpus}: not a folder")
    try:
        cpus = {int(c) for c in args.cpus.split(",") if c.strip()}
    except ValueError:
        parser.error(f"--cpus {args.cpus!r}: expected CPU numbers separated by commas, such as 0,1")
    sizes = SMOKE if args.smoke else FULL
    if args.admissions is not None:
        sizes = dataclasses.replace(sizes, latency_n=max(1, args.admissions))
    print(json.dumps(measure(sizes, args.corpus, cpus or None)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
