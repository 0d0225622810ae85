"""The benchmark harness runs end to end in smoke mode (tiny N). No timing is asserted, ever."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "benchmarks" / "run.py"
HARNESS = ROOT / "benchmarks" / "harness.py"


def _bench_module() -> ModuleType:
    """benchmarks/harness.py: the statistics helpers every section uses."""
    spec = importlib.util.spec_from_file_location("kfpolicy_bench_harness", HARNESS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_least_squares_recovers_a_line_and_its_fit() -> None:
    bench = _bench_module()
    slope, intercept, r2 = bench.least_squares([1, 4, 16, 64], [3 + 2 * x for x in (1, 4, 16, 64)])
    assert slope == pytest.approx(2.0)
    assert intercept == pytest.approx(3.0)
    assert r2 == pytest.approx(1.0)
    _, _, scattered = bench.least_squares([1, 2, 3, 4], [1.0, 9.0, 2.0, 8.0])
    assert scattered < 0.5


def test_p99_is_the_high_tail_not_the_median() -> None:
    bench = _bench_module()
    xs = [1.0] * 99 + [100.0]
    assert bench.median(xs) == 1.0
    assert bench.p99(list(range(1, 101))) == 99


def test_smoke_run_prints_every_section_of_the_table(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    proc = subprocess.run(
        [sys.executable, str(RUN), "--smoke", "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("| # | measurement")
    sections = {line.split("|")[1].strip() for line in lines[2:] if line.startswith("|")}
    assert sections == {"1", "2", "3", "4", "5"}
    table = proc.stdout
    for needle in ("baseline, data.kubeflow.violation, embedded", "baseline, data.kubeflow.violation, opa",
                   "restricted, data.kubeflow.violation, embedded", "Gatekeeper template path",
                   "`kfpolicy eval` on 12 manifests", "one `kfpolicy eval <file>` process per manifest",
                   "containers per replica spec", "replica types", "`kfpolicy generate`", "peak memory"):
        assert needle in table, needle
    # The child commands really ran: the batch row counts decisions for all 12 manifests.
    batch_row = next(line for line in lines if "`kfpolicy eval` on 12 manifests" in line)
    counts = [int(n) for n in re.findall(r"(?:allow|deny|warn|skip) (\d+)", batch_row)]
    assert sum(counts) == 12, batch_row
    text = results.read_text(encoding="utf-8")
    assert "python benchmarks/run.py --smoke" in text
    for fact in ("nproc", "CPU", "Python", "gordon-to-regorus", "opa-golib-python-bindings"):
        assert fact in text, fact
