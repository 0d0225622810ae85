"""Find the kfpolicy repository that `generate`, `test` and `new rule` work on.

These commands read the repository's catalogue and write or check its generated files, so they
never guess: the repository is `--repo DIR`, or the nearest folder at or above the current one whose
`pyproject.toml` names the kfpolicy project. Outside one they stop with an error instead of writing
into an unrelated folder.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from kfpolicy.errors import KfpolicyError

PROJECT_NAME = "kfpolicy"
CATALOGUE_PATH = Path("generator") / "kfpolicy" / "data" / "catalogue"
CORPUS_PATH = Path("tests") / "jobs"


@dataclass(frozen=True)
class Repository:
    """A kfpolicy checkout: its root and the folders the repository commands use."""

    root: Path

    @property
    def catalogue_dir(self) -> Path:
        return self.root / CATALOGUE_PATH

    @property
    def corpus_dir(self) -> Path:
        return self.root / CORPUS_PATH


def names_kfpolicy(pyproject: Path) -> bool:
    """Whether this pyproject.toml declares the kfpolicy project (unreadable files do not)."""
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    project = data.get("project")
    return isinstance(project, dict) and project.get("name") == PROJECT_NAME


def _checked(root: Path) -> Repository:
    repo = Repository(root)
    if not repo.catalogue_dir.is_dir():
        raise KfpolicyError(f"{root}: kfpolicy repository without its catalogue ({CATALOGUE_PATH}/)")
    return repo


def find_repository(explicit: Path | None = None, start: Path | None = None) -> Repository:
    """The repository named by `explicit`, else the nearest one at or above `start` (default: cwd)."""
    if explicit is not None:
        root = explicit.resolve()
        if not names_kfpolicy(root / "pyproject.toml"):
            raise KfpolicyError(
                f"--repo {explicit}: not a kfpolicy repository (no pyproject.toml naming kfpolicy)")
        return _checked(root)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if names_kfpolicy(folder / "pyproject.toml"):
            return _checked(folder)
    raise KfpolicyError(
        f"{here}: not inside a kfpolicy repository (no pyproject.toml naming kfpolicy here or above); "
        "run this from a checkout or give --repo DIR"
    )
