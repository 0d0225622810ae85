"""Read the objects to evaluate: files, folders and stdin; YAML or JSON; multi-document streams,
`kind: List` and AdmissionReview documents. Bad input becomes a DocumentError naming the file and
the document; it never stops the other documents from being read.
"""

from __future__ import annotations

import json
import math
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kfpolicy.errors import InputError
from kfpolicy.yamlio import MAX_DEPTH, MAX_EXPANDED_NODES, MAX_NUMBER, load_chunk, split_documents

MAX_FILE_BYTES = 32 * 1024 * 1024
# Documents read from one file, empty ones included; the rest of a longer stream is an error.
MAX_DOCUMENTS_PER_FILE = 10_000
# Bytes read in one run, over all files: with the per-file limits this bounds the run's memory.
MAX_TOTAL_BYTES = 256 * 1024 * 1024
SUFFIXES = (".yaml", ".yml", ".json")
ADMISSION_API_VERSIONS = ("admission.k8s.io/v1", "admission.k8s.io/v1beta1")


@dataclass(frozen=True)
class Document:
    """One object to evaluate. `rego_input` is what the policies see as `input`."""

    source: str
    obj: dict[str, Any]
    operation: str = "CREATE"
    old_object: dict[str, Any] | None = None
    rego_input: Any = None

    @property
    def input(self) -> Any:
        return self.obj if self.rego_input is None else self.rego_input


@dataclass(frozen=True)
class DocumentError:
    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


Item = Document | DocumentError


