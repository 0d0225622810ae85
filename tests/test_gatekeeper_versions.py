"""Gatekeeper template versions: rendering is deterministic and idempotent, a content change bumps
the patch version in the lock, and `generate --check` names the bump."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

from gatekeeper_files import load_doc as _load
from kfpolicy.catalogue.model import Catalogue
from kfpolicy.gatekeeper.names import LOCK_PATH, template_path
from kfpolicy.gatekeeper.render import render_gatekeeper
from kfpolicy.generate import generate

# --- versions and determinism ------------------------------------------------------------------


def _retitle(cat: Catalogue, rule_id: str, title: str) -> Catalogue:
    rules = dict(cat.rules)
    rules[rule_id] = dataclasses.replace(rules[rule_id], title=title)
    return dataclasses.replace(cat, rules=rules)


def test_render_is_deterministic_and_idempotent(catalogue: Catalogue) -> None:
    first = render_gatekeeper(catalogue)
    assert render_gatekeeper(catalogue) == first
    assert render_gatekeeper(catalogue, lock_text=first[LOCK_PATH]) == first
    lock = json.loads(first[LOCK_PATH])
    assert set(lock) == set(catalogue.rules)
    assert all(v["version"] == "1.0.0" and re.fullmatch(r"[0-9a-f]{64}", v["sha256"]) for v in lock.values())


def test_content_change_bumps_the_patch_version(catalogue: Catalogue) -> None:
    first = render_gatekeeper(catalogue)
    rid = "replicas-non-negative"
    changed_cat = _retitle(catalogue, rid, "Replica counts are never negative")
    second = render_gatekeeper(changed_cat, lock_text=first[LOCK_PATH])
    assert (
        _load(second, template_path(rid))["metadata"]["annotations"]["metadata.gatekeeper.sh/version"]
        == "1.0.1"
    )
    changed = {p for p in second if second[p] != first.get(p)}
    assert changed == {template_path(rid), LOCK_PATH}
    # idempotent: generating again from the new lock changes nothing
    assert render_gatekeeper(changed_cat, lock_text=second[LOCK_PATH]) == second
    # a hand-edited lock version (minor bump) is kept while the content stays the same
    lock = json.loads(second[LOCK_PATH])
    lock[rid]["version"] = "1.1.0"
    third = render_gatekeeper(changed_cat, lock_text=json.dumps(lock))
    assert (
        _load(third, template_path(rid))["metadata"]["annotations"]["metadata.gatekeeper.sh/version"]
        == "1.1.0"
    )


def test_generate_check_names_the_version_bump(catalogue: Catalogue, tmp_path: Path) -> None:
    generate(catalogue, tmp_path)
    assert generate(catalogue, tmp_path, check=True).drifted == []
    rid = "replicas-non-negative"
    result = generate(_retitle(catalogue, rid, "Changed title"), tmp_path, check=True)
    assert template_path(rid) in result.drifted and LOCK_PATH in result.drifted
    assert result.notes[template_path(rid)] == "content changed: version 1.0.0 must become 1.0.1"
    # content edited by hand while the version stays: still drift, and said so
    path = tmp_path / template_path(rid)
    path.write_text(path.read_text().replace("Replica counts are not negative", "edited"))
    result = generate(catalogue, tmp_path, check=True)
    assert result.drifted == [template_path(rid)]
    assert result.notes[template_path(rid)] == "content differs from the catalogue at version 1.0.0"
    # regenerating twice writes the same bytes
    generate(catalogue, tmp_path)
    before = {p: p.read_bytes() for p in (tmp_path / "gatekeeper").rglob("*") if p.is_file()}
    assert generate(catalogue, tmp_path).written == []
    assert before == {p: p.read_bytes() for p in (tmp_path / "gatekeeper").rglob("*") if p.is_file()}
