"""`kfpolicy eval --jobs N`: the same output, in the same order, and the same exit code as one
process; small batches stay in the process."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kfpolicy import parallel, watched
from kfpolicy.cli import cli
from kfpolicy.inputs import Document, read_paths
from kfpolicy.rawinputs import RawDocument, expand, parse, scan, split_paths

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


def _in_one_process(args: list[str], stdin: str | None = None) -> Result:
    """The reference: the same command with every document parsed and evaluated in this process."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(parallel, "MIN_DOCUMENTS", 10**9)
        return CliRunner().invoke(cli, args, input=stdin)


@pytest.mark.parametrize("timeout", ["0", "10"])
@pytest.mark.parametrize("output", ["json", "text", "github", "tap"])
def test_jobs_give_the_same_report_and_exit_code(batch: Path, output: str, timeout: str) -> None:
    args = ["eval", str(batch), "-o", output, "-v", "--timeout", timeout]
    one = _in_one_process(args)
    for jobs in ("1", "3"):
        workers = CliRunner().invoke(cli, [*args, "--jobs", jobs])
        assert one.exit_code == workers.exit_code == 2  # the broken file
        assert one.output == workers.output
    assert "0100-broken.yaml" in one.output and ("deny" in one.output or "denied" in one.output)


def test_small_batches_and_opa_stay_in_the_process() -> None:
    assert parallel.in_process(parallel.MIN_DOCUMENTS - 1, "embedded")
    assert parallel.in_process(10_000, "opa")
    assert not parallel.in_process(parallel.MIN_DOCUMENTS, "embedded")
    assert parallel.usable_cpus() >= 1


TRAINJOB = """apiVersion: trainer.kubeflow.org/v1alpha1
kind: TrainJob
metadata: {name: tj, namespace: team-a}
spec: {runtimeRef: {name: far-away}}
"""
# The runtime the TrainJob names, spelled with an escape: found by the parent's inventory scan.
RUNTIME = """apiVersion: trainer.kubeflow.org/v1alpha1
kind: "ClusterTraining\\x52untime"
metadata: {name: far-away}
spec: {}
"""


def _mixed(folder: Path) -> Path:
    """Every kind of input the split path must give back as one process reads it, spread so each
    of 3 workers' slices holds some: malformed documents mid-stream, empty documents and files,
    Lists, AdmissionReviews, bad JSON, skips, and a TrainJob whose runtime is in another slice."""
    sources = sorted(p for p in JOBS.rglob("*.yaml") if "trainjob" not in p.parts)
    (folder / "000-trainjob.yaml").write_text(TRAINJOB)
    for i in range(parallel.MIN_DOCUMENTS + 20):
        shutil.copy(sources[i % len(sources)], folder / f"{i:03d}-{sources[i % len(sources)].name}")
        if i % 60 == 30:
            good = sources[i % len(sources)].read_text()
            stream = f"{good}\n---\nkind: [unclosed\n---\n# only a comment\n---\n{good}"
            (folder / f"{i:03d}-stream.yaml").write_text(stream)
            (folder / f"{i:03d}-empty.yaml").write_text("---\n# nothing\n---\n")
            (folder / f"{i:03d}-empty-list.yaml").write_text("apiVersion: v1\nkind: List\nitems: []\n")
            (folder / f"{i:03d}-bad.json").write_text('{"kind": ')
            (folder / f"{i:03d}-scalar.yaml").write_text("just text\n")
    (folder / "999-runtime.yaml").write_text(RUNTIME)
    return folder


def test_split_documents_read_as_one_process_reads_them(tmp_path: Path) -> None:
    folder = _mixed(tmp_path)

    def key(item: object) -> object:
        return (replace(item, lines=None), item.line) if isinstance(item, Document) else item

    for path in (folder, JOBS):
        direct = [key(i) for i in read_paths([str(path)])]
        assert [key(i) for i in expand(split_paths([str(path)]))] == direct
        assert len(direct) > 20


@pytest.mark.parametrize("output", ["json", "text"])
def test_workers_parse_malformed_documents_mid_batch_like_one_process(tmp_path: Path, output: str) -> None:
    folder = _mixed(tmp_path)
    args = ["eval", str(folder), "-o", output, "-v"]
    one = _in_one_process(args)
    three = CliRunner().invoke(cli, [*args, "--jobs", "3"])
    assert one.exit_code == three.exit_code == 2
    assert one.output == three.output
    # The malformed document of the last worker's slice is named by file, document and line.
    assert f"{folder / '210-stream.yaml'}#1: invalid YAML" in one.output
    if output == "json":
        report = json.loads(one.stdout)
        sources = [r["source"] for r in report["results"]]
        assert sources == sorted(sources)  # input order
        trainjob = next(r for r in report["results"] if r["kind"] == "TrainJob")
        assert trainjob["decision"] == "allow", trainjob  # its runtime was found in the last slice
        skipped = {r["source"]: r["reason"] for r in report["results"] if r["decision"] == "skip"}
        assert str(folder / "030-empty.yaml") in skipped
        assert str(folder / "030-empty-list.yaml") not in skipped  # a document, holding no object
        errors = {e["source"]: e for e in report["errors"]}
        # Lines count from the start of the file, not of the document.
        assert errors[f"{folder / '150-stream.yaml'}#1"]["line"] > _lines(folder / "150-stream.yaml")
        assert f"{folder / '090-bad.json'}#0" in errors
        assert any("not an object" in e["message"] for e in report["errors"])


