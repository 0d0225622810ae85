"""Bad input at the CLI: every case gets a clear answer, never a traceback or an engine error.

Input errors exit 2 with a message naming the file and, for a document inside it, its index
(`bad.yaml#1`); the other documents and files are still evaluated. Wrong types and invalid values
inside a well-formed manifest are policy violations (exit 1); unknown kinds are `skip` (exit 0).
Memory stays bounded on alias bombs and oversized files (peak RSS measured in a child process).
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

GOOD = """apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: good}
spec:
  pytorchReplicaSpecs:
    Worker:
      replicas: 1
      template:
        spec:
          containers: [{name: pytorch, image: pytorch:2}]
"""


def pytorch(worker: str) -> str:
    """A PyTorchJob whose Worker replica spec is the given YAML (indented under Worker)."""
    body = "\n".join("      " + line for line in worker.strip("\n").splitlines())
    return (
        "apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata: {name: bad}\nspec:\n"
        f"  pytorchReplicaSpecs:\n    Worker:\n{body}\n"
    )


# Runs the CLI in a child process and reports its peak RSS (KiB) on the last line of stderr.
# VmHWM is this process's own high-water mark; ru_maxrss would carry over the forking parent's
# (pytest's) peak across exec on Linux, so it is only the fallback.
RUNNER = """
import resource, sys
from kfpolicy.cli import main

def peak_kib():
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
finally:
    sys.stdout.flush()
    print(f"MAXRSS_KIB={peak_kib()}", file=sys.stderr)
sys.exit(code)
"""


class Run:
    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.code = proc.returncode
        lines = proc.stderr.splitlines()
        self.maxrss_kib = (
            int(lines[-1].split("=")[1]) if lines and lines[-1].startswith("MAXRSS_KIB=") else -1
        )
        self.stderr = "\n".join(lines[:-1] if self.maxrss_kib >= 0 else lines)
        self.stdout = proc.stdout

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)


def kfpolicy(*args: str, cwd: Path, stdin: bytes | None = None) -> Run:
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, "eval", "-o", "json", *args],
        cwd=cwd, input=stdin.decode("utf-8", "surrogateescape") if stdin is not None else None,
        capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    run = Run(proc)
    assert "Traceback" not in run.stderr, run.stderr
    assert "internal error" not in run.stderr, run.stderr
    assert "engine failed" not in run.stderr and "engine rejected" not in run.stderr, run.stderr
    return run


def sources(run: Run) -> dict[str, str]:
    return {r["source"].rsplit("/", 1)[-1]: r["decision"] for r in run.json["results"]}


def input_error(run: Run, name: str) -> None:
    assert run.code == 2, (run.code, run.stderr)
    assert f"kfpolicy: error: {name}" in run.stderr, run.stderr


# --- malformed files and documents: exit 2, named, the rest still evaluated -----------------------

BAD_DOCUMENTS = {
    "truncated": ("apiVersion: v1\nkind: [unclosed\n", "bad.yaml#1", "invalid YAML"),
    "duplicate keys": ("kind: PyTorchJob\nkind: TFJob\n", "bad.yaml#1", "duplicate key"),
    "a list": ("- 1\n- 2\n", "bad.yaml#1", "not an object"),
    "a string": ("just text\n", "bad.yaml#1", "not an object"),
    "a number": ("42\n", "bad.yaml#1", "not an object"),
    "NaN": (pytorch("replicas: .nan"), "bad.yaml#1", "non-finite"),
    "Inf": (pytorch("replicas: -.inf"), "bad.yaml#1", "non-finite"),
    "deep nesting": ("a: " + "[" * 300 + "]" * 300 + "\n", "bad.yaml#1", "nested more than"),
    "very deep nesting": (
        "a: " + "{b: " * 20000 + "1" + "}" * 20000 + "\n",
        "bad.yaml#1",
        "nested more than",
    ),
    "binary value": ("a: !!binary aGVsbG8=\n", "bad.yaml#1", "binary"),
    "non-string key": ("apiVersion: v1\n1: one\n", "bad.yaml#1", "not a string"),
    "List with bad items": (
        "apiVersion: v1\nkind: List\nitems: {a: 1}\n",
        "bad.yaml#1",
        "items must be a list",
    ),
    "alias bomb": (
        "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
        + "".join(
            f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        ),
        "bad.yaml#1",
        "alias",
    ),
}


# Empty and comment-only files are not errors: they are reported as skipped (tests/test_selection.py).
BAD_FILES = {
    "binary": (bytes(range(256)) * 4, "binary file"),
    "not UTF-8": (b"apiVersion: v1\nkind: Pod\nmetadata: {name: \xff\xfe}\n", "not UTF-8"),
}

JSON_CASES = {
    "duplicate keys": ('{"apiVersion": "v1", "kind": "Pod", "kind": "PyTorchJob"}', "duplicate key"),
    "NaN": ('{"apiVersion": "kubeflow.org/v1", "kind": "PyTorchJob", "spec": {"x": NaN}}', "NaN"),
    "Infinity": ('{"kind": "PyTorchJob", "spec": {"x": -Infinity}}', "Infinity"),
    "truncated": ('{"kind": "PyTorchJob", "spec": {', "invalid JSON"),
    "deep nesting": ('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "invalid JSON"),
    "an array": ("[1, 2]", "not an object"),
}


def _slug(case: str) -> str:
    return case.replace(" ", "-")


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One CLI run over every bad file at once (each case its own file) plus a good file."""
    d = tmp_path_factory.mktemp("bad")
    for case, (text, _, _) in BAD_DOCUMENTS.items():
        (d / f"doc-{_slug(case)}.yaml").write_text(GOOD + "---\n" + text, encoding="utf-8")
    for case, (data, _) in BAD_FILES.items():
        (d / f"file-{_slug(case)}.yaml").write_bytes(data)
    for case, (text, _) in JSON_CASES.items():
        (d / f"json-{_slug(case)}.json").write_text(text, encoding="utf-8")
    (d / "other.yaml").write_text(GOOD, encoding="utf-8")
    names = sorted(p.name for p in d.iterdir())
    return kfpolicy(*names, cwd=d)


