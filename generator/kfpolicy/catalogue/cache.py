"""A disk cache of loaded catalogues (in program_cache's folder, with its atomic writes and checksums):
loading and checking the built-in catalogue costs about half a second of CPU, reading it back from a
pickle a few milliseconds. An entry is keyed by the content of every file in the catalogue folders
and of kfpolicy's own Python source, so any change to either loads anew."""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path

from kfpolicy.catalogue.model import Catalogue
from kfpolicy.engines import program_cache


def _cache_name(folders: Sequence[Path]) -> str | None:
    """The disk cache entry of a loaded catalogue: a hash of every file in its folders and of
    kfpolicy's own source (the code that loads and checks it); None when a folder is missing."""
    digest = hashlib.sha256(program_cache.engine_version().encode())
    package = Path(__file__).resolve().parents[1]
    for root in (package, *folders):
        if not root.is_dir():
            return None
        digest.update(b"\0root\0" + str(root.resolve()).encode("utf-8", "surrogateescape"))
        for path in sorted(root.rglob("*")):
            if "__pycache__" in path.parts:
                continue
            digest.update(b"\0" + str(path).encode("utf-8", "surrogateescape") + b"\0")
            if path.is_file():
                try:
                    digest.update(path.read_bytes())
                except OSError:
                    return None
            else:
                digest.update(b"<folder>" if path.is_dir() else b"<other>")
    return f"catalogue-{digest.hexdigest()}.pickle"


def cached_catalogue(folders: Sequence[Path], load: Callable[[Sequence[Path]], Catalogue]) -> Catalogue:
    """`load(folders)`, or the catalogue it gave before for the same files."""
    name = _cache_name(folders) if program_cache.cache_dir() is not None else None
    blob = program_cache.read_blob(name) if name else None
    if blob is not None:
        try:
            cached = pickle.loads(blob)
        except Exception:  # an entry from other code that still reads back: load anew
            cached = None
        if isinstance(cached, Catalogue):
            return cached
    cat = load(folders)
    if name:
        program_cache.write_blob(name, pickle.dumps(cat, protocol=pickle.HIGHEST_PROTOCOL))
    return cat
