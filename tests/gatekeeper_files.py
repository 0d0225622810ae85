"""The Gatekeeper tests' shared pieces: the profiles that get constraints, and one document read
from the generated files (the `files` and `code_files` fixtures are in conftest.py)."""

from __future__ import annotations

from typing import Any

from kfpolicy.gatekeeper.evaluate import parse_docs

PROFILES = ("upstream", "baseline", "restricted")


def load_doc(files: dict[str, str], path: str) -> dict[str, Any]:
    """The one YAML document at `path` in the generated files."""
    docs = parse_docs(files[path])
    assert len(docs) == 1
    return docs[0]
