"""Read the objects to evaluate: files, folders and stdin; YAML or JSON; multi-document streams,
`kind: List` and AdmissionReview documents. Bad input becomes a DocumentError naming the file and
the document; it never stops the other documents from being read.
"""

from __future__ import annotations

import json
import math
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kfpolicy.errors import InputError
from kfpolicy.yamlio import MAX_EXPANDED_NODES, load_all

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 100
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


def _depth_error(value: Any, limit: int = MAX_DEPTH) -> str | None:
    """Find what JSON cannot carry safely: too deep nesting, non-finite numbers, non-text values."""
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
                stack.append((child, depth + 1))
        elif isinstance(v, list):
            stack.extend((child, depth + 1) for child in v)
        elif isinstance(v, float) and not math.isfinite(v):
            return f"non-finite number {v!r}"
        elif isinstance(v, bytes):
            return "binary (!!binary) values are not supported"
    return None


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
    index = found = 0
    try:
        for doc in load_all(text):
            if doc is not None:
                found += 1
                yield (f"{source}#{index}", doc)
            index += 1
        if not found:
            yield DocumentError(source, "no documents (only comments or empty documents)")
    except RecursionError:
        yield DocumentError(f"{source}#{index}", f"invalid YAML: nested more than {MAX_DEPTH} levels deep")
    except yaml.YAMLError as exc:
        yield DocumentError(f"{source}#{index}", f"invalid YAML: {exc}")


def _expand(source: str, doc: Any) -> Iterator[Item]:
    """Turn one parsed document into the objects it holds (List items, AdmissionReview requests)."""
    if not isinstance(doc, dict):
        yield DocumentError(
            source, f"not an object (a YAML/JSON {type(doc).__name__}); expected a Kubernetes manifest"
        )
        return
    problem = _depth_error(doc)
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


def _read_file(path: Path) -> Iterator[Item]:
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


def _walk(path: Path) -> Iterator[Path]:
    for child in sorted(path.iterdir()):
        if child.name.startswith("."):
            continue
        if child.is_dir():
            yield from _walk(child)
        elif child.suffix in SUFFIXES:
            yield child


def read_paths(paths: Iterable[str]) -> Iterator[Item]:
    """Every document under the given paths ('-' is stdin), in a stable order."""
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
            files = list(_walk(path))
            if not files:
                yield DocumentError(str(path), "folder holds no .yaml, .yml or .json files")
            for f in files:
                yield from _read_file(f)
        elif path.exists() or path.is_symlink():
            yield from _read_file(path)
        else:
            raise InputError(f"{raw}: no such file or folder")