def _error_line(run: Run, where: str) -> str:
    assert run.code == 2, (run.code, run.stderr)
    lines = [line for line in run.stderr.splitlines() if line.startswith(f"kfpolicy: error: {where}: ")]
    assert lines, f"no error naming {where}:\n{run.stderr}"
    return lines[0]


@pytest.mark.parametrize("case", sorted(BAD_DOCUMENTS))
def test_bad_document_is_named_and_the_others_still_evaluated(case: str, bad_run: Run) -> None:
    _, _, words = BAD_DOCUMENTS[case]
    name = f"doc-{_slug(case)}.yaml"
    assert words in _error_line(bad_run, f"{name}#1")
    # The good document before the bad one is still evaluated.
    assert sources(bad_run)[f"{name}#0"] == "allow"


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_is_named(case: str, bad_run: Run) -> None:
    _, words = BAD_FILES[case]
    name = f"file-{_slug(case)}.yaml"
    assert words in _error_line(bad_run, name)
    assert not any(k.startswith(name) for k in sources(bad_run))


@pytest.mark.parametrize("case", sorted(JSON_CASES))
def test_bad_json(case: str, bad_run: Run) -> None:
    _, words = JSON_CASES[case]
    assert words in _error_line(bad_run, f"json-{_slug(case)}.json#0")


def test_bad_files_lose_nothing(bad_run: Run) -> None:
    """Every good document in the run was evaluated, and nothing else was."""
    want = {f"doc-{_slug(c)}.yaml#0": "allow" for c in BAD_DOCUMENTS} | {"other.yaml#0": "allow"}
    assert sources(bad_run) == want
    errors = [line for line in bad_run.stderr.splitlines() if line.startswith("kfpolicy: error: ")]
    assert len(errors) == len(BAD_DOCUMENTS) + len(BAD_FILES) + len(JSON_CASES), errors


def test_bad_stdin_is_named(tmp_path: Path) -> None:
    run = kfpolicy("-", cwd=tmp_path, stdin=GOOD.encode() + b"---\nkind: [\n")
    input_error(run, "<stdin>#1")
    assert sources(run) == {"<stdin>#0": "allow"}


