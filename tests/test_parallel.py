"""`kfpolicy eval --jobs N`: the same output, in the same order, and the same exit code as one
process; small batches stay in the process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kfpolicy import parallel
from kfpolicy.cli import cli

JOBS = Path(__file__).resolve().parent / "jobs"


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Over MIN_DOCUMENTS documents: allowed and denied jobs, a broken file and a skipped one."""
    folder = tmp_path_factory.mktemp("batch")
    sources = sorted(p for p in JOBS.rglob("*.yaml") if "trainjob" not in p.parts)
    assert sources
    copies = 0
    while copies < parallel.MIN_DOCUMENTS + 20:
        for source in sources:
            shutil.copy(source, folder / f"{copies:04d}-{source.name}")
            copies += 1
    (folder / "0100-broken.yaml").write_text("a: [\n")
    (folder / "0101-not-a-job.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    return folder


@pytest.mark.parametrize("timeout", ["0", "10"])
@pytest.mark.parametrize("output", ["json", "text"])
def test_jobs_give_the_same_report_and_exit_code(batch: Path, output: str, timeout: str) -> None:
    args = ["eval", str(batch), "-o", output, "-v", "--timeout", timeout]
    one = CliRunner().invoke(cli, [*args, "--jobs", "1"])
    two = CliRunner().invoke(cli, [*args, "--jobs", "3"])
    assert one.exit_code == two.exit_code == 2  # the broken file
    assert one.output == two.output
    assert "0100-broken.yaml" in one.output and "deny" in one.output


def test_small_batches_and_opa_stay_in_the_process() -> None:
    assert parallel.in_process(4, parallel.MIN_DOCUMENTS - 1, "embedded")
    assert parallel.in_process(4, 10_000, "opa")
    assert parallel.in_process(1, 10_000, "embedded")
    assert not parallel.in_process(2, parallel.MIN_DOCUMENTS, "embedded")
    assert parallel.usable_cpus() >= 1
