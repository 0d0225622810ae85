"""Shared fixtures: the repository root, the built-in catalogue and the upstream reference data."""

from __future__ import annotations

from pathlib import Path

import pytest

from kfpolicy.catalogue import Catalogue, load_catalogue

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "kubeflow"


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"upstream reference data not found at {SHARED}: clone the repository beside ../shared")
    return SHARED
