"""Where YAML values sit: a tree of 1-based line numbers per document, and YAML errors as one line.
Every output format names the file and line of a finding from these."""

from __future__ import annotations

import re
from collections.abc import Sequence

import yaml


def describe_error(exc: yaml.YAMLError) -> tuple[str, int | None]:
    """A YAML error as one line (PyYAML's own text spans several and names "<unicode string>"),
    and the 1-based line it points at."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        words = ", ".join(str(w) for w in (exc.context, exc.problem) if w)
        return words, None if mark is None else mark.line + 1
    text = " ".join(str(exc).split())
    where = _MARK_TEXT.search(text)
    if where is None:
        return text, None
    return text[: where.start()].removesuffix(" at"), int(where.group(1))


_MARK_TEXT = re.compile(r' in "<unicode string>", line (\d+), column \d+.*')


class LineTree:
    """Where a YAML value sits: its 1-based line, and the same for its children (by key or index;
    None for scalars). A mapping entry's line is its key's line (where `replicas:` is written), so
    a violation at a field points at the line a reader looks for. A plain slotted class: one is
    made per value read, so it is kept small and cheap to build."""

    __slots__ = ("children", "line")

    def __init__(self, line: int, children: dict[str | int, LineTree] | None = None) -> None:
        self.line = line
        self.children = children

    def child(self, step: str | int) -> LineTree | None:
        return None if self.children is None else self.children.get(step)

    def locate(self, path: Sequence[str | int]) -> int:
        """The line of the deepest part of `path` that exists (this value's own line at worst)."""
        tree = self
        for step in path:
            child = tree.child(step)
            if child is None:
                break
            tree = child
        return tree.line


def line_tree(root: yaml.Node, first_line: int = 0) -> LineTree:
    """Built without recursion; a node reached twice (an alias) is walked once. `first_line` is
    where the document's text starts in its file (a split stream's chunk)."""
    base = first_line + 1
    top = LineTree(root.start_mark.line + base)
    stack: list[tuple[yaml.Node, LineTree]] = [(root, top)]
    seen: set[int] = set()
    while stack:
        node, tree = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            tree.children = children = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    children[key.value] = child = LineTree(key.start_mark.line + base)
                    stack.append((value, child))
        elif isinstance(node, yaml.SequenceNode):
            tree.children = children = {}
            for i, item in enumerate(node.value):
                children[i] = child = LineTree(item.start_mark.line + base)
                stack.append((item, child))
    return top
