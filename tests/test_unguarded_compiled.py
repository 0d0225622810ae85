"""Rules that need no compiled-mode guard (engines/compiled_guard.py): their violations come out the same
from regorus's compiled mode run on the modules as written (no `x == x` after `:=`) as from the
interpreter. In the compiled mode `x := <undefined>` binds a marker instead of failing the body, so a
rule that assigns a lookup that can miss must check what it got (see DESIGN.md, the embedded engine)."""

from __future__ import annotations

import json
from typing import Any

import regorus

from kfpolicy.catalogue import Catalogue
from kfpolicy.engines import make_engine
from kfpolicy.render.rego import render_rego

ANCESTOR = "trainer.kubeflow.org/trainjob-ancestor-step"


def _runtime(ancestor: str, container: str) -> dict[str, Any]:
    job = {
        "name": "node",
        "template": {
            "metadata": {"labels": {ANCESTOR: ancestor}},
            "spec": {"template": {"spec": {"containers": [{"name": container, "image": "torch:2"}]}}},
        },
    }
    return {
        "apiVersion": "trainer.kubeflow.org/v1alpha1",
        "kind": "ClusterTrainingRuntime",
        "metadata": {"name": "r"},
        "spec": {"template": {"spec": {"replicatedJobs": [job]}}},
    }


def _unguarded_compiled(modules: dict[str, str], path: str, obj: dict[str, Any]) -> Any:
    program = regorus.Program.compile_from_modules("{}", sorted(modules.items()), [path])
    vm = regorus.Rvm()
    vm.load_program(program)
    vm.set_data_json("{}")
    vm.set_input_json(json.dumps(obj))
    return json.loads(vm.execute_entry_point(path))


def test_runtime_ancestor_container_needs_no_guard(catalogue: Catalogue) -> None:
    modules = {p: t for p, t in render_rego(catalogue).items() if p.startswith("rego/lib/")}
    modules["rego/rules/runtime_ancestor_container.rego"] = render_rego(catalogue)[
        "rego/rules/runtime_ancestor_container.rego"
    ]
    path = "data.lib.kubeflow.rules.runtime_ancestor_container.violation"
    interpreter = make_engine("embedded-interpreter")
    interpreter.load(modules, {})
    cases = {
        "an ancestor no container is required for": (_runtime("launcher", "x"), 0),
        "the trainer without its node container": (_runtime("trainer", "x"), 1),
        "the trainer with its node container": (_runtime("trainer", "node"), 0),
    }
    for name, (obj, expected) in cases.items():
        compiled = _unguarded_compiled(modules, path, obj)
        assert len(compiled) == expected, name
        assert sorted(json.dumps(v, sort_keys=True) for v in compiled) == sorted(
            json.dumps(v, sort_keys=True) for v in interpreter.evaluate(path, json.dumps(obj))
        ), name
