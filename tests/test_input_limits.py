"""The YAML reader's limits and its document splitting, directly (the CLI-level cases are in
test_bad_input_*.py and test_attacks.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from kfpolicy import yamlio
from kfpolicy.inputs import MAX_DOCUMENTS_PER_FILE, Document, DocumentError, read_paths, read_text


def _load_each(text: str) -> list[object]:
    out: list[object] = []
    for chunk in yamlio.split_documents(text):
        try:
            out.append(yamlio.load_chunk(chunk))
        except yaml.YAMLError as exc:
            out.append(f"error: {exc}")
    return out


def test_split_agrees_with_pyyaml_on_good_streams() -> None:
    for text in ("a: 1\n---\nb: 2\n", "---\na: 1\n---\nb: 2\n---\n", "# c\n---\na: 1", "a: |\n  x\n  ---\n",
                 "%YAML 1.1\n---\na: 1\n", "a: 1\n--- \nb: 2\n"):
        assert _load_each(text) == list(yaml.safe_load_all(text)), text


def test_a_bad_document_does_not_hide_the_next_and_its_line_counts_from_the_file() -> None:
    docs = _load_each("a: 1\n---\nb: [\n---\nc: 3\na: 1\na: 2\n")
    assert docs[0] == {"a": 1}
    assert isinstance(docs[1], str) and "line 4" in docs[1]
    assert isinstance(docs[2], str) and "duplicate key" in docs[2] and "line 7" in docs[2]


@pytest.mark.parametrize("text", [
    "x: " + "[" * 30_000 + "]" * 30_000,
    "x:\n" + "- " * 30_000 + "1",
    "x: &a " + "[" * 30_000 + "]" * 30_000,
    "x: " + "[" * 101 + "]" * 101,
])
def test_depth_is_refused_before_the_composer_recurses(text: str) -> None:
    with pytest.raises(yamlio.YamlLimitError, match="nested more than 100"):
        yamlio.load_one(text)


@pytest.mark.parametrize("text", [
    "a: [" + "1," * yamlio.MAX_NODES + "1]",
    "a:\n" + "- 1\n" * yamlio.MAX_NODES,
    "a: &x [" + "1," * yamlio.MAX_NODES + "1]",
])
def test_a_document_with_too_many_values_is_refused_while_composing(text: str) -> None:
    with pytest.raises(yamlio.YamlLimitError, match="more than 200,000 values in one document"):
        yamlio.load_one(text)


def test_a_large_document_below_the_value_limit_loads() -> None:
    assert len(yamlio.load_one("a: [" + "1," * 99_998 + "1]")["a"]) == 99_999


def test_depth_at_the_limit_loads_on_both_paths() -> None:
    text = "x: " + "[" * 99 + "]" * 99
    assert yamlio.load_one(text) == yamlio.load_one(text + "\n# &")


@pytest.mark.parametrize(("text", "words"), [
    ("a: " + "1" * 5000, "integer longer than"),
    ("a: 0x" + "f" * 4000, "integer longer than"),
    ("a: 1" + "0" * 310, "beyond float64"),
    ("a: !!set {x, y}", "!!set"),
    ("a: !!omap [b: 1]", "!!omap"),
    ("a: !!pairs [b: 1]", "!!pairs"),
    ("a: !!binary aGVsbG8=", "!!binary"),
    ("a: !!python/object x", "could not determine a constructor"),
])
def test_values_outside_the_kubernetes_subset_are_refused(text: str, words: str) -> None:
    with pytest.raises(yaml.YAMLError, match=words):
        yamlio.load_one(text)


def test_kubernetes_values_still_load() -> None:
    assert yamlio.load_one("a: 2020-01-01\nb: 0x1f\nc: " + "9" * 300 + "\nd: !!str 5\n<<: {e: 1}") == {
        "a": "2020-01-01", "b": 31, "c": int("9" * 300), "d": "5", "e": 1,
    }


def test_document_count_is_limited_per_file() -> None:
    items = list(read_text("---\n" * (MAX_DOCUMENTS_PER_FILE + 5) + "a: 1\n", "many.yaml"))
    assert [str(i) for i in items if isinstance(i, DocumentError)] == [
        f"many.yaml: more than {MAX_DOCUMENTS_PER_FILE:,} documents: the rest is not read"
    ]
    assert not [i for i in items if isinstance(i, Document)]


@pytest.mark.parametrize(("text", "words"), [
    ('{"kind": "PyTorchJob", "x": 1' + "0" * 309 + "}", "too large"),
    ('{"kind": "PyTorchJob", "x": "\\ud800"}', "surrogate"),
    ('{"kind": "PyTorchJob", "\\udfff": 1}', "surrogate"),
])
def test_json_values_no_engine_can_take_are_the_documents_error(text: str, words: str) -> None:
    (item,) = read_text(text, "x.json", is_json=True)
    assert isinstance(item, DocumentError) and words in item.message


GOOD = "apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata: {name: good}\n"


def test_folder_walk_visits_each_real_file_once_without_following_loops(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "job.yaml").write_text(GOOD, encoding="utf-8")
    (tree / "a").symlink_to(".")
    (tree / "b").symlink_to(".")
    (tree / "sub" / "up").symlink_to("..")
    (tree / "again.yaml").symlink_to("sub/job.yaml")
    (tree / "self.yaml").symlink_to("self.yaml")
    items = list(read_paths([str(tree)]))
    docs = [i for i in items if isinstance(i, Document)]
    assert [d.source for d in docs] == [f"{tree}/again.yaml#0"]
    errors = [str(i) for i in items if isinstance(i, DocumentError)]
    assert len(errors) == 1 and errors[0].startswith(f"{tree}/self.yaml: cannot read"), errors


def test_an_unreadable_subfolder_is_an_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder is made unreadable by a stand-in for listing it (root, which runs the suite here,
    reads any folder whatever its mode)."""
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "job.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "z.yaml").write_text(GOOD, encoding="utf-8")
    listing = Path.iterdir

    def iterdir(self: Path) -> Iterator[Path]:
        if self.name == "locked":
            raise PermissionError(13, "Permission denied", str(self))
        return listing(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    items = list(read_paths([str(tmp_path)]))
    errors = [str(i) for i in items if isinstance(i, DocumentError)]
    assert errors == [f"{tmp_path}/locked: cannot read folder: Permission denied"]
    assert [i.source for i in items if isinstance(i, Document)] == [f"{tmp_path}/z.yaml#0"]