# --- unreadable paths ----------------------------------------------------------------------------


def _unreadable(kind: str, path: Path) -> None:
    if kind == "dangling symlink":
        path.symlink_to(path.parent / "missing" / "job.yaml")
    elif kind == "fifo":
        os.mkfifo(path)  # no writer: reading it would block forever
    elif kind == "symlink loop":
        path.symlink_to(path)
    elif kind == "no permission":
        path.write_text(GOOD, encoding="utf-8")
        path.chmod(0)


UNREADABLE = ["dangling symlink", "fifo", "symlink loop", "no permission"]


def test_unreadable_paths(tmp_path: Path) -> None:
    kinds = [k for k in UNREADABLE if not (k == "no permission" and os.geteuid() == 0)]
    # As root, mode 000 does not stop reading: that kind only runs as a normal user; the others
    # fail to read as root too.
    for kind in kinds:
        _unreadable(kind, tmp_path / f"{_slug(kind)}.yaml")
    (tmp_path / "other.yaml").write_text(GOOD, encoding="utf-8")
    names = [f"{_slug(k)}.yaml" for k in kinds]
    for args in ([*names, "other.yaml"], ["."]):  # named on the command line, and found in a folder
        run = kfpolicy(*args, cwd=tmp_path)
        for name in names:
            assert "cannot read" in _error_line(run, name if args != ["."] else f"{name}")
        assert sources(run) == {"other.yaml#0": "allow"}


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    run = kfpolicy("nope.yaml", cwd=tmp_path)
    assert run.code == 2 and "nope.yaml: no such file or folder" in run.stderr


# --- well-formed manifests with wrong types or values: violations, not errors --------------------

WRONG_VALUES = {
    "replicas as a string": (
        'replicas: "3"\ntemplate: {spec: {containers: [{name: pytorch, image: x}]}}',
        "spec.pytorchReplicaSpecs[Worker].replicas",
    ),
    "containers as a map": (
        "replicas: 1\ntemplate: {spec: {containers: {pytorch: {image: x}}}}",
        "spec.pytorchReplicaSpecs[Worker].template.spec.containers",
    ),
    "resources as a string": (
        'replicas: 1\ntemplate: {spec: {containers: [{name: pytorch, image: x, resources: "1"}]}}',
        "spec.pytorchReplicaSpecs[Worker].template.spec.containers[0].resources",
    ),
    "invalid quantity": (
        "replicas: 1\ntemplate: {spec: {containers: [{name: pytorch, image: x, "
        "resources: {requests: {memory: 1Gii}}}]}}",
        "spec.pytorchReplicaSpecs[Worker].template.spec.containers[0].resources.requests",
    ),
    "template as a list": ("replicas: 1\ntemplate: [1, 2]", "spec.pytorchReplicaSpecs[Worker]"),
    "huge replicas": (
        "replicas: 1000000000000000000000000000000\n"
        "template: {spec: {containers: [{name: pytorch, image: x}]}}",
        "spec.pytorchReplicaSpecs[Worker].replicas",
    ),
    "float replicas": (
        "replicas: 1.5\ntemplate: {spec: {containers: [{name: pytorch, image: x}]}}",
        "spec.pytorchReplicaSpecs[Worker].replicas",
    ),
}


@pytest.fixture(scope="module", params=["embedded", "opa"])
def wrong_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Run:
    d = tmp_path_factory.mktemp("wrong")
    for case, (worker, _) in WRONG_VALUES.items():
        (d / f"{_slug(case)}.yaml").write_text(pytorch(worker), encoding="utf-8")
    return kfpolicy(".", "--engine", request.param, cwd=d)


@pytest.mark.parametrize("case", sorted(WRONG_VALUES))
def test_wrong_types_are_violations(case: str, wrong_run: Run) -> None:
    assert wrong_run.code == 1, (wrong_run.code, wrong_run.stderr)
    _, field = WRONG_VALUES[case]
    [result] = [r for r in wrong_run.json["results"] if r["source"].endswith(f"{_slug(case)}.yaml#0")]
    assert result["decision"] == "deny"
    fields = [v["field"] for v in result["violations"]]
    assert any(f.startswith(field) for f in fields), fields


