"""Gatekeeper's `spec.match` of a Constraint against an admission review."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kfpolicy.merge import member_object


def _glob(pattern: str, value: str) -> bool:
    if pattern.endswith("*"):
        return value.startswith(pattern[:-1])
    if pattern.startswith("*"):
        return value.endswith(pattern[1:])
    return pattern == value


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, Any]) -> bool:
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def _labels(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = member_object(obj, "metadata")
    labels = meta.get("labels")
    return labels if isinstance(labels, dict) else {}


def _gvk(obj: Mapping[str, Any]) -> tuple[str, str]:
    group, _, _ = str(obj.get("apiVersion", "")).rpartition("/")
    return group, str(obj.get("kind", ""))


def _matches_one(match: Mapping[str, Any], obj: Mapping[str, Any], namespace: str,
                 namespaces: Mapping[str, Mapping[str, Any]]) -> bool:
    group, kind = _gvk(obj)
    meta = member_object(obj, "metadata")
    name = str(meta.get("name") or "")
    kinds = match.get("kinds")
    if kinds and not any(
        ("*" in (k.get("apiGroups") or ["*"]) or group in (k.get("apiGroups") or []))
        and ("*" in (k.get("kinds") or ["*"]) or kind in (k.get("kinds") or []))
        for k in kinds
    ):
        return False
    scope = match.get("scope", "*")
    if (scope == "Cluster" and namespace) or (scope == "Namespaced" and not namespace):
        return False
    is_namespace = group == "" and kind == "Namespace"
    ns_name = name if is_namespace else namespace
    if match.get("namespaces") and ns_name and not any(_glob(p, ns_name) for p in match["namespaces"]):
        return False
    if (
        match.get("excludedNamespaces")
        and ns_name
        and any(_glob(p, ns_name) for p in match["excludedNamespaces"])
    ):
        return False
    if match.get("labelSelector") and not selector_matches(match["labelSelector"], _labels(obj)):
        return False
    if match.get("namespaceSelector"):
        if is_namespace:
            ns_labels = _labels(obj)
        elif not namespace:
            ns_labels = None
        else:
            ns_obj = namespaces.get(namespace)
            if ns_obj is None:
                return False  # Gatekeeper needs the Namespace synced (or in the gator case's inventory)
            ns_labels = _labels(ns_obj)
        if ns_labels is not None and not selector_matches(match["namespaceSelector"], ns_labels):
            return False
    return not (match.get("name") and not _glob(match["name"], name))


def matches(match: Mapping[str, Any] | None, review: Mapping[str, Any],
            namespaces: Mapping[str, Mapping[str, Any]]) -> bool:
    """A Constraint's spec.match against a review: object or oldObject may match (as Gatekeeper)."""
    if not match:
        return True
    namespace = str(review.get("namespace") or "")
    objs = [o for o in (review.get("object"), review.get("oldObject")) if isinstance(o, dict)]
    return any(_matches_one(match, o, namespace, namespaces) for o in objs)


def namespaces_of(inventory: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    found = ((inventory.get("cluster") or {}).get("v1") or {}).get("Namespace") or {}
    return {k: v for k, v in found.items() if isinstance(v, dict)}
