"""The generated Gatekeeper folders work as they are, the way users point tools at them.

`gator test -f gatekeeper/templates -f gatekeeper/profiles/<p> -f job.yaml` and `kubectl apply -f
gatekeeper/templates/` read every .yaml/.yml/.json file of a folder as Kubernetes objects. Neither
gator nor kubectl exists here, so: every file in every generated folder is checked to hold only
objects with apiVersion and kind (what made gator stop before: `resource has no version`), and the
exact gator command is run through kfpolicy's Gatekeeper evaluator reading those same folders from
disk, file by file as gator does, with the job read from its own file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from kfpolicy.catalogue.model import Catalogue
from kfpolicy.gatekeeper.evaluate import GatekeeperEvaluator
from kfpolicy.gatekeeper.names import LOCK_PATH
from kfpolicy.inputs import Document, read_paths

ROOT = Path(__file__).resolve().parents[1]
GATEKEEPER = ROOT / "gatekeeper"
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
PROFILES = sorted(p.name for p in (GATEKEEPER / "profiles").iterdir() if p.is_dir())


def object_folders() -> list[Path]:
    """Every folder under gatekeeper/ that holds manifests (templates, each profile, each suite)."""
    return sorted({p.parent for p in GATEKEEPER.rglob("*") if p.suffix.lower() in MANIFEST_SUFFIXES})


def read_folder(folder: Path) -> dict[str, str]:
    """What `gator test -f FOLDER` / `kubectl apply -f FOLDER` read: every manifest file, not recursive."""
    return {
        p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.iterdir())
        if p.is_file() and p.suffix.lower() in MANIFEST_SUFFIXES
    }


@pytest.mark.parametrize("folder", object_folders(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_file_in_a_generated_folder_is_a_kubernetes_object(folder: Path) -> None:
    files = read_folder(folder)
    assert files
    for rel, text in files.items():
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
        assert docs, f"{rel}: no object"
        for doc in docs:
            assert isinstance(doc, dict), rel
            api_version, kind = doc.get("apiVersion"), doc.get("kind")
            assert isinstance(api_version, str) and api_version, f"{rel}: no apiVersion (gator: no version)"
            assert isinstance(kind, str) and kind, f"{rel}: no kind"


def test_the_version_lock_sits_outside_the_object_folders() -> None:
    lock = ROOT / LOCK_PATH
    assert lock.parent == GATEKEEPER and lock.suffix.lower() not in MANIFEST_SUFFIXES
    assert isinstance(json.loads(lock.read_text(encoding="utf-8")), dict)
    assert not (GATEKEEPER / "templates" / "versions.lock.json").exists()
    assert all(
        p.suffix.lower() in MANIFEST_SUFFIXES for f in object_folders() for p in f.iterdir() if p.is_file()
    )


def test_templates_folder_is_what_kubectl_apply_needs() -> None:
    kinds = {yaml.safe_load(text)["kind"] for text in read_folder(GATEKEEPER / "templates").values()}
    assert kinds == {"ConstraintTemplate", "Kustomization"}


def _key(result: Any) -> tuple[str, list[tuple[str, str, str]]]:
    return result.decision, sorted((v.rule, v.field, v.enforcement) for v in result.violations)


@pytest.mark.parametrize("profile", PROFILES)
def test_gator_test_command_on_the_folders_as_they_are(catalogue: Catalogue, profile: str) -> None:
    """gator test -f gatekeeper/templates -f gatekeeper/profiles/<profile> -f job.yaml"""
    on_disk = read_folder(GATEKEEPER / "templates") | read_folder(GATEKEEPER / "profiles" / profile)
    from_disk = GatekeeperEvaluator(catalogue, profile=profile, files=on_disk)
    rendered = GatekeeperEvaluator(catalogue, profile=profile)
    assert from_disk.rules == rendered.rules and from_disk.rules
    jobs = [d for d in read_paths([str(ROOT / "tests" / "jobs")]) if isinstance(d, Document)]
    decided = [from_disk.evaluate(job) for job in jobs]
    assert [_key(r) for r in decided] == [_key(rendered.evaluate(job)) for job in jobs]
    assert {r.decision for r in decided} >= {"deny", "allow"}
