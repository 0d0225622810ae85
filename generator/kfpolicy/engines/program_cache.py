"""A disk cache of compiled programs, so a process need not guard and compile the catalogue again.

Guarding the modules and compiling them costs about 0.3 s of start-up; loading a cached program costs
about 1 ms. An entry is keyed by a hash of everything that shapes the program: the modules' text, the
rule path, the engine's version and the guard's own source (a changed guard is a new key).

Where: `$KFPOLICY_CACHE_DIR`, else `$XDG_CACHE_HOME/kfpolicy`, else `~/.cache/kfpolicy`; the value
`off` turns the cache off. Writes are atomic (a temporary file renamed into place), so concurrent
writers never leave a half-written entry; an entry that does not read back (truncated, corrupt, from
another version) is ignored and written anew. Any failure to read or write only costs a compile.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import regorus

CACHE_ENV = "KFPOLICY_CACHE_DIR"
_MAGIC = b"KFPOLICY-CACHE-2\n"
_DECLINED = b"D"  # the compiler declined these modules: the interpreter answers
_PROGRAM = b"P"


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is off."""
    configured = os.environ.get(CACHE_ENV, "")
    if configured.strip().lower() == "off":
        return None
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "kfpolicy"


def engine_version() -> str:
    try:
        return metadata.version("gordon-to-regorus")
    except metadata.PackageNotFoundError:
        return "unknown"


def entry_key(modules: tuple[tuple[str, str], ...], rule_path: str) -> str:
    from kfpolicy.engines import compiled_guard  # its source is part of the key

    digest = hashlib.sha256()
    digest.update(engine_version().encode() + b"\0" + rule_path.encode() + b"\0")
    digest.update(Path(compiled_guard.__file__).read_bytes())
    for path, text in modules:
        digest.update(b"\0" + path.encode("utf-8", "surrogatepass") + b"\0")
        digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class Missing:
    """No usable entry."""


MISSING = Missing()


def read_blob(name: str) -> bytes | None:
    """An entry's payload, or None when there is no entry that reads back whole."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        raw = (folder / name).read_bytes()
    except OSError:
        return None
    head, checksum, payload = raw[: len(_MAGIC)], raw[len(_MAGIC) : len(_MAGIC) + 32], raw[len(_MAGIC) + 32 :]
    if head != _MAGIC or hashlib.sha256(payload).digest() != checksum:
        return None
    return payload


def write_blob(name: str, payload: bytes) -> None:
    """Write an entry atomically; failures are ignored (the next process computes it again)."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name[:16]}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, folder / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return


def load(key: str) -> Any:
    """The cached program (None for a declined one), or MISSING."""
    blob = read_blob(f"{key}.rvm")
    if blob is None or blob[:1] not in (_DECLINED, _PROGRAM):
        return MISSING
    if blob[:1] == _DECLINED:
        return None
    try:
        program, partial = regorus.Program.deserialize_binary(blob[1:])
    except (RuntimeError, ValueError, TypeError):
        return MISSING
    return MISSING if partial else program


def store(key: str, program: Any) -> None:
    """Write a program's entry (or that the compiler declined the modules)."""
    try:
        payload = _DECLINED if program is None else _PROGRAM + bytes(program.serialize_binary())
    except RuntimeError:
        return
    write_blob(f"{key}.rvm", payload)