def _unsafe_value(value: Any, limit: int = MAX_DEPTH) -> str | None:
    """Find what JSON or a policy engine cannot carry: too deep nesting, non-finite numbers,
    numbers beyond float64, text that is not Unicode (lone surrogates), non-text values."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    seen = 0
    while stack:
        v, depth = stack.pop()
        seen += 1
        if seen > MAX_EXPANDED_NODES:
            return f"more than {MAX_EXPANDED_NODES:,} values"
        if depth > limit:
            return f"nested more than {limit} levels deep"
        if isinstance(v, dict):
            for k, child in v.items():
                if not isinstance(k, str):
                    return f"mapping key {k!r} is not a string"
                if not k.isascii() and _lone_surrogate(k):
                    return "a key holds a lone surrogate (not Unicode text)"
                stack.append((child, depth + 1))
        elif isinstance(v, list):
            stack.extend((child, depth + 1) for child in v)
        elif isinstance(v, float) and not math.isfinite(v):
            return f"non-finite number {v!r}"
        elif isinstance(v, int) and abs(v) >= MAX_NUMBER:
            return "number too large (beyond float64)"
        elif isinstance(v, str) and not v.isascii() and _lone_surrogate(v):
            return "a string holds a lone surrogate (not Unicode text)"
        elif isinstance(v, bytes):
            return "binary (!!binary) values are not supported"
    return None


def _lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON constant {name}")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {k!r}")
        out[k] = v
    return out


def parse_text(text: str, source: str, *, is_json: bool) -> Iterator[tuple[str, Any] | DocumentError]:
    """Yield (source#index, document) pairs, or a DocumentError where parsing stops."""
    if is_json:
        try:
            value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
        except (ValueError, RecursionError) as exc:
            yield DocumentError(f"{source}#0", f"invalid JSON: {exc}")
            return
        yield (f"{source}#0", value)
        return
    found = 0
    for index, chunk in enumerate(split_documents(text)):
        if index == MAX_DOCUMENTS_PER_FILE:
            limit = MAX_DOCUMENTS_PER_FILE
            yield DocumentError(source, f"more than {limit:,} documents: the rest is not read")
            return
        try:
            doc = load_chunk(chunk)
        except yaml.YAMLError as exc:
            yield DocumentError(f"{source}#{index}", f"invalid YAML: {exc}")
            found += 1
            continue
        if doc is not None:
            found += 1
            yield (f"{source}#{index}", doc)
    if not found:
        yield DocumentError(source, "no documents (only comments or empty documents)")


def _expand(source: str, doc: Any) -> Iterator[Item]:
    """Turn one parsed document into the objects it holds (List items, AdmissionReview requests)."""
    if not isinstance(doc, dict):
        what = type(doc).__name__
        yield DocumentError(source, f"not an object (a YAML/JSON {what}); expected a Kubernetes manifest")
        return
    problem = _unsafe_value(doc)
    if problem:
        yield DocumentError(source, problem)
        return
    kind = doc.get("kind")
    if doc.get("apiVersion") in ADMISSION_API_VERSIONS and kind == "AdmissionReview":
        yield from _from_admission_review(source, doc)
        return
    if isinstance(kind, str) and kind.endswith("List") and "items" in doc:
        items = doc.get("items")
        if not isinstance(items, list):
            yield DocumentError(source, f"{kind}: items must be a list")
            return
        for i, item in enumerate(items):
            yield from _expand(f"{source}/items[{i}]", item)
        return
    yield Document(source=source, obj=doc)


def _from_admission_review(source: str, doc: dict[str, Any]) -> Iterator[Item]:
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
    yield Document(source=source, obj=obj, operation=operation, old_object=old, rego_input=doc)


def read_text(text: str, source: str, *, is_json: bool = False) -> Iterator[Item]:
    for parsed in parse_text(text, source, is_json=is_json):
        if isinstance(parsed, DocumentError):
            yield parsed
        else:
            yield from _expand(*parsed)


class _Budget:
    """What one run may still read, in bytes (see MAX_TOTAL_BYTES)."""

    def __init__(self) -> None:
        self.left = MAX_TOTAL_BYTES

    def take(self, size: int) -> bool:
        if size > self.left:
            return False
        self.left -= size
        return True


def _read_file(path: Path, budget: _Budget) -> Iterator[Item]:
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
    yield from _decode_and_read(data, source, is_json=path.suffix == ".json")


def _decode_and_read(data: bytes, source: str, *, is_json: bool) -> Iterator[Item]:
    if b"\0" in data:
        yield DocumentError(source, "binary file (contains NUL bytes); expected YAML or JSON text")
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield DocumentError(source, f"not UTF-8 text (byte {exc.start}); expected YAML or JSON")
        return
    if not text.strip():
        yield DocumentError(source, "empty file: no documents")
        return
    yield from read_text(text, source, is_json=is_json)


def _walk(top: Path) -> Iterator[Path | DocumentError]:
    """The YAML/JSON files under a folder, depth first and sorted, each real folder entered once:
    symlinks to folders are followed, but never into a folder already walked (no loops, no
    repeats). A folder that cannot be listed is an error naming it; the walk goes on."""
    visited: set[tuple[int, int]] = set()
    pending: list[Iterator[Path]] = [iter([top])]
    while pending:
        child = next(pending[-1], None)
        if child is None:
            pending.pop()
            continue
        if child is not top and child.name.startswith("."):
            continue
        if not child.is_dir():
            if child.suffix in SUFFIXES:
                yield child
            continue
        try:
            info = child.stat()
            if (info.st_dev, info.st_ino) in visited:
                continue
            visited.add((info.st_dev, info.st_ino))
            pending.append(iter(sorted(child.iterdir())))
        except OSError as exc:
            yield DocumentError(str(child), f"cannot read folder: {exc.strerror or exc}")


def _folder_files(folder: Path) -> Iterator[Path | DocumentError]:
    """Every file of a folder walk once, by its real path (two links to one file: one read)."""
    seen: set[str] = set()
    found = False
    for entry in _walk(folder):
        if isinstance(entry, Path):
            real = os.path.realpath(entry)
            if real in seen:
                continue
            seen.add(real)
            found = True
        yield entry
    if not found:
        yield DocumentError(str(folder), "folder holds no .yaml, .yml or .json files")


def read_paths(paths: Iterable[str]) -> Iterator[Item]:
    """Every document under the given paths ('-' is stdin), in a stable order."""
    budget = _Budget()
    for raw in paths:
        if raw == "-":
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                yield DocumentError("<stdin>", f"input is larger than the limit of {MAX_FILE_BYTES:,} bytes")
                continue
            stripped = data.lstrip()
            yield from _decode_and_read(data, "<stdin>", is_json=stripped[:1] in (b"{", b"["))
            continue
        path = Path(raw)
        if path.is_dir():
            for entry in _folder_files(path):
                yield from (entry,) if isinstance(entry, DocumentError) else _read_file(entry, budget)
        elif path.exists() or path.is_symlink():
            yield from _read_file(path, budget)
        else:
            raise InputError(f"{raw}: no such file or folder")
