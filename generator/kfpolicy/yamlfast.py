"""A faster reader for the documents it can read exactly as the strict reader (yamlio) does.

yaml-rs (Rust) parses about 15 times faster than PyYAML with libyaml, refuses duplicate keys and
bounds aliases, but reads YAML 1.2, where Kubernetes (and the strict reader) read YAML 1.1: `yes`,
`on`, `012`, `0o12`, `1e3`, `1:20` and `<<` mean different things. So yaml-rs gets a document only
when nothing in it can differ, and its answer is kept only when every value is one the strict reader
would give too; everything else goes to the strict reader, which also words every error (a document
yaml-rs refuses is read again by the strict reader, whose message the user sees):

- before: text with a token that starts with an anchor, alias, tag, directive or reserved indicator
  (`@`, backquote), or with `|` or `>` anywhere but at a line's end; document end markers, `<<`,
  a `:` inside a flow collection (YAML 1.1 and 1.2 split those differently), tabs, carriage returns,
  backslashes,
  YAML 1.1 line breaks or characters YAML 1.1 does not accept, a token that starts like a number but
  is not a plain decimal (leading zeros, 0o/0x/0b, exponents, underscores, base 60, long integers,
  .inf/.nan, dates...), or text that may be deep or large (the strict reader's own bounds);
- after: a mapping key that is not a string, a string that YAML 1.1 would have read as something
  else (the strict loader's own implicit resolvers decide), or a value nested too deep.

Line numbers are found only when asked for (LazyLineTree): most documents never need them.
"""

from __future__ import annotations

import enum
import functools
import math
import re
from typing import Any

import yaml
import yaml_rs

from kfpolicy.memo import BoundedMemo
from kfpolicy.yamlio import Chunk, LineTree, depth_bound, node_bound
from kfpolicy.yamlio import load_chunk_with_lines as strict_load_chunk_with_lines
from kfpolicy.yamllines import line_tree
from kfpolicy.yamlloaders import FAST_PATH_DEPTH, MAX_DEPTH, MAX_NODES, MAX_NUMBER, Loader
from kfpolicy.yamlscan import block_line_tree

# A plain scalar is a token: after a line start, a space or a flow indicator; before a line end, a
# space, a flow indicator or `:`. YAML 1.1 and 1.2 read numbers differently (012, 0o12, 1e3, -.5,
# 1:20, _0...), so every token that starts like a number must be one of the forms both read alike:
# a plain decimal integer or fraction, or digits followed by a letter other than b, e, o or x
# (500m, 2Gi).
_BEFORE, _AFTER = r"(?<![^\s\[{,])", r"(?![^\s,\]}:])"
_SAFE_NUMBERISH = (
    r"(?:[-+]?(?:0|[1-9][0-9]{0,17})(?:\.[0-9]+)?|[0-9][0-9.]*[ac-df-np-wyzAC-DF-NP-WYZ][a-zA-Z0-9.-]*)"
)
_RISKY_NUMBER = _BEFORE + r"(?!" + _SAFE_NUMBERISH + r":?(?:[\s,\]}]|$))[-+]?[._0-9]"
# Indicators that start a token: anchors, aliases, tags, directives, reserved ones, and `|` or `>`
# anywhere but at a line's end (a block scalar without indentation or chomping indicators).
_RISKY_START = _BEFORE + r"(?:[&*!%@`]|[?:](?=\S)|[|>](?![ ]*(?:#[^\n]*)?$))"
_RISKY_TEXT = re.compile(
    r"[\t\r\\\x85\u2028\u2029\ufeff]|<<|^\.\.\.|[\[{][^\]}]*:|" + _RISKY_START + "|" + _RISKY_NUMBER
    + r"|[^\x0A\x20-\x7E\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]",
    re.MULTILINE,
)
# Only the flow collection part of _RISKY_TEXT spans lines; every other part matches within one line
# (`^` and `$` are line bounds, a line break is whitespace to the lookarounds). So the text is risky
# exactly when that part matches the whole text or any line matches _RISKY_TEXT alone, and lines
# repeat across manifests (indentation and keys), so each line's answer is remembered.
_RISKY_FLOW = re.compile(r"[\[{][^\]}]*:")
_LINE_VERDICTS: BoundedMemo[str, bool] = BoundedMemo(lambda line: _RISKY_TEXT.search(line) is not None)


