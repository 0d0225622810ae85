"""AdmissionReview in, AdmissionReview out: parsing a request body and shaping the response.

Pure functions, no I/O. The response matches `data.kubeflow.admission.response` in the generated
Rego (sorted denials, the upstream aggregate "[e1, e2]" for several), so the webhook and OPA with
kube-mgmt answer alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kfpolicy.inputs import Document, DocumentError, read_text
from kfpolicy.runner import Result

API_VERSION = "admission.k8s.io/v1"
KIND = "AdmissionReview"


class BadReview(ValueError):
    """A request body that is not an AdmissionReview the webhook can answer (HTTP 400)."""


@dataclass(frozen=True)
class Review:
    uid: str
    document: Document
    kind: str
    operation: str


def parse_review(body: bytes) -> Review:
    """The request of an admission.k8s.io/v1 AdmissionReview, or BadReview saying what is wrong.
    The body goes through the same reader as `kfpolicy eval` (duplicate keys, depth, non-finite numbers)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadReview(f"body is not UTF-8: {exc}") from None
    items = list(read_text(text, "body", is_json=True))
    if len(items) != 1:
        raise BadReview("body must hold exactly one AdmissionReview")
    item = items[0]
    if isinstance(item, DocumentError):
        raise BadReview(item.message)
    if not isinstance(item, Document):
        raise BadReview(f"body is not an AdmissionReview: {item.reason}")
    review = item.rego_input
    if not isinstance(review, dict) or review.get("apiVersion") != API_VERSION or review.get("kind") != KIND:
        found = review if isinstance(review, dict) else item.obj
        raise BadReview(
            f"expected apiVersion {API_VERSION} and kind {KIND}, got "
            f"{found.get('apiVersion')!r} and {found.get('kind')!r}"
        )
    request = review["request"]
    uid = request.get("uid")
    if not isinstance(uid, str) or not uid:
        raise BadReview("request.uid must be a non-empty string")
    kind = item.obj.get("kind")
    return Review(
        uid=uid, document=item, kind=kind if isinstance(kind, str) else "", operation=item.operation
    )


def aggregate(messages: list[str]) -> str:
    """The upstream aggregate error text (k8s.io/apimachinery utilerrors): one message, or "[a, b]"."""
    return messages[0] if len(messages) == 1 else "[" + ", ".join(messages) + "]"


def response_for(uid: str, result: Result) -> dict[str, Any]:
    """The AdmissionReview response for one evaluated request."""
    denials = sorted(v.msg for v in result.violations if v.enforcement == "deny")
    warnings = sorted(v.msg for v in result.violations if v.enforcement != "deny")
    response: dict[str, Any] = {"uid": uid, "allowed": not denials, "warnings": warnings}
    if denials:
        response["status"] = {"code": 403, "reason": "Forbidden", "message": aggregate(denials)}
    return envelope(response)


def error_response(uid: str, message: str, *, allow: bool) -> dict[str, Any]:
    """The answer when the policies could not be evaluated: fail closed (deny) or open (allow)."""
    text = f"kfpolicy could not evaluate the policies: {message}"
    if allow:
        return envelope({"uid": uid, "allowed": True, "warnings": [text + " (allowed by --on-error allow)"]})
    return envelope(
        {"uid": uid, "allowed": False, "status": {"code": 500, "reason": "InternalError", "message": text}}
    )


def envelope(response: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": API_VERSION, "kind": KIND, "response": response}
