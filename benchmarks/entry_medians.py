"""Entry-point cost, before and after a change to the generated rego/kubeflow/ modules, in one run.

    python benchmarks/entry_medians.py                      # HEAD's rego/kubeflow/ vs the generated one
    python benchmarks/entry_medians.py --before main --n 400 --rounds 5
    python benchmarks/entry_medians.py --variant shorter=/tmp/kubeflow   # a folder of candidate modules

Every variant shares the library and rule modules of the current catalogue and differs only in the
entry-point modules (rego/kubeflow/*.rego). Each evaluates data.kubeflow.violation on the baseline
PyTorchJob and a TrainJob, with the baseline profile given as data (as kfpolicy loads it) and with no
profile data (the default profile in config.rego, as plain `opa eval -d rego/` runs it), on the
compiled embedded engine, its interpreter and real OPA. Variants are timed in turn, round after round,
in process CPU time per evaluation; the table prints the median of the round medians (µs) and each
variant's ratio to the first; the first runs twice, to show the run's noise floor. Results must agree
between variants, or the run stops.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import PYTORCHJOB, ROOT, median  # noqa: E402
from kfpolicy.catalogue.loader import load_catalogue  # noqa: E402
from kfpolicy.engine_input import input_json  # noqa: E402
from kfpolicy.engines import make_engine  # noqa: E402
from kfpolicy.inputs import Document, read_paths  # noqa: E402
from kfpolicy.render.profile_data import kubeflow_data  # noqa: E402
from kfpolicy.render.rego import render_rego  # noqa: E402

TRAINJOB = ROOT / "examples" / "trainjobs" / "trainjob-torch.yaml"
ENGINES = ("embedded", "embedded-interpreter", "opa")
QUERY = "data.kubeflow.violation"
ENTRY = "rego/kubeflow/"


def _git_entry_modules(rev: str) -> dict[str, str]:
    """rego/kubeflow/*.rego as committed at `rev`."""
    names = subprocess.run(["git", "ls-tree", "--name-only", f"{rev}:{ENTRY}"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split()
    return {
        ENTRY + name: subprocess.run(["git", "show", f"{rev}:{ENTRY}{name}"], cwd=ROOT, check=True,
                                     capture_output=True, text=True).stdout
        for name in names if name.endswith(".rego")
    }


def _folder_entry_modules(folder: Path) -> dict[str, str]:
    return {ENTRY + p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.rego"))}


def _tree(base: dict[str, str], entry: dict[str, str]) -> dict[str, str]:
    return {**{k: v for k, v in base.items() if not k.startswith(ENTRY)}, **entry}


def _engine(name: str, modules: dict[str, str], data: dict[str, Any]) -> Any:
    engine = make_engine(name)
    if hasattr(engine, "compile_after"):
        engine.compile_after = 0  # the compiled mode from the first call
    engine.load(modules, data)
    return engine


def _document(path: Path) -> str:
    doc = next(d for d in read_paths([str(path)]) if isinstance(d, Document))
    return input_json(doc.input)


def _cpu_median(engine: Any, text: str, n: int) -> float:
    """Median process CPU seconds of n evaluations after a warm-up: CPU time, unlike wall time, is not
    inflated by other processes on a shared machine."""
    for _ in range(max(5, n // 10)):
        engine.evaluate(QUERY, text)
    out = []
    for _ in range(n):
        c0 = time.process_time()
        engine.evaluate(QUERY, text)
        out.append(time.process_time() - c0)
    return median(out)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", default="HEAD", help="git revision whose rego/kubeflow/ is the first variant")
    ap.add_argument("--variant", action="append", default=[], metavar="NAME=DIR",
                    help="a further variant: a folder of rego/kubeflow/ modules")
    ap.add_argument("--n", type=int, default=100, help="timed evaluations per variant and round")
    ap.add_argument("--rounds", type=int, default=11)
    ap.add_argument("--engine", action="append", choices=ENGINES, help="default: all three")
    args = ap.parse_args(argv)

    cat = load_catalogue()
    generated = render_rego(cat)
    before = _tree(generated, _git_entry_modules(args.before))
    # The same tree twice: how far apart two identical variants come out is this run's noise floor.
    variants = {f"before ({args.before})": before, "before again": before, "generated": generated}
    for spec in args.variant:
        name, _, folder = spec.partition("=")
        variants[name] = _tree(generated, _folder_entry_modules(Path(folder)))
    inputs = {"pytorchjob": _document(PYTORCHJOB), "trainjob": _document(TRAINJOB)}
    datas = {"profile data": {"kubeflow": kubeflow_data(cat, "baseline"), "inventory": {}},
             "no data": {"inventory": {}}}

    print(f"{'engine':<21} {'job':<11} {'data':<13} " + " ".join(f"{v[:22]:>24}" for v in variants))
    for engine_name in args.engine or ENGINES:
        for data_name, data in datas.items():
            engines = {v: _engine(engine_name, tree, data) for v, tree in variants.items()}
            for job, text in inputs.items():
                answers = {v: json.dumps(e.evaluate(QUERY, text), sort_keys=True, default=str)
                           for v, e in engines.items()}
                if len(set(answers.values())) != 1:
                    print(f"DISAGREEMENT on {engine_name}/{job}/{data_name}: {answers}", file=sys.stderr)
                    return 1
                rounds: dict[str, list[float]] = {v: [] for v in variants}
                for _ in range(args.rounds):
                    for v, e in engines.items():
                        rounds[v].append(_cpu_median(e, text, args.n))
                first = median(next(iter(rounds.values())))
                cells = []
                for v in variants:
                    m = median(rounds[v])
                    cells.append(f"{m * 1e6:>14,.0f} ({m / first:4.2f}x)")
                print(f"{engine_name:<21} {job:<11} {data_name:<13} " + " ".join(f"{c:>24}" for c in cells),
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
