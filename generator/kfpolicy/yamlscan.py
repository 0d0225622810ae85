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
    """An open block collection: the column of its entries, its tree's children, and the entry whose
    value is still to come on later lines (`bare`: a `-` alone, whose line is where that value starts)."""

    __slots__ = ("bare", "children", "col", "is_seq", "pending")

    def __init__(self, col: int, is_seq: bool, tree: LineTree) -> None:
        self.col = col
        self.is_seq = is_seq
        self.children: dict[str | int, LineTree] = {}
        tree.children = self.children
        self.pending: LineTree | None = None
        self.bare = False


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


# What a line is, before its entries: blank, a comment, a document start marker (alone or with a
# comment), entries, or something else (the scan gives up when it meets one outside a block scalar).
_BLANK, _COMMENT, _MARKER, _ENTRIES, _OTHER = range(5)
# A line's indentation, what it is, and its entries and what follows them (for _ENTRIES).
_Line = tuple[int, int, tuple[tuple[int, str | None], ...], int]


def _line_info(raw: str) -> _Line:
    content = raw.lstrip(" ")
    indent = len(raw) - len(content)
    if not content:
        return indent, _BLANK, (), 0
    if content[0] == "#":
        return indent, _COMMENT, (), 0
    if raw.startswith("---") and (len(raw) == 3 or raw[3] == " "):
        rest = raw[3:].strip(" ")
        return indent, (_OTHER if rest and rest[0] != "#" else _MARKER), (), 0
    tokens = _TOKENS[raw]
    if tokens is _UNSURE:
        return indent, _OTHER, (), 0
    return indent, _ENTRIES, tokens[0], tokens[1]


_LINES: BoundedMemo[str, _Line] = BoundedMemo(_line_info)  # remembered: lines repeat across manifests


def _scan(text: str, first_line: int) -> tuple[LineTree | None, dict[int, LineTree]]:
    """Each line's entries put in the open collection they belong to (the innermost one whose
    column they are at, opening the pending entry's value when deeper), in one loop."""
    lines = _LINES
    stack: list[_Frame] = []
    root: LineTree | None = None
    flows: dict[int, LineTree] = {}  # one-line flow collections, filled in from the value
    block_deeper_than = -1  # inside a block scalar: the column deeper than which its lines are
    line = first_line
    for raw in text.split("\n"):
        line += 1
        indent, what, entries, kind = lines[raw]
        if block_deeper_than >= 0:
            if what == _BLANK or indent > block_deeper_than:
                continue
            block_deeper_than = -1
        if what != _ENTRIES:
            if what <= _COMMENT or (what == _MARKER and root is None):  # blank or a comment
                continue
            raise _Unsure  # a second document start, or a line of another shape
        frame: _Frame | None = None
        entry: LineTree | None = None
        for col, name in entries:
            is_seq = name is None
            if frame is not None:
                frame.pending = entry
            while stack:  # close the collections this entry is not in
                top = stack[-1]
                if top.col > col or (top.col == col and top.is_seq and not is_seq):
                    stack.pop()
                    if top.bare:
                        raise _Unsure  # a `-` alone with no value after it
                else:
                    break
            if not stack:
                if root is not None:
                    raise _Unsure  # a second top-level value
                root = LineTree(line)
                frame = _Frame(col, is_seq, root)
                stack.append(frame)
            else:
                top = stack[-1]
                if top.col == col and top.is_seq == is_seq:  # the next entry of the same collection
                    if top.bare:
                        raise _Unsure
                    top.pending = None
                    frame = top
                else:  # `key:` then `- item` at its column, or deeper: the pending entry's value
                    tree = top.pending
                    if tree is None or not (top.col < col or (top.col == col and is_seq)):
                        raise _Unsure
                    if top.bare:
                        tree.line = line
                    top.pending, top.bare = None, False
                    frame = _Frame(col, is_seq, tree)
                    stack.append(frame)
            children = frame.children
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
            flows[id(entry)] = entry
        elif kind == _BLOCK:
            block_deeper_than = frame.col
    if any(frame.bare for frame in stack):
        raise _Unsure
    return root, flows


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
    pop, push = stack.pop, stack.extend
    while stack:
        node, item = pop()
        if flows and id(node) in flows:
            if not _fill(node, item):
                return False
            continue
        children = node.children
        if isinstance(item, dict):
            if children is None or children.keys() != item.keys():
                return False
            push([(children[key], child) for key, child in item.items()])
        elif isinstance(item, list):
            if children is None or len(children) != len(item):
                return False
            push(zip(children.values(), item, strict=True))  # its children are keyed 0, 1, ... in order
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
