"""Malformed files and documents at the CLI (YAML, JSON, binary, not UTF-8, on stdin): each exits 2
with a message naming the file and, for a document inside it, its index (`bad.yaml#1`); the other
documents and files are still evaluated, never a traceback or an engine error."""

from __future__ import annotations

from pathlib import Path

import pytest

from bad_input_cli import GOOD, Run, input_error, kfpolicy, pytorch, sources
from bad_input_cli import error_line as _error_line
from bad_input_cli import slug as _slug

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
