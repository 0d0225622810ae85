"""Strict, bounded YAML reading shared by the catalogue loader and the CLI's input reader: a stream
is split into its documents (a broken one never hides the next), each loaded with the strict loaders
of `yamlloaders` and, where asked, with the line of every value (`yamllines`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from kfpolicy.yamllines import LineTree, describe_error, line_tree
from kfpolicy.yamlloaders import (
    FAST_PATH_DEPTH,
    MAX_DEPTH,
    MAX_EXPANDED_NODES,
    MAX_NODES,
    MAX_NUMBER,
    AliasFree,
    Loader,
    YamlLimitError,
)

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPANDED_NODES",
    "MAX_NUMBER",
    "Chunk",
    "LineTree",
    "YamlLimitError",
    "describe_error",
    "line_trees",
    "load_all",
    "load_all_with_lines",
    "load_chunk",
    "load_chunk_with_lines",
    "load_one",
    "split_documents",
]


def depth_bound(text: str, lines: list[str] | None = None) -> int:
    """An upper bound on the nesting depth of any YAML text, cheap to compute: each flow level
    needs a bracket, each block level at least one more column (two levels per column, counting
    indentless sequences under mapping keys). `lines`: text.split("\\n"), when the caller has it."""
    longest = max(map(len, text.split("\n") if lines is None else lines))
    return text.count("[") + text.count("{") + 2 * longest + 2


def node_bound(text: str) -> int:
    """An upper bound on the number of nodes in YAML text, cheap to compute: every node but the
    first follows a line break or one of the indicators that separate or introduce values."""
    count = text.count
    return 2 * (count("\n") + count(",") + count(":") + count("-") + count("?") + count("[") + count("{") + 1)


def _loader_for(text: str) -> type:
    """libyaml's composer recurses in C once per level and builds every node without a limit, so
    it only gets text that can be neither deep nor large; and text without `&` and `*`, which
    cannot hold an alias."""
    # node_bound first: it is the cheaper, and it bounds the lines depth_bound has to look at.
    if "&" in text or "*" in text or node_bound(text) > MAX_NODES or depth_bound(text) > FAST_PATH_DEPTH:
        return Loader
    return AliasFree


def expanded_size(value: Any, limit: int = MAX_EXPANDED_NODES) -> int:
    """Count the nodes a document has once its aliases are expanded (as JSON would write it).

    Aliased values are shared Python objects, so their sizes are memoised by identity; the count
    stops as soon as it passes the limit. The depth is already bounded by the loader.
    """
    memo: dict[int, int] = {}

    def size(v: Any) -> int:
        if isinstance(v, dict):
            children: Any = list(v.values())
        elif isinstance(v, list):
            children = v
        else:
            return 1
        key = id(v)
        if key in memo:
            return memo[key]
        memo[key] = limit + 1  # a cycle counts as too large
        total = 1
        for child in children:
            total += size(child)
            if total > limit:
                break
        memo[key] = total
        return total

    return size(value)


def _depth(value: Any) -> int:
    """Nesting depth, without recursion (for values without shared parts)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        v, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(v, dict):
            stack.extend((child, depth + 1) for child in v.values())
        elif isinstance(v, list):
            stack.extend((child, depth + 1) for child in v)
    return deepest


def _check(doc: Any, loader: type) -> Any:
    if loader is AliasFree and _depth(doc) > MAX_DEPTH:
        raise YamlLimitError(f"nested more than {MAX_DEPTH} levels deep")
    if loader is not AliasFree and expanded_size(doc) > MAX_EXPANDED_NODES:
        raise YamlLimitError(
            f"document expands to more than {MAX_EXPANDED_NODES:,} values through aliases (alias bomb?)"
        )
    return doc


def _load(text: str) -> Any:
    loader = _loader_for(text)
    return _check(yaml.load(text, Loader=loader), loader)  # a SafeConstructor loader


