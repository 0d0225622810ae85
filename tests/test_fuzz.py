"""Property-based fuzzing of the generated policies on both engines (hypothesis).

Generators (tests/fuzzgen/) cover every kind in catalogue/kinds.yaml with valid objects, objects
with one field broken, and type-confused objects (numbers as strings, lists for maps, nulls, unicode,
very long names, huge integers, floats, deep nesting, many containers), as manifests, AdmissionReviews
and Gatekeeper reviews. Properties, on every generated input:
  - neither engine raises an error;
  - both engines return the same violations (and deny, warn, admission.response);
  - the same input twice gives the same output;
  - every violation's field names a path in the object (Required: its nearest existing parent).
CI runs a bounded number of examples; benchmarks/soak.py runs the same generators 100,000 times.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import fuzzgen
from fuzz_edge_inputs import EDGE_INPUTS
from kfpolicy.catalogue import Catalogue
from kfpolicy.engines.opa_golib import available as opa_available

pytestmark = pytest.mark.skipif(
    not opa_available(), reason="real OPA not installed (scripts/setup.sh --test)"
)

# No shrinking: it can take minutes on inputs this size; a failure prints the whole input instead.
FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def pair(catalogue: Catalogue) -> fuzzgen.EnginePair:
    return fuzzgen.EnginePair(catalogue, "all", fuzzgen.inventory(catalogue))


@pytest.fixture(scope="module")
def quirks(catalogue: Catalogue) -> frozenset[str]:
    return fuzzgen.quirk_fields(catalogue)


def check_properties(pair: fuzzgen.EnginePair, rego_input: Any, quirks: frozenset[str]) -> None:
    shown = json.dumps(rego_input)[:2000]
    for outcome in pair.check(rego_input):
        assert not outcome.error, f"engine error on {outcome.query}: {outcome.error}\ninput: {shown}"
        assert outcome.agree, (
            f"engines disagree on {outcome.query}\n embedded: {outcome.embedded}\n"
            f" interpreter: {outcome.interpreter}\n opa:      {outcome.opa}\ninput: {shown}"
        )
    assert not pair.compiled_fallbacks(), (
        f"the compiled mode handed an input to the interpreter\ninput: {shown}"
    )
    for name, ev in pair.engines.items():
        first = fuzzgen.canonical(ev.query("data.kubeflow.violation", rego_input))
        again = fuzzgen.canonical(ev.query("data.kubeflow.violation", rego_input))
        assert first == again, f"{name}: same input, different output\ninput: {shown}"
    violations = pair.embedded.query("data.kubeflow.violation", rego_input)
    obj = fuzzgen.object_of(rego_input)
    for v in violations if isinstance(violations, list) else []:
        d = v.get("details", {})
        problem = fuzzgen.field_problem(obj, d.get("field", ""), d.get("type", ""), quirks, d.get("value"))
        assert not problem, f"rule {d.get('rule')}: {problem}\nmsg: {v.get('msg')}\ninput: {shown}"


@pytest.mark.parametrize("mode", fuzzgen.MODES)
def test_generated_inputs(
    mode: str, catalogue: Catalogue, pair: fuzzgen.EnginePair, quirks: frozenset[str]
) -> None:
    @FUZZ
    @given(fuzzgen.strategy(catalogue, mode=mode, max_containers=50))
    def prop(rego_input: Any) -> None:
        check_properties(pair, rego_input, quirks)

    prop()


def test_every_kind_is_generated(
    catalogue: Catalogue, pair: fuzzgen.EnginePair, quirks: frozenset[str]
) -> None:
    """Each kind in the kind table, valid and broken, at least a few times (hypothesis may favour some)."""
    for kind_id in sorted(catalogue.kinds):
        @settings(FUZZ, max_examples=8)
        @given(st.sampled_from(["valid", "broken", "confused"]).flatmap(
            lambda m, k=kind_id: fuzzgen.strategy(catalogue, mode=m, kind_id=k, max_containers=10)))
        def prop(rego_input: Any) -> None:
            check_properties(pair, rego_input, quirks)

        prop()


@pytest.mark.parametrize("name", sorted(EDGE_INPUTS))
def test_edge_inputs(name: str, pair: fuzzgen.EnginePair, quirks: frozenset[str]) -> None:
    if name == "a thousand containers":  # the slow one: one query per engine
        outcome = pair.run("data.kubeflow.violation", EDGE_INPUTS[name])
        assert not outcome.error, outcome.error
        assert outcome.agree
        assert len(json.loads(outcome.embedded)) >= 1000
        return
    check_properties(pair, EDGE_INPUTS[name], quirks)


# --- Gatekeeper templates (Rego v1 form) on generated inputs ---------------------------------------


@pytest.fixture(scope="module")
def templates(catalogue: Catalogue) -> list[tuple[Any, dict[str, Any], dict[str, Any]]]:
    from kfpolicy.gatekeeper.evaluate import CompiledTemplate, parse_docs
    from kfpolicy.gatekeeper.names import SUITES, GatekeeperOptions, template_path
    from kfpolicy.gatekeeper.render import render_gatekeeper

    files = render_gatekeeper(catalogue, GatekeeperOptions(code_field=True))
    out = []
    for rule in catalogue.rules_sorted():
        [template] = parse_docs(files[template_path(rule.id)])
        cpath = f"{SUITES}/{rule.id}/constraint.yaml"
        params = (parse_docs(files[cpath])[0]["spec"].get("parameters") or {}) if cpath in files else {}
        out.append((rule, {e: CompiledTemplate(template, engine=e) for e in ("embedded", "opa")}, params))
    return out


def test_gatekeeper_templates_on_generated_inputs(catalogue: Catalogue, templates: Any) -> None:
    from kfpolicy.admission import admission_request
    from kfpolicy.engine_input import input_json
    from kfpolicy.runner import inventory_tree

    inventory = inventory_tree(fuzzgen.inventory(catalogue))

    @settings(FUZZ, max_examples=25)
    @given(fuzzgen.strategy(catalogue, max_containers=20))
    def prop(rego_input: Any) -> None:
        obj = fuzzgen.object_of(rego_input)
        kind = catalogue.kind_for(obj.get("apiVersion"), obj.get("kind"))
        request = (
            rego_input.get("request") or rego_input.get("review") if isinstance(rego_input, dict) else None
        )
        operation, old = "CREATE", None
        if isinstance(request, dict) and request.get("object") is obj:
            operation, old = str(request.get("operation", "CREATE")), request.get("oldObject")
        review = admission_request(obj, operation=operation, old_object=old)
        for rule, engines, params in templates:
            if kind is None or kind.id not in rule.kinds:
                continue
            text = input_json({"review": review, "parameters": params})
            got = {e: fuzzgen.canonical(t.violations(text, inventory, "fuzz")) for e, t in engines.items()}
            assert got["embedded"] == got["opa"], (rule.id, got, json.dumps(rego_input)[:2000])

    prop()
