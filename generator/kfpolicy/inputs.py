"""Read the objects to evaluate: files, folders and stdin; YAML or JSON; multi-document streams,
`kind: List` and AdmissionReview documents. Bad input becomes a DocumentError naming the file and
the document; it never stops the other documents from being read.
"""

from __future__ import annotations

import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from kfpolicy.errors import InputError
from kfpolicy.safevalues import json_problem, loads_strict, unsafe_value
from kfpolicy.selection import JSON_PATCH, NO_DOCUMENTS, TEMPLATED, IgnoreRules, is_json_patch, is_templated
from kfpolicy.walk import FolderError, folder_files
from kfpolicy.yamlfast import Known, load_chunk_checked
from kfpolicy.yamlio import Chunk, LineTree, describe_error, line_trees, split_documents

MAX_FILE_BYTES = 32 * 1024 * 1024
# Documents read from one file, empty ones included; the rest of a longer stream is an error.
MAX_DOCUMENTS_PER_FILE = 10_000
# Bytes read in one run, over all files: with the per-file limits this bounds the run's memory.
MAX_TOTAL_BYTES = 256 * 1024 * 1024
ADMISSION_API_VERSIONS = ("admission.k8s.io/v1", "admission.k8s.io/v1beta1")


@dataclass(frozen=True)
class Document:
    """One object to evaluate. `rego_input` is what the policies see as `input`. `lines` locates
    the object's fields in its file (YAML and JSON files; none for cluster objects). `plain_numbers`:
    the input holds no floats and no integers beyond int64 (its JSON text needs no rewrite)."""

    source: str
    obj: dict[str, Any]
    operation: str = "CREATE"
    old_object: dict[str, Any] | None = None
    rego_input: Any = None
    lines: LineTree | None = None
    plain_numbers: bool = False

    @property
    def line(self) -> int | None:
        return None if self.lines is None else self.lines.line

    @property
    def input(self) -> Any:
        return self.obj if self.rego_input is None else self.rego_input


@dataclass(frozen=True)
class DocumentError:
    source: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.source}: {self.message}" + (f" (line {self.line})" if self.line else "")


@dataclass(frozen=True)
class SkippedInput:
    """A file or document read on purpose and not evaluated (a Helm template, a JSON Patch...)."""

    source: str
    reason: str
    line: int | None = None


Item = Document | DocumentError | SkippedInput
T = TypeVar("T")
# Turns one file's text (its source, whether it is JSON) into items.
Reader = Callable[[str, str, bool], Iterator[T]]


# (source#index, document, line tree, what the reader already knows of the document)
Parsed = tuple[str, Any, LineTree | None, Known]


def _tree(trees: list[LineTree | None], index: int) -> LineTree | None:
    return trees[index] if index < len(trees) else None


def parse_chunk(chunk: Chunk, source: str, index: int) -> Parsed | DocumentError | None:
    """Document `index` of a split YAML stream; None when it is empty."""
    try:
        doc, lines, known = load_chunk_checked(chunk)
    except yaml.YAMLError as exc:
        message, line = describe_error(exc)
        return DocumentError(f"{source}#{index}", f"invalid YAML: {message}", line)
    return None if doc is None else (f"{source}#{index}", doc, lines, known)


def parse_text(text: str, source: str, *, is_json: bool) -> Iterator[Parsed | DocumentError | SkippedInput]:
    """Yield (source#index, document, line tree) triples, or a DocumentError where parsing stops."""
    if is_json:
        try:
            value = loads_strict(text)
        except (ValueError, RecursionError) as exc:
            message, line = json_problem(exc)
            yield DocumentError(f"{source}#0", f"invalid JSON: {message}", line)
            return
        yield (f"{source}#0", value, _tree(line_trees(text), 0), Known.NOTHING)
        return
    found = 0
    for index, chunk in enumerate(split_documents(text)):
        if index == MAX_DOCUMENTS_PER_FILE:
            limit = MAX_DOCUMENTS_PER_FILE
            yield DocumentError(source, f"more than {limit:,} documents: the rest is not read")
            return
        parsed = parse_chunk(chunk, source, index)
        if parsed is not None:
            found += 1
            yield parsed
    if not found:
        yield SkippedInput(source, NO_DOCUMENTS)


def _child(tree: LineTree | None, *path: str | int) -> LineTree | None:
    for step in path:
        tree = None if tree is None else tree.child(step)
    return tree


def expand_parsed(
    source: str, doc: Any, tree: LineTree | None = None, known: Known = Known.NOTHING
) -> Iterator[Item]:
    """Turn one parsed document into the objects it holds (List items, AdmissionReview requests).
    `known`: what the reader already knows (nothing unsafe_value refuses, numbers as JSON has them)."""
    line = None if tree is None else tree.line
    if is_json_patch(doc):
        yield SkippedInput(source, JSON_PATCH, line)
        return
    if not isinstance(doc, dict):
        what = type(doc).__name__
        yield DocumentError(
            source, f"not an object (a YAML/JSON {what}); expected a Kubernetes manifest", line
        )
        return
    problem = None if known & Known.SAFE else unsafe_value(doc)
    if problem:
        yield DocumentError(source, problem, line)
        return
    kind = doc.get("kind")
    if doc.get("apiVersion") in ADMISSION_API_VERSIONS and kind == "AdmissionReview":
        yield from _from_admission_review(source, doc, tree, plain_numbers=bool(known & Known.PLAIN_NUMBERS))
        return
    if isinstance(kind, str) and kind.endswith("List") and "items" in doc:
        items = doc.get("items")
        if not isinstance(items, list):
            yield DocumentError(source, f"{kind}: items must be a list", line)
            return
        for i, item in enumerate(items):
            yield from expand_parsed(f"{source}/items[{i}]", item, _child(tree, "items", i), known)
        return
    yield Document(source=source, obj=doc, lines=tree, plain_numbers=bool(known & Known.PLAIN_NUMBERS))


