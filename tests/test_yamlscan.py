"""yamlscan's line trees are the ones composing gives (yamllines.line_tree), wherever it gives one:
over hypothesis documents, the repository's YAML and the benchmark corpus."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kfpolicy import yamlfast
from kfpolicy.yamllines import LineTree, line_tree
from kfpolicy.yamlscan import block_line_tree
from test_yamlfast import _block, _documents

ROOT = Path(__file__).resolve().parents[1]


def _plain(tree: LineTree | None) -> Any:
    if tree is None:
        return None
    children = None if tree.children is None else {k: _plain(v) for k, v in tree.children.items()}
    return (tree.line, children)


def _scanned(text: str) -> Any:
    """The scan's tree, or None where the scan gives up or the fast path does not read the text."""
    try:
        value = yamlfast.fast_load(text)
    except yamlfast._Differs:
        return None
    return _plain(block_line_tree(text, 3, value))


def assert_same_lines(text: str) -> bool:
    scanned = _scanned(text)
    if scanned is None:
        return False
    composed = line_tree(yaml.compose(text, Loader=yaml.SafeLoader), 3)
    assert scanned == _plain(composed), text
    return True


_extra_lines = st.sampled_from([
    "# a comment", "", "   ", "k: |", "  text", "  # not a comment", "k: >", "k: 'q'", 'k: "q"', "k: 'a''b'",
    "k: [a, [b]]", "k: {}", "k: []", "- x", "-", "  - y", "- k: v", "  k2: v", "- - z", "k:", "---",
    "k: v # c", "k: 'open", "  cont", "k: [a,", "  b]", "kk:", "- |", "  block",
])


@settings(max_examples=800, deadline=None)
@given(st.lists(_extra_lines, max_size=8).map("\n".join) | _block())
def test_generated_documents_scan_to_the_composed_lines(text: str) -> None:
    assert_same_lines(text)


def test_the_repository_yaml_scans_to_the_composed_lines() -> None:
    docs = [d for sub in ("examples", "tests", "benchmarks") for d in _documents(ROOT / sub)]
    scanned = sum(assert_same_lines(text) for _name, text in docs)
    assert scanned > len(docs) // 3, "most block-style documents are scanned"


def test_the_benchmark_corpus_scans_to_the_composed_lines(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import jobs
    from kfpolicy.catalogue import load_catalogue

    kinds = {k: v.to_rego() for k, v in load_catalogue().kinds.items()}
    paths = jobs.write_corpus(kinds, 60, tmp_path)
    assert all(assert_same_lines(path.read_text(encoding="utf-8")) for path in paths)


def test_what_the_scan_cannot_read_is_left_to_composing() -> None:
    for text in ("a: 'x\n  y'\n", "a: [1,\n  2]\n", "a: b\n  c\n", "a:\n  b\n", "? a\n: b\n", "- \n- b\n",
                 '"a": 1\n', "a b: 1\n"):
        assert _scanned(text) is None, text
