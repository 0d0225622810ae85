"""The generation pipeline, top to bottom: catalogue -> rendered files -> written (or checked) once."""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kfpolicy.catalogue.model import Catalogue
from kfpolicy.gatekeeper.names import LEGACY_LOCK_PATH, LOCK_PATH, GatekeeperOptions
from kfpolicy.gatekeeper.render import render_gatekeeper
from kfpolicy.render.bundle import BUNDLE_PATH, render_bundle
from kfpolicy.render.deploy import render_deploy
from kfpolicy.render.docs import render_docs
from kfpolicy.render.profile_data import profile_files
from kfpolicy.render.rego import render_rego

# Folders whose whole content is generated: files here that the catalogue no longer produces are stale.
GENERATED_DIRS = ("rego", "bundles", "docs/rules", "gatekeeper", "deploy")
STAGING_PREFIX = ".kfpolicy-staging-"


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
    files.update({p: t.encode("utf-8") for p, t in profile_files(cat).items()})
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


def _in_generated_dir(rel: str) -> bool:
    return any(rel.startswith(d + "/") for d in GENERATED_DIRS)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block ends (a few renames), so a swap is never cut in half."""
    held = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM raises like Ctrl-C while staging, so the staging folder is removed on it too."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _swap_in(root: Path, files: dict[str, bytes]) -> None:
    """Write every generated folder whole into a staging folder under root, then swap each one in
    by renaming: the tree is the old one or the new one, never half of each. The staging folder
    is removed on any exit; one left by a killed run is removed by the next."""
    for leftover in root.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(leftover, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(dir=root, prefix=STAGING_PREFIX))
    try:
        with _terminate_as_interrupt():
            for rel, payload in files.items():
                target = staging / "new" / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(payload)
                target.chmod(0o644)
            for d in GENERATED_DIRS:
                (staging / "new" / d).mkdir(parents=True, exist_ok=True)
                (root / d).parent.mkdir(parents=True, exist_ok=True)
                (staging / "old" / d).parent.mkdir(parents=True, exist_ok=True)
            with _signals_held():
                for d in GENERATED_DIRS:
                    if (root / d).exists():
                        os.replace(root / d, staging / "old" / d)
                    os.replace(staging / "new" / d, root / d)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


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
            result.written.append(rel)
    if check:
        result.drifted.extend(stale)
        return result
    result.removed.extend(stale)
    if any(_in_generated_dir(rel) for rel in [*result.written, *result.removed]):
        root.mkdir(parents=True, exist_ok=True)
        _swap_in(root, {rel: payload for rel, payload in files.items() if _in_generated_dir(rel)})
    for rel in result.written:
        if not _in_generated_dir(rel):
            _write_atomic(root / rel, files[rel])
    return result
