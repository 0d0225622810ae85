"""The benchmark harness runs end to end in smoke mode (tiny N). No timing is asserted, ever."""

from __future__ import annotations

import importlib.util
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


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.split("|")[1:-1]]


def test_marked_sections_are_the_blocks_other_scripts_wrote() -> None:
    bench = _bench_module()
    block = "<!-- webhook_load.py: begin -->\n## Webhook\n\n| x |\n<!-- webhook_load.py: end -->"
    text = f"# report\n\n| row |\n\n{block}\n\n<!-- other: begin -->\nunclosed\n"
    assert bench.marked_sections(text) == [block]
    assert bench.marked_sections("# report only\n") == []


def test_report_table_has_a_column_per_baseline_tree() -> None:
    bench = _bench_module()
    alone = bench.Report()
    alone.add("1", "a row", "5 µs", "a note")
    assert alone.table().splitlines()[0].split("|")[3].strip() == "result"
    beside = bench.Report(baselines=["old"])
    beside.add("T", "a target", "5 µs: met", "a note", before=["9 µs: MISSED"])
    beside.add("1", "this tree only", "7 µs")
    head, _, first, second = beside.table().splitlines()
    assert _cells(head) == ["#", "measurement", "old", "this tree", "target / note"]
    assert _cells(first) == ["T", "a target", "9 µs: MISSED", "5 µs: met", "a note"]
    assert _cells(second) == ["1", "this tree only", "", "7 µs", ""]


def test_a_baseline_that_is_not_a_checkout_is_refused_clearly(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(RUN), "--smoke", "--baseline", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    assert "not a kfpolicy checkout" in proc.stderr
    assert proc.stdout == ""


# Issue 16's rows: a target row each (met or MISSED), then the figures behind them, with a column per tree.
ISSUE_16_TARGETS = (
    "CPU median ≤ 200 µs", "CPU p99 ≤ 300 µs", "default settings: ≥ 3,000 manifests/s",
    "`--jobs 1`: ≥ 1,500 manifests/s", "64 containers ≤ 20x of 1", "256 containers ≤ 4x of 64",
    "≤ 0.3 s CPU", "embedded at least as fast as real OPA",
)
ISSUE_16_ROWS = (
    "per admission of pytorchjob.yaml (baseline, in-process), embedded: CPU median / p99",
    "per admission of pytorchjob.yaml (baseline, in-process), opa: CPU median / p99",
    "per admission: real OPA CPU / embedded CPU",
    "`kfpolicy eval` on 12 YAML manifests, whole process, default settings",
    "`kfpolicy eval` on 12 YAML manifests, whole process, --jobs 1",
    *(f"growth: {n} container{'s' if n > 1 else ''} per replica spec" for n in (1, 4, 16, 64, 256)),
    "start-up: `kfpolicy eval pytorchjob.yaml`",
    "peak RSS of `kfpolicy eval` on 12 manifests, default settings",
    "peak RSS of `kfpolicy eval` on 12 manifests, --jobs 1",
)


def test_smoke_run_prints_every_section_of_the_table(tmp_path: Path) -> None:
    """One smoke run with this checkout as its own --baseline: every row, both columns of issue 16's."""
    results = tmp_path / "RESULTS.md"
    webhook = "<!-- webhook_load.py: begin -->\n## Webhook load\n\n| a | b |\n<!-- webhook_load.py: end -->"
    results.write_text(f"# an older report\n\n{webhook}\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(RUN), "--smoke", "--results", str(results), "--baseline", str(ROOT)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert _cells(lines[0]) == ["#", "measurement", ROOT.name, "this tree", "target / note"]
    rows = [_cells(line) for line in lines[2:] if line.startswith("|")]
    assert [r[0] for r in rows] == sorted((r[0] for r in rows), key="T12345".index)
    assert {r[0] for r in rows} == {"T", "1", "2", "3", "4", "5"}
    for needle in ISSUE_16_TARGETS:
        row = next((r for r in rows if r[0] == "T" and needle in r[1]), None)
        assert row is not None, needle
        for cell in row[2:4]:  # the baseline tree's and this tree's
            assert cell.endswith((": met", ": MISSED")), (needle, cell)
    for needle in ISSUE_16_ROWS:
        row = next((r for r in rows if needle in r[1]), None)
        assert row is not None, needle
        assert row[2] and row[3] and "n/a" not in row[2:4], (needle, row)
    # The batch processes really ran: run.py stops when this tree's answer misses a manifest, and a
    # baseline's cell says how many it answered for when that is not all of them.
    assert "(answered" not in proc.stdout
    latency = next(r for r in rows if r[1].startswith("baseline, data.kubeflow.violation, embedded:"))
    assert "CPU median / p99" in latency[1] and latency[3].count("µs") == 4, latency
    table = proc.stdout
    for needle in ("baseline, data.kubeflow.violation, opa", "restricted, data.kubeflow.violation, embedded",
                   "Gatekeeper template path", "one `kfpolicy eval <file>` process per manifest",
                   "replica types", "`kfpolicy generate`"):
        assert needle in table, needle
    text = results.read_text(encoding="utf-8")
    assert f"python benchmarks/run.py --smoke --baseline {ROOT}" in text
    assert "an older report" not in text and text.rstrip().endswith(webhook), "webhook_load.py's section kept"
    facts = ("nproc", "CPU", "Python", "gordon-to-regorus", "opa-golib-python-bindings", "baseline column")
    for fact in facts:
        assert fact in text, fact
