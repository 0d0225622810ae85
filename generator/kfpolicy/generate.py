"""The generation pipeline, top to bottom: catalogue -> rendered files -> written (or checked) once."""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from kfpolicy.catalogue.model import Catalogue
from kfpolicy.gatekeeper.names import LEGACY_LOCK_PATH, LOCK_PATH, GatekeeperOptions
from kfpolicy.gatekeeper.render import render_gatekeeper
from kfpolicy.render.bundle import BUNDLE_PATH, render_bundle
from kfpolicy.render.deploy import render_deploy
from kfpolicy.render.docs import render_docs
from kfpolicy.render.rego import render_rego

# Folders whose whole content is generated: files here that the catalogue no longer produces are stale.
GENERATED_DIRS = ("rego", "bundles", "docs/rules", "gatekeeper", "deploy")


@dataclass(frozen=True)
class GenerateOptions:
    gatekeeper_code_field: bool = False


@dataclass
class GenerateResult:
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    drifted: list[str] = field(default_factory=list)
    # Why a drifted file differs, where known (e.g. a template whose content changed: its version bumps).
    notes: dict[str, str] = field(default_factory=dict)


def render_all(
    cat: Catalogue, options: GenerateOptions | None = None, gatekeeper_lock: str | bytes | None = None
) -> dict[str, bytes]:
    """Every generated artefact, keyed by path relative to the output root. Pure: no disk access
    (the Gatekeeper template versions derive from the previous lock, passed in as text)."""
    options = options or GenerateOptions()
    rego = render_rego(cat)
    files: dict[str, bytes] = {p: t.encode("utf-8") for p, t in rego.items()}
    files[BUNDLE_PATH] = render_bundle(cat, rego)
    files.update({p: t.encode("utf-8") for p, t in render_docs(cat).items()})
    files.update({p: t.encode("utf-8") for p, t in render_deploy(cat, rego).items()})
    gk = render_gatekeeper(cat, GatekeeperOptions(code_field=options.gatekeeper_code_field), gatekeeper_lock)
    files.update({p: t.encode("utf-8") for p, t in gk.items()})
    return files


_VERSION = re.compile(rb"metadata\.gatekeeper\.sh/version: \"?([0-9.]+)")


def _version_note(current: bytes, wanted: bytes) -> str:
    old, new = _VERSION.search(current), _VERSION.search(wanted)
    if not (old and new):
        return ""
    if old.group(1) == new.group(1):
        return f"content differs from the catalogue at version {old.group(1).decode()}"
    return f"content changed: version {old.group(1).decode()} must become {new.group(1).decode()}"


def _existing(root: Path) -> set[str]:
    found: set[str] = set()
    for d in GENERATED_DIRS:
        base = root / d
        if base.is_dir():
            found.update(p.relative_to(root).as_posix() for p in base.rglob("*") if p.is_file())
    return found


def _write_atomic(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".kfpolicy-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        # mkstemp creates 0600; generated files are ordinary readable files.
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _previous_lock(root: Path) -> bytes | None:
    """The template version lock, from its current place or, in an older tree, from templates/."""
    for rel in (LOCK_PATH, LEGACY_LOCK_PATH):
        if (root / rel).is_file():
            return (root / rel).read_bytes()
    return None


def generate(
    cat: Catalogue, root: Path, *, check: bool = False, options: GenerateOptions | None = None
) -> GenerateResult:
    """Write every artefact under root, or with check=True only report which files differ."""
    files = render_all(cat, options, _previous_lock(root))
    result = GenerateResult()
    stale = sorted(_existing(root) - set(files))
    for rel in sorted(files):
        target = root / rel
        current = target.read_bytes() if target.is_file() else None
        if current == files[rel]:
            continue
        if check:
            result.drifted.append(rel)
            if rel.startswith("gatekeeper/templates/") and current is not None:
                result.notes[rel] = _version_note(current, files[rel])
        else:
            _write_atomic(target, files[rel])
            result.written.append(rel)
    for rel in stale:
        if check:
            result.drifted.append(rel)
        else:
            (root / rel).unlink()
            result.removed.append(rel)
    return result
