"""Render the OPA bundle: the portable Rego plus .manifest and data.json, as deterministic tar.gz bytes."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile

from kfpolicy.catalogue.model import Catalogue
from kfpolicy.render.profile_data import kubeflow_data

BUNDLE_PATH = "bundles/kfpolicy.tar.gz"
ROOTS = ["kubeflow", "lib/kubeflow"]


def bundle_data(cat: Catalogue, profile: str | None = None) -> dict[str, object]:
    """data.json: the profile's rules with their enforcement and parameters, ready for users to edit."""
    return {"kubeflow": kubeflow_data(cat, profile)}


def render_bundle(cat: Catalogue, rego_files: dict[str, str], profile: str | None = None) -> bytes:
    """A bundle whose bytes depend only on its content (sorted entries, zero times and owners)."""
    policies = {path.removeprefix("rego/"): text for path, text in sorted(rego_files.items())}
    data = json.dumps(bundle_data(cat, profile), indent=2, sort_keys=True) + "\n"
    digest = hashlib.sha256()
    for path, text in policies.items():
        digest.update(path.encode() + b"\0" + text.encode() + b"\0")
    digest.update(data.encode())
    manifest = (
        json.dumps({"revision": digest.hexdigest()[:16], "roots": ROOTS}, indent=2, sort_keys=True) + "\n"
    )
    entries = {".manifest": manifest, "data.json": data, **policies}
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path in sorted(entries):
            payload = entries[path].encode("utf-8")
            info = tarfile.TarInfo("/" + path)
            info.size = len(payload)
            info.mtime = 0
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(payload))
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="") as gz:
        gz.write(raw.getvalue())
    return out.getvalue()
