"""A disk cache of loaded catalogues (in program_cache's folder, with its atomic writes and checksums):
loading and checking the built-in catalogue costs about half a second of CPU, reading it back from a
pickle a few milliseconds. An entry is keyed by the content of every file in the catalogue folders
and of kfpolicy's own Python source, so any change to either loads anew."""

from __future__ import annotations

import functools
import hashlib
import pickle
from collections.abc import Callable, Sequence
from pathlib import Path

from kfpolicy.catalogue.model import Catalogue
from kfpolicy.engines import program_cache


def _cache_name(folders: Sequence[Path]) -> str | None:
    """The disk cache entry of a loaded catalogue: a hash of every file in its folders and of
    kfpolicy's own source (the code that loads and checks it); None when a folder is missing."""
    digest = hashlib.sha256(_package_digest())
    for root in folders:
        tree = _tree_digest(root)
        if tree is None:
            return None
        digest.update(tree)
    return f"catalogue-{digest.hexdigest()}.pickle"


@functools.lru_cache(maxsize=1)
def _package_digest() -> bytes:
    """kfpolicy's own files (code, templates, built-in catalogue) and the engine's version."""
    package = Path(__file__).resolve().parents[1]
    tree = _tree_digest(package) or b""
    return hashlib.sha256(program_cache.engine_version().encode() + tree).digest()


def _tree_digest(root: Path) -> bytes | None:
    """Every path and file under a folder; None when it is missing or a file cannot be read."""
    if not root.is_dir():
        return None
    digest = hashlib.sha256(b"\0root\0" + str(root.resolve()).encode("utf-8", "surrogateescape"))
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
    return digest.digest()


def cached_render(cat: Catalogue, render: Callable[[Catalogue], dict[str, str]]) -> dict[str, str]:
    """`render(cat)` (the generated Rego tree), or what it gave before for an equal catalogue."""
    if program_cache.cache_dir() is None:
        return render(cat)
    digest = hashlib.sha256(_package_digest() + render.__qualname__.encode())
    digest.update(pickle.dumps(cat, protocol=pickle.HIGHEST_PROTOCOL))
    name = f"render-{digest.hexdigest()}.pickle"
    blob = program_cache.read_blob(name)
    if blob is not None:
        try:
            tree = pickle.loads(blob)
        except Exception:  # an entry that reads back but not as a tree: render anew
            tree = None
        if isinstance(tree, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in tree.items()):
            return tree
    tree = render(cat)
    program_cache.write_blob(name, pickle.dumps(tree, protocol=pickle.HIGHEST_PROTOCOL))
    return tree


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