def _from_admission_review(
    source: str, doc: dict[str, Any], tree: LineTree | None = None, *, plain_numbers: bool = False
) -> Iterator[Item]:
    request = doc.get("request")
    if not isinstance(request, dict):
        yield DocumentError(source, "AdmissionReview: request must be an object")
        return
    operation = request.get("operation", "CREATE")
    if operation not in ("CREATE", "UPDATE", "DELETE", "CONNECT"):
        yield DocumentError(source, f"AdmissionReview: request.operation: unsupported value {operation!r}")
        return
    obj = request.get("object")
    old = request.get("oldObject")
    if operation == "DELETE" and isinstance(old, dict) and not isinstance(obj, dict):
        obj = old
    if not isinstance(obj, dict):
        yield DocumentError(source, "AdmissionReview: request.object must be an object")
        return
    if old is not None and not isinstance(old, dict):
        yield DocumentError(source, "AdmissionReview: request.oldObject must be an object or null")
        return
    lines = (
        _child(tree, "request", "object")
        if obj is request.get("object")
        else _child(tree, "request", "oldObject")
    )
    yield Document(
        source=source, obj=obj, operation=operation, old_object=old, rego_input=doc, lines=lines,
        plain_numbers=plain_numbers,
    )


def read_text(text: str, source: str, *, is_json: bool = False) -> Iterator[Item]:
    for parsed in parse_text(text, source, is_json=is_json):
        if isinstance(parsed, (DocumentError, SkippedInput)):
            yield parsed
        else:
            yield from expand_parsed(*parsed)


class _Budget:
    """What one run may still read, in bytes (see MAX_TOTAL_BYTES)."""

    def __init__(self) -> None:
        self.left = MAX_TOTAL_BYTES

    def take(self, size: int) -> bool:
        if size > self.left:
            return False
        self.left -= size
        return True


def _read_file(path: Path, budget: _Budget, reader: Reader[T]) -> Iterator[T | DocumentError | SkippedInput]:
    source = str(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            # A FIFO or device would block or never end; read only regular files.
            yield DocumentError(source, "cannot read: not a regular file (a pipe, socket or device)")
            return
        size = info.st_size
        if size > MAX_FILE_BYTES:
            yield DocumentError(source, f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
            return
        if not budget.take(size):
            limit = MAX_TOTAL_BYTES
            yield DocumentError(source, f"not read: the run already read its limit of {limit:,} bytes")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield DocumentError(source, f"cannot read: {exc.strerror or exc}")
        return
    yield from _decode_and_read(data, source, reader, is_json=path.suffix.lower() == ".json")


def _decode_and_read(
    data: bytes, source: str, reader: Reader[T], *, is_json: bool
) -> Iterator[T | DocumentError | SkippedInput]:
    if b"\0" in data:
        yield DocumentError(source, "binary file (contains NUL bytes); expected YAML or JSON text")
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield DocumentError(source, f"not UTF-8 text (byte {exc.start}); expected YAML or JSON")
        return
    if not text.strip():
        yield SkippedInput(source, NO_DOCUMENTS)
        return
    if is_templated(text):
        yield SkippedInput(source, TEMPLATED)
        return
    yield from reader(text, source, is_json)


def read_paths(paths: Iterable[str], ignore: IgnoreRules | None = None) -> Iterator[Item]:
    """Every document under the given paths ('-' is stdin), in a stable order. Files matched by
    `ignore` (--ignore, .kfpolicyignore) are left out, even when named on the command line."""
    return read_paths_with(paths, _read_all, ignore)


def _read_all(text: str, source: str, is_json: bool) -> Iterator[Item]:
    return read_text(text, source, is_json=is_json)


def read_paths_with(
    paths: Iterable[str], reader: Reader[T], ignore: IgnoreRules | None = None
) -> Iterator[T | DocumentError | SkippedInput]:
    """As read_paths, with `reader` turning each file's text into items (parsed, or only split)."""
    ignore = ignore or IgnoreRules()
    budget = _Budget()
    for raw in paths:
        if raw == "-":
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                yield DocumentError("<stdin>", f"input is larger than the limit of {MAX_FILE_BYTES:,} bytes")
                continue
            stripped = data.lstrip()
            yield from _decode_and_read(data, "<stdin>", reader, is_json=stripped[:1] in (b"{", b"["))
            continue
        path = Path(raw)
        if ignore.ignored(path, is_dir=path.is_dir()):
            continue
        if path.is_dir():
            for entry in folder_files(path, ignore):
                if isinstance(entry, FolderError):
                    yield DocumentError(entry.folder, entry.message)
                else:
                    yield from _read_file(entry, budget, reader)
        elif path.exists() or path.is_symlink():
            yield from _read_file(path, budget, reader)
        else:
            raise InputError(f"{raw}: no such file or folder")
