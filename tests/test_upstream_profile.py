"""The `upstream` profile holds only rules that answer for a check that really rejects (or warns) in a
cluster: every rule in it cites, in rule.yaml's `upstream` list, at least one upstream check that does,
and none that never fires. The effect of each upstream id is transcribed in tests/upstream/checks.yaml.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kfpolicy.catalogue.loader import load_catalogue
from kfpolicy.catalogue.model import Catalogue, Rule

CHECKS = Path(__file__).parent / "upstream" / "checks.yaml"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="module")
def checks() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(CHECKS.read_text(encoding="utf-8"))
    return loaded


def effect(checks: dict[str, Any], reference: str) -> str:
    """deny, fails, warn or never; 'unknown' for an id the table does not hold."""
    if reference.startswith("CRD "):
        return "deny"
    for name in ("deny", "fails", "warn", "never"):
        if reference in checks[name]:
            return name
    return "unknown"


def upstream_rules(catalogue: Catalogue) -> list[Rule]:
    return [catalogue.rules[rule_id] for rule_id in sorted(catalogue.profiles["upstream"].rules)]


def test_every_upstream_rule_cites_a_check_that_rejects(catalogue: Catalogue, checks: dict[str, Any]) -> None:
    wrong = {}
    for rule in upstream_rules(catalogue):
        effects = {ref: effect(checks, ref) for ref in rule.upstream}
        wanted = {"warn"} if rule.enforcement == "warn" else {"deny", "fails"}
        if not wanted & set(effects.values()) or "unknown" in effects.values():
            wrong[rule.id] = effects
    assert not wrong, wrong


def test_no_upstream_rule_cites_a_check_that_never_fires_alone(
    catalogue: Catalogue, checks: dict[str, Any]
) -> None:
    """A rule citing only checks that never fire is not upstream (mpijob-ssh-auth-mount-path-required
    cited MV-7 alone)."""
    only_never = [
        rule.id
        for rule in upstream_rules(catalogue)
        if rule.upstream and all(effect(checks, ref) == "never" for ref in rule.upstream)
    ]
    assert not only_never
    assert "mpijob-ssh-auth-mount-path-required" not in {r.id for r in upstream_rules(catalogue)}
    assert "mpijob-ssh-auth-mount-path-required" in catalogue.profiles["baseline"].rules


def test_the_table_names_every_id_once(checks: dict[str, Any]) -> None:
    ids = [*checks["deny"], *checks["fails"], *checks["warn"], *checks["never"]]
    assert len(ids) == len(set(ids))
    assert "MV-7" in checks["never"] and "MV-14" in checks["fails"]
