"""Input split into documents without parsing them, for `eval --jobs`: the parent only splits the
files (cheap), and the workers parse (the largest cost) and evaluate. `expand` parses a split
stream into the very items `inputs.read_paths` gives, in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from kfpolicy.inputs import (
    MAX_DOCUMENTS_PER_FILE,
    Document,
    DocumentError,
    Item,
    SkippedInput,
    expand_parsed,
    parse_chunk,
    read_paths_with,
    read_text,
)
from kfpolicy.selection import NO_DOCUMENTS, IgnoreRules
from kfpolicy.yamlio import Chunk, split_documents


@dataclass(frozen=True)
class RawDocument:
    """One document's text: document `index` of `file` (a JSON file is one document). `last` marks
    the file's last document, after which a file without any is reported as skipped."""

    file: str
    index: int
    chunk: Chunk
    is_json: bool
    last: bool


RawItem = RawDocument | DocumentError | SkippedInput


def _split(text: str, source: str, is_json: bool) -> Iterator[RawDocument | DocumentError]:
    if is_json:
        yield RawDocument(source, 0, Chunk(text, 0), is_json=True, last=True)
        return
    pending: RawDocument | None = None
    for index, chunk in enumerate(split_documents(text)):
        if index == MAX_DOCUMENTS_PER_FILE:
            if pending is not None:
                yield pending  # not last: after the limit's error no "no documents" skip follows
            limit = MAX_DOCUMENTS_PER_FILE
            yield DocumentError(source, f"more than {limit:,} documents: the rest is not read")
            return
        if pending is not None:
            yield pending
        pending = RawDocument(source, index, chunk, is_json=False, last=False)
    if pending is not None:
        yield RawDocument(pending.file, pending.index, pending.chunk, is_json=False, last=True)


def split_paths(paths: Iterable[str], ignore: IgnoreRules | None = None) -> Iterator[RawItem]:
    """As inputs.read_paths, with each document left as text."""
    return read_paths_with(paths, _split, ignore)


def parse(raw: RawDocument) -> tuple[bool, list[Item]]:
    """The items one document holds, and whether it counts as a document (is not empty)."""
    if raw.is_json:
        return True, list(read_text(raw.chunk.text, raw.file, is_json=True))
    parsed = parse_chunk(raw.chunk, raw.file, raw.index)
    if parsed is None:
        return False, []
    if isinstance(parsed, DocumentError):
        return True, [parsed]
    return True, list(expand_parsed(*parsed))


class FileTally:
    """Follows the documents of the current file: a file whose documents are all empty is a skip."""

    def __init__(self) -> None:
        self.found = False

    def after(self, raw: RawDocument, found: bool) -> SkippedInput | None:
        self.found = self.found or found
        if not raw.last:
            return None
        empty, self.found = not self.found, False
        return SkippedInput(raw.file, NO_DOCUMENTS) if empty else None


def expand(raws: Iterable[RawItem]) -> Iterator[Item]:
    """Parse in this process: the items inputs.read_paths gives for the same paths."""
    tally = FileTally()
    for raw in raws:
        if not isinstance(raw, RawDocument):
            yield raw
            continue
        found, items = parse(raw)
        yield from items
        skip = tally.after(raw, found)
        if skip is not None:
            yield skip


def may_hold(raw: RawDocument, kinds: Iterable[str]) -> bool:
    """Whether the document's text could hold an object of one of `kinds` (a kind's name in it, or
    an escape that could spell one); False means it surely holds none."""
    text = raw.chunk.text
    return "\\" in text or any(kind in text for kind in kinds)


@dataclass
class Scanned:
    """What a first pass over the input found: how many documents, the objects of those that may
    hold one of the kinds asked for, and every split item while their text stayed within the
    pass's budget (None past it: the input is then read again)."""

    count: int
    found: list[dict[str, Any]]
    kept: list[RawItem] | None


def scan(raws: Iterable[RawItem], kinds: Iterable[str], keep_chars: int = 0) -> Scanned:
    """Count the documents and parse those that may hold one of `kinds` (the others are not), keeping
    the items while their text is at most `keep_chars` characters."""
    names = tuple(kinds)
    out = Scanned(0, [], [])
    kept_chars = 0
    for raw in raws:
        if out.kept is not None:
            out.kept.append(raw)
        if not isinstance(raw, RawDocument):
            continue
        out.count += 1
        kept_chars += len(raw.chunk.text)
        if kept_chars > keep_chars:
            out.kept = None
        if may_hold(raw, names):
            out.found.extend(item.obj for item in parse(raw)[1] if isinstance(item, Document))
    return out


__all__ = [
    "FileTally", "RawDocument", "RawItem", "Scanned", "expand", "may_hold", "parse", "scan", "split_paths"
]
