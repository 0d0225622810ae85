"""`kfpolicy audit`: evaluate the training jobs and runtimes that exist in a cluster.

Objects are listed page by page with the credentials of a kubeconfig or of the pod, every catalogue
kind that is not skipped, across all namespaces (or one). Runtimes are also referential data for
the TrainJob rules, as Gatekeeper's sync would provide them. Status-condition rules apply here,
since listed objects carry their status.
"""

from __future__ import annotations

from kfpolicy.audit.client import Budget, KubeClient, load_configuration
from kfpolicy.audit.listing import list_objects, plural
from kfpolicy.audit.summary import audit_summary, record_configmap, record_file, summary_text

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