def _risky(text: str, lines: list[str] | None = None) -> bool:
    """_RISKY_TEXT.search(text) is not None, computed line by line (`lines`: text.split("\\n"),
    when the caller has it)."""
    if ("[" in text or "{" in text) and _RISKY_FLOW.search(text) is not None:
        return True
    return any(map(_LINE_VERDICTS.__getitem__, text.split("\n") if lines is None else lines))


_LOADER: Any = Loader
_STR_TAGS = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp")  # timestamps are read as strings
_RESOLVERS: dict[str, list[tuple[str, re.Pattern[str]]]] = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _STR_TAGS]
    for first, resolvers in _LOADER.yaml_implicit_resolvers.items()
    if first is not None
}


class _Differs(Exception):
    """yaml-rs's answer may differ from the strict reader's."""


@functools.lru_cache(maxsize=4096)
def _plain_is_str(value: str) -> bool:
    """Whether yaml-rs reads this text, written plain, as a string."""
    try:
        doc = yaml_rs.loads(f"- {value}\n", parse_datetime=False)
    except (yaml_rs.YAMLDecodeError, ValueError, TypeError, OverflowError):
        return True  # unknown: treated as a string that YAML 1.1 would read otherwise
    return not (isinstance(doc, list) and len(doc) == 1 and not isinstance(doc[0], str))


def _appears_plain(value: str, text: str) -> bool:
    return re.search(_BEFORE + re.escape(value) + _AFTER, text) is not None


# What a string's own text says about it (see _string_verdict); remembered, as keys and many values
# repeat across manifests. _IF_NOT_PLAIN: fine unless the text also holds it as a plain token.
_IF_NOT_PLAIN = 2


def _string_verdict(value: str) -> int:
    """1 when the strict reader reads this string as yaml-rs does wherever it is written, 0 when
    it may not, _IF_NOT_PLAIN when only a plain occurrence of it would differ."""
    if value and not value.strip("\n"):
        return 0  # an empty block scalar: YAML 1.2 keeps a line break, 1.1 reads ""
    for _tag, regexp in _RESOLVERS.get(value[:1], ()):
        if regexp.match(value):
            # YAML 1.1 reads this text as a bool, number, null... when written plain. If yaml-rs
            # does too, this string was quoted; otherwise (yes, on, =...) it must not appear
            # plain (such text has no spaces, so a plain one is a token of its own).
            return _IF_NOT_PLAIN if _plain_is_str(value) else 1
    return 1


_STRING_VERDICTS: BoundedMemo[str, int] = BoundedMemo(_string_verdict)


def _string_ok(value: str, text: str) -> bool:
    verdict = _STRING_VERDICTS[value]
    return verdict == 1 or (verdict == _IF_NOT_PLAIN and not _appears_plain(value, text))


def _scalar_ok(value: Any, text: str) -> bool:
    if isinstance(value, str):
        return _string_ok(value, text)
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, bool) or value is None:
        return True
    return isinstance(value, int) and abs(value) < MAX_NUMBER


def _verify(doc: Any, text: str) -> bool:
    """Raise _Differs unless every value is one the strict reader gives for the same text; whether
    the document holds a float (the integers are of at most 18 digits, see _SAFE_NUMBERISH).

    What passes also holds nothing safevalues.unsafe_value refuses (so the caller need not walk it
    again): keys are strings, nesting is at most MAX_DEPTH, and the text guard leaves no escapes
    (lone surrogates), tags (binary), numbers beyond 18 digits, exponents or .inf/.nan; the node
    bound keeps the count far below MAX_EXPANDED_NODES."""
    verdicts = _STRING_VERDICTS  # a string known to be fine is looked up once, without a call
    floats = False
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _Differs
        if type(value) is dict:
            children: Any = value.values()
            for key in value:
                if verdicts.get(key) != 1 and (type(key) is not str or not _string_ok(key, text)):
                    raise _Differs
        elif type(value) is list:
            children = value
        else:
            if not _scalar_ok(value, text):
                raise _Differs
            floats = floats or type(value) is float
            continue
        if value and depth >= MAX_DEPTH:
            raise _Differs  # its children would be one level too deep
        for child in children:
            kind = type(child)
            if kind is str:
                if verdicts.get(child) != 1 and not _string_ok(child, text):
                    raise _Differs
            elif kind is dict or kind is list:
                stack.append((child, depth + 1))
            elif not _scalar_ok(child, text):
                raise _Differs
            elif kind is float:
                floats = True
    return floats