def test_unknown_kinds_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "w.yaml").write_text(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n---\n"
        "apiVersion: kubeflow.org/v2\nkind: PyTorchJob\nmetadata: {name: future}\n---\n"
        "kind: PyTorchJob\nmetadata: {name: no-api-version}\n---\n"
        "apiVersion: [kubeflow.org/v1]\nkind: {PyTorchJob: 1}\n",
        encoding="utf-8",
    )
    run = kfpolicy("w.yaml", cwd=tmp_path)
    assert run.code == 0, run.stderr
    assert set(sources(run).values()) == {"skip"} and len(sources(run)) == 4


# --- bounded memory ------------------------------------------------------------------------------

MIB = 1024 * 1024


def test_50_mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("w", encoding="utf-8") as f:
        f.write(GOOD)
        line = "# " + "x" * 1022 + "\n"
        for _ in range(50 * 1024):
            f.write(line)
    assert big.stat().st_size >= 50 * MIB
    (tmp_path / "other.yaml").write_text(GOOD, encoding="utf-8")
    run = kfpolicy("big.yaml", "other.yaml", cwd=tmp_path)
    input_error(run, "big.yaml")
    assert "the limit is" in run.stderr
    assert sources(run) == {"other.yaml#0": "allow"}
    print(f"peak RSS, 50 MB file: {run.maxrss_kib / 1024:.0f} MiB")
    assert 0 < run.maxrss_kib * 1024 < 400 * MIB, "the oversized file should not be read into memory"


def test_50_mb_on_stdin_is_refused(tmp_path: Path) -> None:
    data = GOOD.encode() + (b"# " + b"x" * 1022 + b"\n") * (50 * 1024)
    run = kfpolicy("-", cwd=tmp_path, stdin=data)
    input_error(run, "<stdin>")
    assert "larger than the limit" in run.stderr
    print(f"peak RSS, 50 MB on stdin: {run.maxrss_kib / 1024:.0f} MiB")
    assert 0 < run.maxrss_kib * 1024 < 600 * MIB


def test_alias_bomb_memory_is_bounded(tmp_path: Path) -> None:
    # Nine levels of ten aliases each: 10^9 strings if expanded.
    levels = "abcdefghij"
    text = "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n" for p, c in itertools.pairwise(levels))
    (tmp_path / "bomb.yaml").write_text(GOOD + "---\n" + text, encoding="utf-8")
    run = kfpolicy("bomb.yaml", cwd=tmp_path)
    input_error(run, "bomb.yaml#1")
    assert "alias" in run.stderr
    assert sources(run) == {"bomb.yaml#0": "allow"}
    print(f"peak RSS, alias bomb: {run.maxrss_kib / 1024:.0f} MiB")
    assert 0 < run.maxrss_kib * 1024 < 400 * MIB


def test_many_aliases_in_a_small_document_are_refused(tmp_path: Path) -> None:
    """Many aliases that expand to little (a wide, flat bomb) are limited by count too."""
    text = "a: &a x\nb: [" + ", ".join(["*a"] * 5000) + "]\n"
    (tmp_path / "wide.yaml").write_text(text, encoding="utf-8")
    run = kfpolicy("wide.yaml", cwd=tmp_path)
    input_error(run, "wide.yaml#0")
    assert "aliases" in run.stderr


def test_both_yaml_paths_load_the_same_documents_and_refuse_the_same_keys() -> None:
    """Text without `&`/`*` goes to libyaml's composer; text with them to the alias-counting one."""
    from kfpolicy import yamlio

    plain = "a: 1\nb: [x, {c: 2020-01-01}]\nd: '5'\n---\ne: null\n"
    assert yamlio._loader_for(plain) is not yamlio._loader_for(plain + "f: '*'\n")
    via_fast = list(yamlio.load_all(plain))
    via_counting = list(yamlio.load_all(plain + "# & \n"))
    assert via_fast == via_counting == [{"a": 1, "b": ["x", {"c": "2020-01-01"}], "d": "5"}, {"e": None}]
    for text in ("a: 1\na: 2\n", "a: 1\na: 2\n# *\n"):
        with pytest.raises(yaml.YAMLError, match="duplicate key"):
            list(yamlio.load_all(text))
