"""Walking folders for input files: sorted, depth first, each real folder entered once and each real
file read once (symlink loops and repeated links cannot multiply the work), with `.gitignore`-style
ignore rules scoped to the folder that declares them. A folder that cannot be listed is an error
naming it; the walk goes on."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kfpolicy.selection import IgnoreRules

SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class FolderError:
    folder: str
    message: str


class _Walk:
    def __init__(self) -> None:
        self.visited: set[tuple[int, int]] = set()
        self.pending: list[tuple[Iterator[Path], IgnoreRules]] = []

    def enter(self, folder: Path, rules: IgnoreRules) -> FolderError | None:
        try:
            info = folder.stat()
            key = (info.st_dev, info.st_ino)
            if key in self.visited:
                return None
            self.visited.add(key)
            # By name: the order of the paths themselves (they share the folder), without comparing them.
            entries = sorted(folder.iterdir(), key=_name)
            self.pending.append((iter(entries), rules.below(folder)))
        except OSError as exc:
            return FolderError(str(folder), f"cannot read folder: {exc.strerror or exc}")
        return None


def _name(path: Path) -> str:
    return path.name


def _walk(top: Path, ignore: IgnoreRules) -> Iterator[Path | FolderError]:
    walk = _Walk()
    problem = walk.enter(top, ignore)
    if problem:
        yield problem
    while walk.pending:
        entries, rules = walk.pending[-1]
        child = next(entries, None)
        if child is None:
            walk.pending.pop()
        elif child.name.startswith("."):
            continue
        elif child.is_dir():
            if not rules.ignored(child, is_dir=True):
                problem = walk.enter(child, rules)
                if problem:
                    yield problem
        elif child.suffix.lower() in SUFFIXES and not rules.ignored(child):
            yield child


def folder_files(folder: Path, ignore: IgnoreRules) -> Iterator[Path | FolderError]:
    """Every input file under `folder` once, by its real path (two links to one file: one read)."""
    seen: set[str] = set()
    found = False
    real_folders: dict[str, str] = {}
    for entry in _walk(folder, ignore):
        if isinstance(entry, Path):
            real = _real_path(entry, real_folders)
            if real in seen:
                continue
            seen.add(real)
            found = True
        yield entry
    if not found:
        yield FolderError(str(folder), "folder holds no .yaml, .yml or .json files")


def _real_path(path: Path, real_folders: dict[str, str]) -> str:
    """os.path.realpath(path), resolving each folder once: a file that is not a symlink is its real
    folder's entry of the same name (one lstat instead of one per path component)."""
    if path.is_symlink():
        return os.path.realpath(path)
    folder, name = os.path.split(path)
    real = real_folders.get(folder)
    if real is None:
        real = real_folders[folder] = os.path.realpath(folder)
    return os.path.join(real, name)