def fast_load(text: str) -> Any:
    """The document as the strict reader reads it, or raise _Differs when yaml-rs cannot be trusted
    with it (the caller reads it with the strict reader)."""
    return _fast_load(text)[0]


def _fast_load(text: str) -> tuple[Any, bool]:
    """fast_load's document, and whether it holds a float."""
    lines = text.split("\n")
    if _risky(text, lines) or node_bound(text) > MAX_NODES or depth_bound(text, lines) > FAST_PATH_DEPTH:
        raise _Differs
    try:
        doc = yaml_rs.loads(text, parse_datetime=False)
    except (yaml_rs.YAMLDecodeError, ValueError, TypeError, OverflowError, RecursionError):
        raise _Differs from None
    return doc, _verify(doc, text)


_ComposeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_LINE = LineTree.__dict__["line"]
_CHILDREN = LineTree.__dict__["children"]


def _root_line(text: str, first_line: int) -> int:
    """The 1-based line where a document's root value starts (as the composer marks it): its
    first line that is not blank, a comment or a bare document start marker."""
    start = number = 0
    while True:  # line by line from the top, without splitting the whole text
        end = text.find("\n", start)
        line = (text[start:] if end < 0 else text[start:end]).strip()
        if line and not line.startswith("#"):
            rest = line[3:].strip() if line.startswith("---") else None
            if rest is None or (rest and not rest.startswith("#")):
                return first_line + number + 1
        if end < 0:
            return first_line + 1
        start, number = end + 1, number + 1


class LazyLineTree(LineTree):
    """A document's LineTree whose children are found from its text on first use (its own line
    is found without that): scanned when the text is plain block style (yamlscan), else composed.
    Only made for text yaml-rs read (small and shallow, without aliases), so composing it later is
    safe. `value` is what yaml-rs read, which the scan's tree must match (read again if absent)."""

    __slots__ = ("_first_line", "_ready", "_text", "_value")

    def __init__(self, text: str, first_line: int, value: Any = None) -> None:
        _LINE.__set__(self, _root_line(text, first_line))
        self._text = text
        self._first_line = first_line
        self._value = value
        self._ready = False

    @property
    def children(self) -> dict[str | int, LineTree] | None:  # type: ignore[override]
        if not self._ready:
            _CHILDREN.__set__(self, self._find_children())
            self._ready, self._value = True, None
        return _CHILDREN.__get__(self)  # type: ignore[no-any-return]

    def _find_children(self) -> dict[str | int, LineTree] | None:
        value = self._value
        if value is None:
            value = yaml_rs.loads(self._text, parse_datetime=False)
        scanned = block_line_tree(self._text, self._first_line, value)
        if scanned is not None:
            return scanned.children
        try:
            node = yaml.compose(self._text, Loader=_ComposeLoader)
        except yaml.YAMLError:  # not expected (see fast_load): no lines for the fields then
            node = None
        return None if node is None else line_tree(node, self._first_line).children

    def __reduce__(self) -> Any:
        return (LazyLineTree, (self._text, self._first_line))


class Known(enum.IntFlag):
    """What the fast reader already knows of a document it read."""

    NOTHING = 0
    SAFE = 1  # nothing safevalues.unsafe_value refuses (see _verify)
    PLAIN_NUMBERS = 2  # no floats and no integers beyond int64: JSON text of it needs no rewrite


def load_chunk_checked(chunk: Chunk) -> tuple[Any, LineTree | None, Known]:
    """As yamlio.load_chunk_with_lines (same values, same errors), faster where it can be, with what
    is known of the value read."""
    try:
        doc, floats = _fast_load(chunk.text)
    except _Differs:
        return (*strict_load_chunk_with_lines(chunk), Known.NOTHING)
    if doc is None:  # empty, or an explicit null: the strict reader says which (cheaply)
        return (*strict_load_chunk_with_lines(chunk), Known.NOTHING)
    known = Known.SAFE if floats else Known.SAFE | Known.PLAIN_NUMBERS
    return doc, LazyLineTree(chunk.text, chunk.first_line, doc), known


def load_chunk_with_lines(chunk: Chunk) -> tuple[Any, LineTree | None]:
    """As yamlio.load_chunk_with_lines (same values, same errors), faster where it can be."""
    doc, lines, _checked = load_chunk_checked(chunk)
    return doc, lines
