"""`kfpolicy audit`: evaluate the training jobs and runtimes that exist in a cluster.

Objects are listed with the `kubernetes` client (kubeconfig or in-cluster credentials), every
catalogue kind that is not skipped, across all namespaces. Runtimes are also referential data for
the TrainJob rules, as Gatekeeper's sync would provide them. Status-condition rules apply here,
since listed objects carry their status.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kfpolicy.catalogue.model import Catalogue, Kind
from kfpolicy.errors import KfpolicyError
from kfpolicy.inputs import Document
from kfpolicy.merge import member_object


def plural(kind: Kind) -> str:
    """Every kfpolicy kind's resource name is its lower-case kind plus 's' (pytorchjobs, trainjobs...)."""
    return kind.kind.lower() + "s"


def _api(kubeconfig: str | None, context: str | None):  # type: ignore[no-untyped-def]
    from kubernetes import client, config
    from kubernetes.config.config_exception import ConfigException

    try:
        if kubeconfig or context:
            config.load_kube_config(config_file=kubeconfig, context=context)
        else:
            try:
                config.load_incluster_config()
            except ConfigException:
                config.load_kube_config()
    except (ConfigException, OSError) as exc:
        raise KfpolicyError(f"cannot load Kubernetes credentials: {exc}") from None
    return client.CustomObjectsApi()


def list_objects(cat: Catalogue, *, kubeconfig: str | None = None, context: str | None = None,
                 namespace: str | None = None) -> Iterator[Document]:
    from kubernetes.client.exceptions import ApiException
    from urllib3.exceptions import HTTPError

    api = _api(kubeconfig, context)
    for kind in sorted(cat.kinds.values(), key=lambda k: k.id):
        if kind.status == "skipped":
            continue
        for version in kind.versions:
            try:
                if namespace and kind.scope == "Namespaced":
                    listing = api.list_namespaced_custom_object(kind.group, version, namespace, plural(kind))
                else:
                    listing = api.list_cluster_custom_object(kind.group, version, plural(kind))
            except ApiException as exc:
                if exc.status == 404:
                    continue  # the CRD is not installed in this cluster
                raise KfpolicyError(
                    f"listing {plural(kind)}.{kind.group}/{version}: {exc.status} {exc.reason}"
                ) from None
            except HTTPError as exc:
                raise KfpolicyError(f"cannot reach the Kubernetes API server: {exc}") from None
            for i, obj in enumerate(_items(listing)):
                obj.setdefault("apiVersion", f"{kind.group}/{version}")
                obj.setdefault("kind", kind.kind)
                meta = member_object(obj, "metadata")
                where = "/".join(str(x) for x in (meta.get("namespace"), meta.get("name")) if x)
                yield Document(source=f"cluster:{plural(kind)}.{kind.group}/{where or i}", obj=obj)


def _items(listing: Any) -> list[dict[str, Any]]:
    items = listing.get("items") if isinstance(listing, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []
