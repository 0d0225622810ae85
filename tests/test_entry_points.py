"""The generated entry points (rego/kubeflow/): small, in the line style the Rego is held to, and their
compact tables (rules grouped by kinds, the operations a rule skips, the default profile by enforcement)
select exactly the rules the catalogue says, on every engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kfpolicy.catalogue import Catalogue
from kfpolicy.catalogue.loader import ALL_PROFILE
from kfpolicy.engines import make_engine
from kfpolicy.engines.opa_golib import available as opa_available
from kfpolicy.engines.regorus_engine import RegorusEngine
from kfpolicy.render.profile_data import kubeflow_data, profile_rules
from kfpolicy.render.rego import render_rego

ENTRY = "rego/kubeflow/"
ENGINES = ["embedded", "embedded-interpreter", *(["opa"] if opa_available() else [])]
# Operations the catalogue's rules name, and ones no rule applies on (nothing may be active then).
OPERATIONS = ["CREATE", "UPDATE", "DELETE", "CONNECT"]


def _engine(name: str, modules: dict[str, str], data: dict[str, Any]) -> Any:
    engine = make_engine(name)
    if isinstance(engine, RegorusEngine):
        engine.compile_after = 0  # the compiled mode from the first call
    engine.load(modules, data)
    return engine


# Issue 13 asks for under 400. One dispatch block per rule (2 lines, 3 for ids over 28 characters:
# see main.rego's comment for why not a lookup by name) and the rule's place in the kind table need
# up to 3 lines per rule on top of a fixed part (232 lines with 79 rules). The bound grows with the
# catalogue so that adding a rule stays possible, and catches a template that grows without one.
FIXED_ENTRY_LINES = 250
ENTRY_LINES_PER_RULE = 3


def test_entry_points_stay_small(catalogue: Catalogue, root: Path) -> None:
    shipped = {p: t for p, t in render_rego(catalogue).items() if p.startswith(ENTRY)}
    assert set(shipped) == {str(p.relative_to(root)) for p in (root / ENTRY).glob("*.rego")}
    limit = FIXED_ENTRY_LINES + ENTRY_LINES_PER_RULE * len(catalogue.rules_sorted())
    assert sum(len(text.splitlines()) for text in shipped.values()) <= limit


def test_entry_point_lines_are_at_most_120_characters(catalogue: Catalogue) -> None:
    long = [
        f"{path}:{n}"
        for path, text in render_rego(catalogue).items()
        if path.startswith(ENTRY)
        for n, line in enumerate(text.splitlines(), 1)
        if len(line.expandtabs(4)) > 120
    ]
    assert long == []


@pytest.mark.parametrize("engine_name", ENGINES)
def test_active_rules_are_the_catalogue_kinds_and_operations(catalogue: Catalogue, engine_name: str) -> None:
    engine = _engine(engine_name, render_rego(catalogue), {"kubeflow": kubeflow_data(catalogue, ALL_PROFILE)})
    checked = 0
    for kind_id, kind in sorted(catalogue.kinds.items()):
        obj = {"apiVersion": f"{kind.group}/{kind.versions[0]}", "kind": kind.kind, "metadata": {"name": "x"}}
        for operation in OPERATIONS:
            review = {"request": {"operation": operation, "object": obj, "oldObject": obj}}
            active = engine.evaluate("data.kubeflow.active", json.dumps(review))
            rules = catalogue.rules.values()
            expected = [r.id for r in rules if kind_id in r.kinds and operation in r.operations]
            assert sorted(active or []) == sorted(expected), (kind_id, operation)
            checked += len(expected)
    assert checked > 2 * len(catalogue.rules)  # most rules apply on both operations


@pytest.mark.parametrize("engine_name", ENGINES)
def test_the_rego_default_is_the_default_profile_everywhere(catalogue: Catalogue, engine_name: str) -> None:
    engine = _engine(engine_name, render_rego(catalogue), {})
    default = profile_rules(catalogue, catalogue.default_profile)
    assert any(setting["parameters"] for setting in default.values())  # parameters are carried too
    assert engine.evaluate("data.kubeflow.config.default_rules", "{}") == default
    assert engine.evaluate("data.kubeflow.config.settings", "{}") == default
