"""Read the upstream test cases in tests/upstream/cases/ (one YAML file per transcribed Go test).

A case file starts with a `#` comment header that is itself YAML (`expected`, `operation`,
`expected_errors`, `expected_warnings`, ...) and continues with documents marked by role:
`--- # role: object`, `--- # role: oldObject`, `--- # role: runtime`. `cases/index.json` holds the
same headers; it is used only when a header cannot be read.

    case = load_case(path)
    case.expected, case.operation, case.errors, case.warnings, case.object, case.old_object, case.runtimes
    case.document()   # what the policies see: a manifest, or an AdmissionReview for UPDATE / oldObject
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kfpolicy.inputs import Document

OUTCOMES = ("allow", "deny", "mutate", "valid-by-controller", "invalid-by-controller")
DENYING = ("deny", "invalid-by-controller")
ADMITTING = ("allow", "valid-by-controller")

_KEY_LINE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*:")
_SEPARATOR = re.compile(r"^---[ \t]*(?:#[ \t]*role:[ \t]*(?P<role>\S+))?.*$", re.MULTILINE)


class CaseError(ValueError):
    """A case file that cannot be read; the message names the file."""


@dataclass(frozen=True)
class Case:
    path: Path
    kind_dir: str
    expected: str
    operation: str
    errors: tuple[dict[str, Any], ...]
    warnings: tuple[str, ...]
    object: dict[str, Any] | None  # None: the test passes a nil object (a few TrainJob cases)
    old_object: dict[str, Any] | None = None
    runtimes: tuple[dict[str, Any], ...] = ()
    header: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.kind_dir}/{self.path.stem}"

    @property
    def error_pairs(self) -> set[tuple[str, str]]:
        """(details.type, field) of every expected field error (Go names, e.g. FieldValueRequired)."""
        return {(e["type"], e["field"]) for e in self.errors if "type" in e and "field" in e}

    @property
    def controller_errors(self) -> tuple[str, ...]:
        """Plain error strings of controllers that return fmt.Errorf texts (MXJob, MPIJob v1)."""
        return tuple(str(e["controller_error"]) for e in self.errors if "controller_error" in e)

    def document(self) -> Document:
        """The object under review as kfpolicy evaluates it: the manifest for a plain CREATE, an
        AdmissionReview (request.operation, object, oldObject) otherwise."""
        if self.object is None:
            raise CaseError(f"{self.path}: the case has no object to evaluate")
        if self.operation == "CREATE" and self.old_object is None:
            return Document(source=self.name, obj=self.object)
        review = {
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "request": {
                "uid": self.name,
                "operation": self.operation,
                "object": self.object,
                "oldObject": self.old_object,
            },
        }
        return Document(
            source=self.name, obj=self.object, operation=self.operation, old_object=self.old_object,
            rego_input=review,
        )


def parse_header(text: str) -> dict[str, Any] | None:
    """The YAML inside the leading `#` comment block, read one top-level key at a time (prose
    lines before the first `key:` are skipped; a value that is not valid YAML on its own, such as
    `documents: [1] object`, is kept as its raw text). None when there is no `key:` line."""
    lines: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:]
        lines.append(body[1:] if body.startswith(" ") else body)
    entries: list[list[str]] = []
    for line in lines:
        if _KEY_LINE.match(line):
            entries.append([line])
        elif entries:
            entries[-1].append(line)
    if not entries:
        return None
    header: dict[str, Any] = {}
    for entry in entries:
        key, _, rest = entry[0].partition(":")
        try:
            parsed = yaml.safe_load("\n".join(entry))
        except yaml.YAMLError:
            parsed = None
        if isinstance(parsed, dict) and key in parsed:
            header[key] = parsed[key]
        else:
            header[key] = "\n".join([rest.strip(), *entry[1:]]).strip()
    return header


def split_documents(text: str) -> list[tuple[str, Any]]:
    """(role, document) for every `--- # role: <role>` document; a separator without a role is
    `object` for the first document and `document` after that."""
    out: list[tuple[str, Any]] = []
    matches = list(_SEPARATOR.finditer(text))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        body = text[m.end() : end]
        doc = yaml.safe_load(body)
        role = m.group("role") or ("object" if not out else "document")
        if doc is None and role != "object":
            continue
        out.append((role, doc))
    return out


def _index_entry(path: Path) -> dict[str, Any] | None:
    """The case's entry in the index.json of the cases folder above it, if any."""
    for parent in path.parents:
        index = parent / "index.json"
        if index.is_file():
            names = ("cases/" + path.relative_to(parent).as_posix(), path.relative_to(parent).as_posix())
            for entry in json.loads(index.read_text(encoding="utf-8")):
                if isinstance(entry, dict) and entry.get("file") in names:
                    return entry
            return None
    return None


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


def load_case(path: str | Path) -> Case:
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    header = parse_header(text)
    if header is None or "expected" not in header:
        header = _index_entry(path)
    if header is None:
        raise CaseError(f"{path}: no readable `# expected:` header and no index.json entry")
    expected = header.get("expected")
    if expected not in OUTCOMES:
        raise CaseError(f"{path}: expected: {expected!r} is not one of {', '.join(OUTCOMES)}")
    operation = header.get("operation") or "CREATE"
    try:
        docs = split_documents(text)
    except yaml.YAMLError as exc:
        raise CaseError(f"{path}: invalid YAML document: {exc}") from None
    objects = [d for role, d in docs if role == "object"]
    if len(objects) > 1 or (objects and objects[0] is not None and not isinstance(objects[0], dict)):
        raise CaseError(f"{path}: expected one `--- # role: object` mapping, found {len(objects)} documents")
    old = [d for role, d in docs if role == "oldObject"]
    return Case(
        path=path,
        kind_dir=path.parent.name,
        expected=expected,
        operation=str(operation),
        errors=tuple(e for e in _as_list(header.get("expected_errors")) if isinstance(e, dict)),
        warnings=tuple(str(w) for w in _as_list(header.get("expected_warnings"))),
        object=objects[0] if objects else None,
        old_object=old[0] if old and isinstance(old[0], dict) else None,
        runtimes=tuple(d for role, d in docs if role == "runtime" and isinstance(d, dict)),
        header=header,
    )


# The transcribed upstream cases, kept in the repository as test data (see cases/README.md).
CASES_DIR = Path(__file__).resolve().parent / "cases"


def iter_cases(cases_dir: Path, kind_dirs: Iterable[str] | None = None) -> Iterator[Case]:
    """Every case under cases_dir (or under the named kind folders), sorted by path."""
    folders = [cases_dir / k for k in kind_dirs] if kind_dirs is not None else [cases_dir]
    for folder in folders:
        if folder.is_dir():
            for path in sorted(folder.rglob("*.yaml")):
                yield load_case(path)
