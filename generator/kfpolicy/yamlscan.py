"""Line numbers of plain block-style YAML from its lines alone, without composing it.

Most manifests are written in block style: one `key: value` or `- item` per line, nesting by
indentation. For such text the line of every value follows from each line's indentation and its
leading `- ` and `key:` tokens, about twenty times faster than composing the text with PyYAML (which
line_tree then walks). The scan knows only that simple shape; anything else in the text (a scalar or
flow collection that spans lines, a quoted or unusual key, a value on the line after its key, ...)
makes it give up, and the caller composes as before.

It is only given text yaml-rs has read (yamlfast: no tabs, anchors, tags or escapes) together with
the value read, and its tree is kept only when it has exactly that value's shape: the same keys in
the same order, the same sequence lengths, scalars where the value has scalars. The tree is the one
yamllines.line_tree builds from the composed nodes (a mapping entry at its key's line, a sequence
item where the item starts, a one-line flow collection's members on its line).
"""

from __future__ import annotations

import re
from typing import Any

from kfpolicy.memo import BoundedMemo
from kfpolicy.yamllines import LineTree

# A plain key this scan accepts: no spaces, quotes, colons or YAML indicators in it.
_KEY = re.compile(r"[A-Za-z0-9_./][A-Za-z0-9_./-]*:(?= |$)")
_SINGLE_QUOTED = re.compile(r"'(?:[^']|'')*' *(?:#.*)?")
_DOUBLE_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*" *(?:#.*)?')
_BLOCK_SCALAR = re.compile(r"[|>] *(?:#.*)?")


class _Unsure(Exception):
    """The text is not of the simple shape this scan reads."""


class _Frame:
    """An open block collection: the column of its entries, its tree, and the entry whose value is
    still to come on later lines (`bare`: a `-` alone, whose line is where that value starts)."""

    __slots__ = ("bare", "col", "is_seq", "pending", "tree")

    def __init__(self, col: int, is_seq: bool, tree: LineTree) -> None:
        self.col = col
        self.is_seq = is_seq
        self.tree = tree
        self.pending: LineTree | None = None
        self.bare = False


class _Scan:
    def __init__(self) -> None:
        self.stack: list[_Frame] = []
        self.root: LineTree | None = None
        self.flows: dict[int, LineTree] = {}  # one-line flow collections, filled in from the value

    def frame_for(self, col: int, is_seq: bool, line: int) -> _Frame:
        """The collection an entry at `col` belongs to, opening it as the pending value if new."""
        stack = self.stack
        while stack and (stack[-1].col > col or (stack[-1].col == col and stack[-1].is_seq and not is_seq)):
            if stack.pop().bare:
                raise _Unsure  # a `-` alone with no value after it
        if stack:
            top = stack[-1]
            if top.col == col and top.is_seq == is_seq:
                if top.bare:
                    raise _Unsure
                top.pending = None
                return top
            nested = top.col < col or (top.col == col and is_seq)  # `key:` then `- item` at its column
            tree = top.pending
            if tree is None or not nested:
                raise _Unsure
            if top.bare:
                tree.line = line
            top.pending, top.bare = None, False
        elif self.root is None:
            tree = self.root = LineTree(line)
        else:
            raise _Unsure  # a second top-level value
        tree.children = {}
        frame = _Frame(col, is_seq, tree)
        stack.append(frame)
        return frame

    def line(self, text: str, line: int) -> int | None:
        """Read one line that holds an entry; the column deeper than which a block scalar's lines
        follow, if one starts here."""
        tokens = _TOKENS[text]
        if tokens is _UNSURE:
            raise _Unsure
        entries, kind = tokens
        frame: _Frame | None = None
        entry: LineTree | None = None
        for col, name in entries:
            if frame is not None:
                frame.pending = entry
            frame = self.frame_for(col, name is None, line)
            children = frame.tree.children
            assert children is not None
            if name is None:
                entry = children[len(children)] = LineTree(line)
            elif name in children:
                raise _Unsure
            else:
                entry = children[name] = LineTree(line)
        assert frame is not None and entry is not None
        if kind == _PENDING:
            frame.pending = entry
        elif kind == _BARE:
            frame.pending, frame.bare = entry, True
        elif kind == _FLOW:
            self.flows[id(entry)] = entry
        elif kind == _BLOCK:
            return frame.col
        return None


# What a line holds: its entries (column, and key or None for `- `) and what follows the last one.
_PENDING, _BARE, _SCALAR, _FLOW, _BLOCK = range(5)
_Tokens = tuple[tuple[tuple[int, str | None], ...], int]
_UNSURE: _Tokens = ((), -1)


