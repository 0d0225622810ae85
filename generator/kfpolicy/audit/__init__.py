"""`kfpolicy audit`: evaluate the training jobs and runtimes that exist in a cluster.

Objects are listed page by page with the credentials of a kubeconfig or of the pod, every catalogue
kind that is not skipped, across all namespaces (or one). Runtimes are also referential data for
the TrainJob rules, as Gatekeeper's sync would provide them. Status-condition rules apply here,
since listed objects carry their status.
"""

from __future__ import annotations

import importlib
from typing import Any

# Imported on first use (PEP 562): the client's HTTP stack costs a third of a second, and every
# `kfpolicy` command imports this package for its `audit` subcommand.
_HOMES = {
    "Budget": "client",
    "KubeClient": "client",
    "load_configuration": "client",
    "list_objects": "listing",
    "plural": "listing",
    "audit_summary": "summary",
    "record_configmap": "summary",
    "record_file": "summary",
    "summary_text": "summary",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"kfpolicy.audit.{home}"), name)

__all__ = [
    "Budget",
    "KubeClient",
    "audit_summary",
    "list_objects",
    "load_configuration",
    "plural",
    "record_configmap",
    "record_file",
    "summary_text",
]
