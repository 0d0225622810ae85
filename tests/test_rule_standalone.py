"""Every rule.rego parses and evaluates on its own with the library, on both engines: nothing is
injected into it (its parameters come through lib.kubeflow.parameters, which reads the catalogue's
settings in rego/kubeflow/config.rego). No entry point and no other rule is loaded."""

from __future__ import annotations

import json

import pytest

from kfpolicy.catalogue import Catalogue
from kfpolicy.engines import UNDEFINED, Engine, make_engine
from kfpolicy.render.profile_data import kubeflow_data
from kfpolicy.render.rego import config_module, library_modules, rule_module
from kfpolicy.runner import inventory_tree
from kfpolicy.testing import example_input


@pytest.mark.parametrize("engine_name", ["embedded-interpreter", "opa"])
def test_each_rule_alone_with_the_library(catalogue: Catalogue, engine_name: str) -> None:
    library = {f"lib/{name}": text for name, text in library_modules(catalogue).items()}
    library["kubeflow/config.rego"] = config_module(catalogue)
    checked = 0
    for rule in catalogue.rules_sorted():
        # The rule's examples with the same referential data share one engine loaded with exactly
        # these modules and data (an evaluation does not change an engine).
        engines: dict[str, Engine] = {}
        for ex in rule.examples:
            if ex.parameters is not None or not isinstance(ex.object, dict):
                continue
            kind = catalogue.kind_for(ex.object.get("apiVersion"), ex.object.get("kind"))
            if kind is None or kind.id not in rule.kinds or ex.operation not in rule.operations:
                continue  # the entry points would not ask this rule
            inventory = inventory_tree(ex.inventory)
            key = json.dumps(inventory, sort_keys=True)
            if key not in engines:
                engines[key] = make_engine(engine_name)
                engines[key].load({**library, f"rules/{rule.snake_id}.rego": rule_module(rule)},
                                  {"kubeflow": kubeflow_data(catalogue, "all"), "inventory": inventory})
            raw = engines[key].evaluate(f"data.{rule.package}.violation", json.dumps(example_input(ex).input))
            got = set() if raw is UNDEFINED else {(v["details"]["type"], v["details"]["field"]) for v in raw}
            expected = {(v.type, v.field) for v in ex.violations}
            if rule.yields_to:
                # alone, a rule also reports what it yields to a stricter rule at the entry points
                assert expected <= got, (rule.id, ex.name)
            else:
                assert got == expected, (rule.id, ex.name)
            checked += 1
    assert checked > 2 * len(catalogue.rules)