def _lines(path: Path) -> int:
    """Lines of the stream before its malformed document's `kind: [unclosed` line."""
    return path.read_text().split("\n---\nkind: [unclosed")[0].count("\n") + 2


def test_exit_codes_of_clean_and_denied_batches(tmp_path: Path) -> None:
    allowed = next(
        p
        for p in sorted(JOBS.rglob("*-allowed.yaml"))
        if not CliRunner().invoke(cli, ["eval", str(p)]).exit_code
    )
    denied = next(
        p
        for p in sorted(JOBS.rglob("*-denied.yaml"))
        if CliRunner().invoke(cli, ["eval", str(p)]).exit_code == 1
    )
    for i in range(parallel.MIN_DOCUMENTS + 10):
        shutil.copy(allowed, tmp_path / f"{i:03d}.yaml")
    clean = [CliRunner().invoke(cli, ["eval", str(tmp_path), "-o", "json", "-j", j]) for j in ("1", "2")]
    shutil.copy(denied, tmp_path / "150-denied.yaml")
    dirty = [CliRunner().invoke(cli, ["eval", str(tmp_path), "-o", "json", "-j", j]) for j in ("1", "2")]
    assert [r.exit_code for r in clean] == [0, 0], clean[0].output[-500:]
    assert [r.exit_code for r in dirty] == [1, 1]
    assert clean[0].output == clean[1].output and dirty[0].output == dirty[1].output


def test_a_dead_worker_makes_its_documents_errors(batch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def dying(raw: RawDocument) -> object:
        if "/0150-" in raw.file:
            os._exit(3)
        return parse(raw)

    monkeypatch.setattr(watched, "parse", dying)
    out = CliRunner().invoke(cli, ["eval", str(batch), "-o", "json", "--jobs", "2", "--timeout", "0"])
    assert out.exit_code == 2
    report = json.loads(out.stdout)
    lost = [e for e in report["errors"] if "worker process died" in e["message"]]
    # The second worker's slice is lost, the first one's results stay.
    assert lost and all(e["source"] > str(batch / "01") for e in lost)
    assert report["results"] and all(r["source"] < str(batch / "0150") for r in report["results"])


def test_streamed_windows_keep_order_files_and_inventory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _mixed(tmp_path)
    args = ["eval", str(folder), "-o", "json", "-v"]
    one = _in_one_process(args)
    monkeypatch.setattr(parallel, "WINDOW", 3)  # many windows; a stream's documents are never cut apart
    for output in ("json", "table"):  # streamed, and held until the end
        for keep in (parallel.KEEP_CHARS, 0):  # the split input kept, or read again
            monkeypatch.setattr(parallel, "KEEP_CHARS", keep)
            reference = one if output == "json" else _in_one_process([*args, "-o", output])
            windowed = CliRunner().invoke(cli, [*args, "-o", output, "--jobs", "2"])
            assert reference.exit_code == windowed.exit_code == 2
            assert reference.stdout == windowed.stdout
    raws = list(split_paths([str(folder)]))
    cuts = list(parallel.windows(raws, 6))
    assert len(cuts) > 30 and [r for cut in cuts for r in cut] == raws
    assert all(not isinstance(cut[-1], RawDocument) or cut[-1].last for cut in cuts)


def test_stdin_is_read_once_and_split_over_workers() -> None:
    job = next(p for p in sorted(JOBS.rglob("*-denied.yaml")) if "trainjob" not in p.parts).read_text()
    stream = "\n---\n".join([job] * (parallel.MIN_DOCUMENTS + 5) + ["kind: [bad"] + [job] * 40)
    one = _in_one_process(["eval", "-", "-o", "json"], stream)
    two = CliRunner().invoke(cli, ["eval", "-", "-o", "json", "--jobs", "2"], input=stream)
    assert one.exit_code == two.exit_code == 2
    assert one.stdout == two.stdout
    assert len(json.loads(one.stdout)["results"]) == parallel.MIN_DOCUMENTS + 45


def test_the_first_pass_keeps_the_split_input_within_its_budget(tmp_path: Path) -> None:
    folder = _mixed(tmp_path)
    raws = list(split_paths([str(folder)]))
    text = sum(len(r.chunk.text) for r in raws if isinstance(r, RawDocument))
    whole = scan(iter(raws), ["ClusterTrainingRuntime"], text)
    assert whole.kept == raws and whole.count == sum(isinstance(r, RawDocument) for r in raws)
    assert whole.found and all(o["kind"] == "ClusterTrainingRuntime" for o in whole.found)
    over = scan(iter(raws), ["ClusterTrainingRuntime"], text - 1)
    assert over.kept is None and (over.count, over.found) == (whole.count, whole.found)
