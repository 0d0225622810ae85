"""List every checked kind in a cluster, page by page (`limit` and `continue`), as documents.

- 404 on a kind: its CRD is not installed; nothing to audit there.
- 403 (or any other error) on a kind: reported as an error for that kind; the audit carries on.
- 410 Gone on a continue token (it expired, typically after ~5 minutes): the kind is listed again
  from the start, skipping objects already read (bounded: MAX_RELISTS).
- An object that cannot be evaluated (see payload.object_problem) is an error naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from kfpolicy.audit.client import ApiError, KubeClient
from kfpolicy.audit.payload import object_problem
from kfpolicy.catalogue.model import Catalogue, Kind
from kfpolicy.inputs import Document, DocumentError, Item

PAGE_SIZE = 500
MAX_RELISTS = 3
Progress = Callable[[str, int], None]


def plural(kind: Kind) -> str:
    """Every kfpolicy kind's resource name is its lower-case kind plus 's' (pytorchjobs, trainjobs...)."""
    return kind.kind.lower() + "s"


def _path(kind: Kind, version: str, namespace: str | None) -> str:
    if namespace and kind.scope == "Namespaced":
        return f"/apis/{kind.group}/{version}/namespaces/{namespace}/{plural(kind)}"
    return f"/apis/{kind.group}/{version}/{plural(kind)}"


def _identity(obj: dict[str, Any]) -> tuple[str, str]:
    meta: dict[str, Any] = obj["metadata"] if isinstance(obj.get("metadata"), dict) else {}
    return str(meta.get("namespace") or ""), str(meta.get("name") or "")


def _pages(client: KubeClient, path: str, page_size: int) -> Iterator[list[Any]]:
    """The items of each page, following continue tokens; after a 410 the list starts again."""
    token, relists = "", 0
    while True:
        query: dict[str, Any] = {"limit": page_size} | ({"continue": token} if token else {})
        try:
            listing = client.request("GET", path, query)
        except ApiError as exc:
            if exc.status == 410 and token and relists < MAX_RELISTS:
                token, relists = "", relists + 1
                continue
            raise
        items = listing.get("items") if isinstance(listing, dict) else None
        yield items if isinstance(items, list) else []
        meta = listing.get("metadata") if isinstance(listing, dict) else None
        found = meta.get("continue") if isinstance(meta, dict) else None
        token = found if isinstance(found, str) else ""
        if not token:
            return


def list_kind(
    client: KubeClient,
    kind: Kind,
    version: str,
    *,
    namespace: str | None = None,
    page_size: int = PAGE_SIZE,
    progress: Progress | None = None,
) -> Iterator[Item]:
    resource = f"{plural(kind)}.{kind.group}/{version}"
    seen: set[tuple[str, str]] = set()
    count = 0
    try:
        for items in _pages(client, _path(kind, version, namespace), page_size):
            for i, obj in enumerate(items):
                if not isinstance(obj, dict):
                    yield DocumentError(f"cluster:{resource}", f"list item {i} is not an object")
                    continue
                ident = _identity(obj)
                if ident in seen and ident[1]:
                    continue  # already read before a relist
                seen.add(ident)
                count += 1
                source = f"cluster:{resource}/{'/'.join(p for p in ident if p) or count}"
                problem = object_problem(obj)
                if problem:
                    yield DocumentError(source, f"cannot evaluate this object: {problem}")
                    continue
                obj.setdefault("apiVersion", f"{kind.group}/{version}")
                obj.setdefault("kind", kind.kind)
                yield Document(source=source, obj=obj)
            if progress is not None:
                progress(resource, count)
    except ApiError as exc:
        if exc.status != 404:  # 404: the CRD is not installed in this cluster
            yield DocumentError(f"cluster:{resource}", f"cannot list: {exc}")


def list_objects(
    cat: Catalogue,
    client: KubeClient,
    *,
    namespace: str | None = None,
    page_size: int = PAGE_SIZE,
    progress: Progress | None = None,
) -> Iterator[Item]:
    """Every object of every checked kind and version, kind by kind in a stable order."""
    for kind in sorted(cat.kinds.values(), key=lambda k: k.id):
        if kind.status == "skipped":
            continue
        for version in kind.versions:
            yield from list_kind(
                client, kind, version, namespace=namespace, page_size=page_size, progress=progress
            )
