"""Resource names: the standard container resources and well-formed extended names pass, on both
engines; the rest get Kubernetes' message."""

from __future__ import annotations

import pytest

from kfpolicy.catalogue import Catalogue
from kfpolicy.engines.opa_golib import available as opa_available
from kfpolicy.runner import Evaluator
from resource_jobs import C0, evaluate, found, job

# --- resource names ---------------------------------------------------------------------------------

STANDARD = "must be a standard resource for containers"
EXTENDED = "doesn't follow extended resource name standard"


@pytest.mark.parametrize(
    ("name", "detail"),
    [
        ("cpu", None),
        ("memory", None),
        ("ephemeral-storage", None),
        ("hugepages-2Mi", None),
        ("hugepages-1Gi", None),
        ("nvidia.com/gpu", None),
        ("amd.com/gpu", None),
        ("example.kubernetes.io/widget", None),
        ("rdma/hca_shared_devices_a", None),
        ("gpu.intel.com/i915", None),
        ("a/" + "b" * 63, None),
        ("cpus", STANDARD),
        ("CPU", STANDARD),
        ("mem", STANDARD),
        ("gpu", STANDARD),
        ("storage", STANDARD),
        ("", STANDARD),
        ("nvidia.com/GPU count", EXTENDED),
        ("NVIDIA.com/gpu", EXTENDED),
        ("requests.nvidia.com/gpu", EXTENDED),
        ("example.com/a/b", EXTENDED),
        ("example.com/", EXTENDED),
        ("/gpu", EXTENDED),
        ("-x.com/gpu", EXTENDED),
        ("a/" + "b" * 64, EXTENDED),
        ("ü.com/gpu", EXTENDED),
    ],
)
def test_resource_names(catalogue: Catalogue, modules: dict[str, str], name: str, detail: str | None) -> None:
    for engine in ("embedded", "opa") if opa_available() else ("embedded",):
        ev = Evaluator(
            catalogue, profile="all", engine=engine, only=["resource-names-valid"], modules=modules
        )
        result = evaluate(ev, job({"limits": {name: "1"}}))
        field = f"{C0}.resources.limits[{name}]"
        want = (
            []
            if detail is None
            else [("resource-names-valid", field, f'{field}: Invalid value: "{name}": {detail}')]
        )
        assert found(result) == want, engine


def test_well_known_extended_names_are_well_formed(catalogue: Catalogue) -> None:
    """The lookup that spares the regular expression holds only names the expression accepts."""
    ev = Evaluator(catalogue, profile="all", engine="embedded-interpreter", only=["resource-names-valid"])
    package = "data.lib.kubeflow.rules.resource_names_valid"
    known = ev.query(f"{package}.well_known_extended_names", {})
    assert "nvidia.com/gpu" in known
    for name in known:
        assert ev.query(f'{package}.extended_name("{name}")', {}) is True, name
