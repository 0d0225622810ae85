"""Profiles and parameters are data: static Rego in rego/kubeflow/ reads data.kubeflow.rules (the active
rules, their enforcement and parameters); without data the default profile applies, as plain
`opa eval -d rego/` and conftest users get it. Checked on the embedded engine (compiled mode and
interpreter) and on real OPA."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from kfpolicy.catalogue import Catalogue
from kfpolicy.catalogue.loader import ALL_PROFILE
from kfpolicy.engines import UNDEFINED, make_engine
from kfpolicy.engines.opa_golib import available as opa_available
from kfpolicy.engines.regorus_engine import RegorusEngine
from kfpolicy.merge import deep_merge
from kfpolicy.render.bundle import bundle_data
from kfpolicy.render.profile_data import kubeflow_data, profile_rules
from kfpolicy.render.rego import render_rego

ROOT = Path(__file__).resolve().parents[1]
DENIED = ROOT / "examples" / "denied" / "pytorchjob-two-masters.yaml"
GPU_JOB = ROOT / "examples" / "jobs" / "pytorchjob-ddp.yaml"
ENGINES = ["embedded", "embedded-interpreter", *(["opa"] if opa_available() else [])]


def _violations(
    engine_name: str, modules: dict[str, str], data: dict[str, Any], job_file: Path = DENIED
) -> list[tuple[str, str]]:
    engine = make_engine(engine_name)
    if isinstance(engine, RegorusEngine):
        engine.compile_after = 0  # the compiled mode from the first call
    engine.load(modules, data)
    job = yaml.safe_load(job_file.read_text(encoding="utf-8"))
    raw = engine.evaluate("data.kubeflow.violation", json.dumps(job))
    assert raw is not UNDEFINED
    return sorted((v["details"]["rule"], v["details"]["enforcement"]) for v in raw)


@pytest.mark.parametrize("engine_name", ENGINES)
def test_without_data_the_default_profile_applies(catalogue: Catalogue, engine_name: str) -> None:
    modules = render_rego(catalogue)
    plain = _violations(engine_name, modules, {})
    assert plain == _violations(engine_name, modules, {"kubeflow": kubeflow_data(catalogue)})
    assert {"master-replicas-one", "requests-within-limits"} <= {rule for rule, _ in plain}


@pytest.mark.parametrize("engine_name", ENGINES)
def test_rules_and_enforcement_are_selected_through_data(catalogue: Catalogue, engine_name: str) -> None:
    modules = render_rego(catalogue)
    rules = profile_rules(catalogue, "baseline", only=["master-replicas-one"])
    one = {"kubeflow": {"rules": rules}}
    assert _violations(engine_name, modules, one) == [("master-replicas-one", "deny")]
    rules["master-replicas-one"]["enforcement"] = "warn"
    assert _violations(engine_name, modules, one) == [("master-replicas-one", "warn")]
    assert _violations(engine_name, modules, {"kubeflow": {"rules": {}}}) == []


@pytest.mark.parametrize("engine_name", ENGINES)
def test_a_profile_file_and_parameters_given_as_data_files(catalogue: Catalogue, engine_name: str) -> None:
    """What README tells opa eval users: -d bundles/profiles/restricted.json -d params.json (OPA merges
    the data files into one tree)."""
    modules = render_rego(catalogue)
    restricted = json.loads((ROOT / "bundles" / "profiles" / "restricted.json").read_text(encoding="utf-8"))
    assert restricted == {"kubeflow": kubeflow_data(catalogue, "restricted")}
    assert _violations(engine_name, modules, restricted, GPU_JOB) == []
    params = {"kubeflow": {"parameters": {"resource-limit-caps": {"max_limits": {"nvidia.com/gpu": "0"}}}}}
    capped = _violations(engine_name, modules, deep_merge(restricted, params), GPU_JOB)
    assert capped and {rule for rule, _ in capped} == {"resource-limit-caps"}


def test_no_test_only_profile_ships(catalogue: Catalogue) -> None:
    assert ALL_PROFILE in catalogue.profiles  # kfpolicy's own tests still select it, through data
    shipped = render_rego(catalogue)
    assert not any(f'"{ALL_PROFILE}"' in text for text in shipped.values())
    assert bundle_data(catalogue)["kubeflow"] == kubeflow_data(catalogue, catalogue.default_profile)
    assert not (ROOT / "gatekeeper" / "profiles" / ALL_PROFILE).exists()
