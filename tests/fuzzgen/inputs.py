"""One rego input: a valid, broken or type-confused object of some kind, as a manifest, an
AdmissionReview or a Gatekeeper review; and the hypothesis strategy for it."""

from __future__ import annotations

import copy
from typing import Any

from kfpolicy.catalogue.model import Catalogue, Kind

from .mutations import break_one, confuse
from .sources import HypothesisSource, Source
from .trainer import runtime, trainjob
from .v1_jobs import v1_job


def valid_object(src: Source, kind: Kind) -> dict[str, Any]:
    if kind.replica_specs:
        return v1_job(src, kind)
    if kind.kind == "TrainJob":
        return trainjob(src, kind)
    return runtime(src, kind)


MODES = ("valid", "broken", "confused")


def wrap(src: Source, obj: Any, old: Any) -> Any:
    """The object as a manifest, an AdmissionReview or a Gatekeeper review (with an old object on UPDATE)."""
    form = src.integer(0, 5)
    if form <= 2:
        return obj
    operation = src.choice(["CREATE", "UPDATE", "UPDATE"])
    request: dict[str, Any] = {"uid": "u", "operation": operation, "object": obj}
    if operation == "UPDATE":
        request["oldObject"] = old
    if form <= 4:
        return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": request}
    return {"review": request, "parameters": {}}


def generate(src: Source, cat: Catalogue, *, mode: str | None = None, kind_id: str | None = None,
             max_containers: int = 200) -> Any:
    """One rego input: a manifest or review of a valid, broken or type-confused object of some kind."""
    kinds = sorted(cat.kinds)
    kind = cat.kinds[kind_id or src.choice(kinds)]
    mode = mode or src.choice(MODES)
    obj = valid_object(src, kind)
    old = copy.deepcopy(obj) if src.chance(50) else valid_object(src, kind)
    if mode == "broken":
        obj = break_one(src, obj)
    elif mode == "confused":
        obj = confuse(src, obj, max_containers)
        if src.chance(20):
            old = confuse(src, old, 0)
    return wrap(src, obj, old)


def strategy(
    cat: Catalogue, *, mode: str | None = None, kind_id: str | None = None, max_containers: int = 200
) -> Any:
    """A hypothesis strategy for `generate`."""
    from hypothesis import strategies as st

    @st.composite
    def build(draw: Any) -> Any:
        return generate(
            HypothesisSource(draw), cat, mode=mode, kind_id=kind_id, max_containers=max_containers
        )

    return build()
