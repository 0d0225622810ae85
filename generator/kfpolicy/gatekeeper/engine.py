"""The Gatekeeper evaluator behind the same Engine protocol as the Rego engines: loaded with the
generated gatekeeper/ files and the usual data (data.kubeflow.profile, .parameters, .only and
data.inventory), it answers data.kubeflow.violation as the profile's Constraints would in
Gatekeeper's webhook: match first, then each ConstraintTemplate's Rego in its own engine."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from kfpolicy.admission import admission_request
from kfpolicy.errors import EngineError, KfpolicyError
from kfpolicy.gatekeeper.evaluate import Bound, bind_constraints, review_violations
from kfpolicy.merge import member_object

QUERY = "data.kubeflow.violation"


def review_of(rego_input: Any) -> dict[str, Any]:
    """The AdmissionRequest Gatekeeper would evaluate for what the portable policies see as input:
    an AdmissionReview's request, Gatekeeper's own input.review, or a manifest (as CREATE)."""
    if isinstance(rego_input, dict):
        for key in ("request", "review"):
            if isinstance(rego_input.get(key), dict):
                return dict(rego_input[key])
        return admission_request(rego_input, operation="CREATE")
    return admission_request({}, operation="CREATE")


class GatekeeperEngine:
    name = "gatekeeper"
    loads = "gatekeeper"  # the generated tree it is loaded with (the others take rego/)

    def __init__(self, template_engine: str = "embedded") -> None:
        self.template_engine = template_engine
        self.bound: list[Bound] = []
        self.inventory: Mapping[str, Any] = {}
        self._inventory_key = "{}"

    def load(self, modules: Mapping[str, str], data: Mapping[str, Any]) -> None:
        kubeflow = member_object(data, "kubeflow")
        profile = str(kubeflow.get("profile", ""))
        # The active rules are data (kfpolicy.render.profile_data): bind only their constraints.
        rules = kubeflow.get("rules")
        only = sorted(rules) if isinstance(rules, dict) else None
        try:
            self.bound = bind_constraints(modules, profile, engine=self.template_engine,
                                          parameters=kubeflow.get("parameters") or None,
                                          only=only if isinstance(only, list) else None)
        except KfpolicyError as exc:
            raise EngineError(f"gatekeeper: {exc}") from None
        if not self.bound and not isinstance(only, list):
            raise EngineError(f"gatekeeper: no constraints for profile {profile!r} in the generated files")
        inventory = data.get("inventory")
        self.inventory = inventory if isinstance(inventory, dict) else {}
        self._inventory_key = json.dumps(self.inventory, sort_keys=True)

    def evaluate(self, query: str, input_json: str) -> Any:
        if query != QUERY:
            raise EngineError(f"gatekeeper: only {QUERY} can be asked of the Gatekeeper evaluator")
        review = review_of(json.loads(input_json))
        return review_violations(self.bound, review, self.inventory, self._inventory_key)
