"""AdmissionRequests and AdmissionReviews, built in one place: for the catalogue examples (as the
policies and the gator suites see them) and for Gatekeeper's evaluation of plain objects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kfpolicy.catalogue.model import Example
from kfpolicy.merge import member_object

ADMISSION_API = "admission.k8s.io/v1"


def admission_request(
    obj: Mapping[str, Any],
    *,
    operation: str,
    old_object: Any = None,
    uid: str = "",
    user: str = "kfpolicy",
    resource: str = "",
) -> dict[str, Any]:
    """The AdmissionRequest an API server sends (and Gatekeeper's webhook evaluates). operation ""
    is what Gatekeeper audit and gator send for plain objects (no user then)."""
    group, _, version = str(obj.get("apiVersion", "")).rpartition("/")
    meta = member_object(obj, "metadata")
    request: dict[str, Any] = {
        "uid": uid,
        "kind": {"group": group, "version": version, "kind": str(obj.get("kind", ""))},
        "resource": {"group": group, "version": version, "resource": resource}
        if resource
        else {"group": "", "version": "", "resource": ""},
        "operation": operation,
        "userInfo": {"username": user} if operation else {},
        "object": obj,
    }
    for key in ("name", "namespace"):
        if isinstance(meta.get(key), str) and meta[key]:
            request[key] = meta[key]
    if old_object is not None:
        request["oldObject"] = old_object
    return request


def admission_review(request: Mapping[str, Any]) -> dict[str, Any]:
    return {"apiVersion": ADMISSION_API, "kind": "AdmissionReview", "request": dict(request)}


def example_review(ex: Example, uid: str) -> dict[str, Any]:
    """An example with an operation other than CREATE, or an old object, as an AdmissionReview."""
    obj = ex.object if isinstance(ex.object, dict) else {}
    plural = str(obj.get("kind", "")).lower() + "s"
    request = admission_request(
        obj, operation=ex.operation, old_object=ex.old_object, uid=uid, user="kfpolicy-example",
        resource=plural,
    )
    return admission_review(request)
