"""The policies the webhook answers with: built from the catalogue, the profile, the parameters file
and the runtime cache, and swapped whole (one attribute assignment) on reload, so a request sees the
old set or the new one, never a mix. A failed reload keeps the previous policies."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kfpolicy.catalogue import load_catalogue
from kfpolicy.catalogue.model import Catalogue
from kfpolicy.errors import KfpolicyError
from kfpolicy.runner import Evaluator
from kfpolicy.yamlio import load_one

log = logging.getLogger("kfpolicy.serve")


@dataclass(frozen=True)
class PolicySource:
    """Where the policies come from."""

    catalogues: tuple[Path, ...] = ()
    profile: str | None = None
    parameters: Path | None = None
    engine: str = "embedded"

    def watched_files(self) -> list[Path]:
        files = [p for d in self.catalogues for p in sorted(d.rglob("*")) if p.is_file()]
        return files + ([self.parameters] if self.parameters is not None else [])


def read_parameters(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        data = load_one(path.read_text(encoding="utf-8"))
    except Exception as exc:
        raise KfpolicyError(f"{path}: cannot read parameters: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise KfpolicyError(f"{path}: parameters must map rule ids to objects")
    return data


@dataclass(frozen=True)
class Loaded:
    """What a reload reads from disk; pure Python, so it may be read in another thread."""

    catalogue: Catalogue
    parameters: dict[str, Any] | None


def read_source(source: PolicySource) -> Loaded:
    return Loaded(load_catalogue(list(source.catalogues)), read_parameters(source.parameters))


class PolicyStore:
    """The current Evaluator, rebuilt on demand; a failed rebuild keeps the previous one."""

    def __init__(self, source: PolicySource) -> None:
        self.source = source
        self.evaluator: Evaluator | None = None
        self.inventory: list[Mapping[str, Any]] = []
        self.inventory_listed = False  # the runtime watch has delivered its first complete list
        self.loaded: Loaded | None = None
        self._signature = self._files_signature()

    def _files_signature(self) -> tuple[tuple[str, int, int], ...]:
        out = []
        for path in self.source.watched_files():
            try:
                st = path.stat()
            except OSError:
                continue
            out.append((str(path), st.st_size, st.st_mtime_ns))
        return tuple(out)

    def read(self) -> Loaded:
        """Read catalogue and parameters (any thread); raises KfpolicyError."""
        return read_source(self.source)

    def install(self, loaded: Loaded | None = None) -> None:
        """Build the engine and swap it in. The embedded engine may only be used by the thread that
        created it, so this runs on the serving thread (about 0.2 s with the whole catalogue)."""
        loaded = loaded or self.loaded
        if loaded is None:
            raise KfpolicyError("policies were never read")
        self.evaluator = Evaluator(
            loaded.catalogue,
            profile=self.source.profile,
            engine=self.source.engine,
            inventory=list(self.inventory),
            parameters=loaded.parameters,
        )
        self.loaded = loaded

    def load(self) -> None:
        self.install(self.read())

    def files_changed(self) -> bool:
        signature = self._files_signature()
        if signature == self._signature:
            return False
        self._signature = signature
        return True

    def set_inventory(self, objects: Sequence[Mapping[str, Any]]) -> None:
        self.inventory = list(objects)
        self.inventory_listed = True
