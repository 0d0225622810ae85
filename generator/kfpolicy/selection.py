"""Which files and documents `kfpolicy eval` reads, and which it skips on purpose (with a reason).

- `--ignore PATTERN` and `.kfpolicyignore` files use `.gitignore` syntax: patterns in a
  `.kfpolicyignore` apply below the folder that holds it; `--ignore` patterns and the current
  folder's `.kfpolicyignore` apply to paths as given on the command line (pre-commit passes file names).
- Templated files (Helm and other Go templates, `{{ ... }}`) are not manifests yet: skipped.
- JSON Patch files (a list of `{op, path}` operations) are not manifests either: skipped.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pathspec

IGNORE_FILE = ".kfpolicyignore"
TEMPLATED = "templated file (Go/Helm template actions `{{ ... }}`): render it first, e.g. `helm template`"
JSON_PATCH = "a JSON Patch (a list of operations), not a Kubernetes manifest"
NO_DOCUMENTS = "no documents (empty, or only comments)"

# A Go template action: `{{`, an optional `-`, then something a template starts with (`.Values`,
# `$x`, `if`, `include`, `/*`, `(`...), up to `}}` on the same line.
_TEMPLATE_ACTION = re.compile(r"\{\{-?\s*[.$A-Za-z_(/\"-][^\n]*?\}\}")


def is_templated(text: str) -> bool:
    return "{{" in text and _TEMPLATE_ACTION.search(text) is not None


def is_json_patch(value: Any) -> bool:
    """RFC 6902: a non-empty list whose items are all objects with a string `op` and `path`."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(
            isinstance(op, dict) and isinstance(op.get("op"), str) and isinstance(op.get("path"), str)
            for op in value
        )
    )


@dataclass(frozen=True)
class _Scope:
    base: Path
    spec: pathspec.GitIgnoreSpec


def _spec(lines: Iterable[str]) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines(lines)


class IgnoreRules:
    """`.gitignore`-style patterns, each set scoped to the folder it applies below."""

    def __init__(self, patterns: Sequence[str] = (), *, cwd: Path | None = None) -> None:
        base = Path(cwd or Path.cwd()).absolute()
        self._scopes: tuple[_Scope, ...] = ()
        if patterns:
            self._scopes += (_Scope(base, _spec(patterns)),)
        self._scopes += self._file_scope(base)

    @staticmethod
    def _file_scope(folder: Path) -> tuple[_Scope, ...]:
        path = folder / IGNORE_FILE
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return ()
        return (_Scope(folder, _spec(text.splitlines())),)

    def below(self, folder: Path) -> IgnoreRules:
        """These rules plus the `.kfpolicyignore` of `folder`, for walking inside it."""
        scoped = self._file_scope(Path(folder).absolute())
        if not scoped:
            return self
        rules = IgnoreRules.__new__(IgnoreRules)
        rules._scopes = self._scopes + scoped
        return rules

    def ignored(self, path: Path, *, is_dir: bool = False) -> bool:
        if not self._scopes:
            return False
        absolute = Path(os.path.normpath(Path(path).absolute()))
        for scope in self._scopes:
            try:
                rel = absolute.relative_to(scope.base).as_posix()
            except ValueError:
                continue
            if rel != "." and scope.spec.match_file(rel + ("/" if is_dir else "")):
                return True
        return False