def _load_with_lines(text: str, first_line: int) -> tuple[Any, LineTree | None]:
    """One document and where its values sit, from the same composed nodes (one pass)."""
    loader_type = _loader_for(text)
    loader = loader_type(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        doc = _check(loader.construct_document(node), loader_type)
    finally:
        loader.dispose()
    return doc, line_tree(node, first_line)


@dataclass(frozen=True)
class Chunk:
    """The text of one document of a stream, and the line (0-based) it starts on."""

    text: str
    first_line: int


# A document start marker: `---` at the start of a line, followed by a space or the line's end. YAML
# forbids it inside any scalar at column 0, so splitting on it agrees with the parser.
_DOCUMENT_START = re.compile(r"^---(?=[ \t\r\n]|$)", re.MULTILINE)
_DIRECTIVES_ONLY = re.compile(r"(?:[ \t]*(?:[%#][^\n]*)?(?:\r?\n|$))*")


def split_documents(text: str) -> Iterator[Chunk]:
    """Split a stream into its documents' texts the way kubectl-style readers do, so a broken
    document never hides the ones after it. Directives stay with the document they precede; a
    blank or comment-only start before the first marker is no document."""
    if "---" not in text:  # no marker at all (most files): one document, without the line-by-line search
        yield Chunk(text, 0)
        return
    start = line = 0
    for match in _DOCUMENT_START.finditer(text):
        head = text[start : match.start()]
        if _DIRECTIVES_ONLY.fullmatch(head):
            if start == 0 and "%" not in head:
                line += head.count("\n")
                start = match.start()
            continue
        yield Chunk(head, line)
        line += head.count("\n")
        start = match.start()
    yield Chunk(text[start:], line)


def _shift_marks(exc: yaml.YAMLError, lines: int) -> None:
    """Make a chunk's error marks count lines from the start of the whole file."""
    for name in ("context_mark", "problem_mark"):
        mark = getattr(exc, name, None)
        if mark is not None:  # libyaml's marks are read-only: replace them
            setattr(exc, name, yaml.Mark(mark.name, mark.index, mark.line + lines, mark.column, None, 0))


def load_chunk(chunk: Chunk) -> Any:
    """One document of a split stream (None if empty); errors name lines of the whole file."""
    try:
        return _load(chunk.text)
    except yaml.YAMLError as exc:
        _shift_marks(exc, chunk.first_line)
        raise


def load_chunk_with_lines(chunk: Chunk) -> tuple[Any, LineTree | None]:
    """As load_chunk, with the document's LineTree (lines of the whole file)."""
    try:
        return _load_with_lines(chunk.text, chunk.first_line)
    except yaml.YAMLError as exc:
        _shift_marks(exc, chunk.first_line)
        raise


def load_all_with_lines(text: str) -> Iterator[tuple[Any, LineTree | None]]:
    """Each document of a stream with its LineTree; raises yaml.YAMLError on the first bad one."""
    for chunk in split_documents(text):
        yield load_chunk_with_lines(chunk)


def load_all(text: str) -> Iterator[Any]:
    """Yield each document of a YAML stream; raises yaml.YAMLError on the first bad one."""
    for chunk in split_documents(text):
        yield load_chunk(chunk)


def load_one(text: str) -> Any:
    """A single-document YAML text (a catalogue file, a parameters file)."""
    return _load(text)


def line_trees(text: str) -> list[LineTree | None]:
    """One LineTree per document of a stream that the strict loader has already read (so composing
    it again is safe); an empty list when the text does not compose (JSON that YAML cannot read)."""
    if node_bound(text) > MAX_NODES or depth_bound(text) > FAST_PATH_DEPTH:
        return []  # libyaml's composer recurses in C: only shallow, small text goes to it
    try:
        nodes = list(yaml.compose_all(text, Loader=_ComposeLoader))
    except (yaml.YAMLError, RecursionError):
        return []
    return [None if node is None else line_tree(node) for node in nodes]


_ComposeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
