"""Every rule of the catalogue, allowed and denied, through `kfpolicy eval`: each rule's examples
(batched where they need no parameters or inventory of their own) get exactly their violations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cli_jobs import eval_json, write
from kfpolicy import cli as cli_module
from kfpolicy.catalogue import Catalogue
from kfpolicy.catalogue.model import Example, Rule

# --- every rule, allowed and denied, through `kfpolicy eval` ------------------------------------


def _as_input(ex: Example) -> dict[str, Any]:
    if ex.operation == "CREATE" and ex.old_object is None:
        return ex.object
    return {
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": ex.name,
            "operation": ex.operation,
            "object": ex.object,
            "oldObject": ex.old_object,
        },
    }


def _batches(cat: Catalogue) -> Iterator[tuple[str, list[tuple[Rule, Example]]]]:
    """Examples without their own parameters or inventory share one run; the others run alone."""
    plain = []
    for rule in cat.rules_sorted():
        for ex in rule.examples:
            if not isinstance(ex.object, dict):
                continue
            if ex.parameters is None and not ex.inventory:
                plain.append((rule, ex))
            else:
                yield f"{rule.id}/{ex.name}", [(rule, ex)]
    yield "plain", plain


def _check(cat: Catalogue, tmp_path: Path, batch: list[tuple[Rule, Example]]) -> list[str]:
    args = ["--profile", "all"]
    files: dict[str, tuple[Rule, Example]] = {}
    for n, (rule, ex) in enumerate(batch):
        path = write(tmp_path, f"in/{n:04d}-{ex.name}.json", json.dumps(_as_input(ex)))
        files[f"{path}#0"] = (rule, ex)
        if ex.parameters is not None:
            args += ["--parameters", write(tmp_path, "params.json", json.dumps({rule.id: ex.parameters}))]
        if ex.inventory:
            listing = {"apiVersion": "v1", "kind": "List", "items": list(ex.inventory)}
            args += ["--inventory", write(tmp_path, "inventory.json", json.dumps(listing))]
    code, out = eval_json(*args, str(tmp_path / "in"))
    problems = []
    results = {r["source"]: r for r in out["results"]}
    assert set(results) == set(files)
    for source, (rule, ex) in files.items():
        violations = results[source]["violations"]
        got = {(v["type"], v["field"]) for v in violations if v["rule"] == rule.id}
        want = {(v.type, v.field) for v in ex.violations}
        # Where a stricter rule reports the same field, this rule stays silent by design.
        covered = {v["field"] for v in violations if v["rule"] in rule.yields_to}
        missing = {w for w in want - got if w[1] not in covered}
        if got - want or missing:
            problems.append(
                f"{rule.id}/{ex.name}: unexpected {sorted(got - want)}, missing {sorted(missing)}"
            )
        if ex.allowed and any(v["rule"] == rule.id for v in violations):
            problems.append(f"{rule.id}/{ex.name}: allowed example reported by its rule")
    if any(not ex.allowed for _, ex in batch):
        assert code in (0, 1)
    return problems


def test_every_rule_allows_and_denies_its_examples_through_the_cli(
    catalogue: Catalogue, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ~50 runs: reuse the loaded catalogue (test_catalogue_*.py test loading), all else is the CLI's.
    monkeypatch.setattr(cli_module, "_load", lambda catalogues: catalogue)
    problems = []
    seen_allowed, seen_denied = set(), set()
    for name, batch in _batches(catalogue):
        problems += _check(catalogue, tmp_path / name, batch)
        seen_allowed |= {r.id for r, ex in batch if ex.allowed}
        seen_denied |= {r.id for r, ex in batch if not ex.allowed}
    assert problems == []
    assert seen_allowed == seen_denied == set(catalogue.rules)