def _tokens(text: str) -> _Tokens:
    try:
        return _read_tokens(text)
    except _Unsure:
        return _UNSURE


_TOKENS: BoundedMemo[str, _Tokens] = BoundedMemo(_tokens)  # remembered: lines repeat across manifests


def _read_tokens(text: str) -> _Tokens:
    content = text.lstrip(" ")
    col = len(text) - len(content)
    entries: list[tuple[int, str | None]] = []
    while content[:1] == "-" and (len(content) == 1 or content[1] == " "):
        entries.append((col, None))
        rest = content[1:].lstrip(" ")
        col += len(content) - len(rest)
        content = rest
        if not content or content[0] == "#":
            return tuple(entries), _BARE
        if content[0] == "-" and (len(content) == 1 or content[1] == " "):
            continue
        if _KEY.match(content) is None:
            return tuple(entries), _value_kind(content)
    key = _KEY.match(content)
    if key is None:
        raise _Unsure  # a scalar alone on its line, a quoted or unusual key, a flow mapping...
    entries.append((col, key.group()[:-1]))
    return tuple(entries), _value_kind(content[key.end() :].lstrip(" "))


def _value_kind(rest: str) -> int:
    """What follows an entry's `key:` or `- ` on its line."""
    if not rest or rest[0] == "#":
        return _PENDING
    first = rest[0]
    if first in "[{":
        _check_flow(rest)
        return _FLOW
    if first == "'":
        if _SINGLE_QUOTED.fullmatch(rest) is None:
            raise _Unsure
    elif first == '"':
        if _DOUBLE_QUOTED.fullmatch(rest) is None:
            raise _Unsure
    elif first in "|>":
        if _BLOCK_SCALAR.fullmatch(rest) is None:
            raise _Unsure
        return _BLOCK
    return _SCALAR


def _check_flow(rest: str) -> None:
    """A flow collection that closes on its line (without quotes, which could hide brackets)."""
    if "'" in rest or '"' in rest:
        raise _Unsure
    depth = 0
    for position, char in enumerate(rest):
        if char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                tail = rest[position + 1 :].lstrip(" ")
                if tail and tail[0] != "#":
                    raise _Unsure
                return
    raise _Unsure


def _scan(text: str, first_line: int) -> tuple[LineTree | None, dict[int, LineTree]]:
    scan = _Scan()
    block_deeper_than: int | None = None
    for number, raw in enumerate(text.split("\n")):
        content = raw.lstrip(" ")
        if block_deeper_than is not None:
            if not content or len(raw) - len(content) > block_deeper_than:
                continue
            block_deeper_than = None
        if not content or content[0] == "#":
            continue
        if raw.startswith("---") and (len(raw) == 3 or raw[3] == " "):
            rest = raw[3:].strip(" ")
            if scan.root is not None or (rest and rest[0] != "#"):
                raise _Unsure
            continue
        block_deeper_than = scan.line(raw, first_line + number + 1)
    if any(frame.bare for frame in scan.stack):
        raise _Unsure
    return scan.root, scan.flows


def _fill(tree: LineTree, value: Any) -> bool:
    """Give a one-line flow collection's members its line; False unless `value` is a collection."""
    stack = [(tree, value)]
    while stack:
        node, item = stack.pop()
        if isinstance(item, dict):
            node.children = {}
            for key, child in item.items():
                node.children[key] = sub = LineTree(tree.line)
                stack.append((sub, child))
        elif isinstance(item, list):
            node.children = {}
            for index, child in enumerate(item):
                node.children[index] = sub = LineTree(tree.line)
                stack.append((sub, child))
        elif node is tree:
            return False
    return True


def _same_shape(tree: LineTree, value: Any, flows: dict[int, LineTree]) -> bool:
    stack = [(tree, value)]
    while stack:
        node, item = stack.pop()
        if id(node) in flows:
            if not _fill(node, item):
                return False
            continue
        children = node.children
        if isinstance(item, dict):
            if children is None or children.keys() != item.keys():
                return False
            stack.extend((children[key], child) for key, child in item.items())
        elif isinstance(item, list):
            if children is None or len(children) != len(item):
                return False
            stack.extend((children[index], child) for index, child in enumerate(item))
        elif children is not None:
            return False
    return True


def block_line_tree(text: str, first_line: int, value: Any) -> LineTree | None:
    """The LineTree of `value` read from `text` (a document starting on 0-based line `first_line`
    of its file), or None when the text is not of the simple block shape (compose it then)."""
    try:
        tree, flows = _scan(text, first_line)
    except _Unsure:
        return None
    if tree is None or not _same_shape(tree, value, flows):
        return None
    return tree
