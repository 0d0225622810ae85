"""`kfpolicy push`: load the portable Rego and the profile's data into a running OPA server, through
its REST API (PUT /v1/policies/<id>, PUT /v1/data/kubeflow), with the client budgets of server_http."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote

from kfpolicy.catalogue.model import Catalogue
from kfpolicy.errors import KfpolicyError
from kfpolicy.render.bundle import bundle_data
from kfpolicy.render.rego import render_rego
from kfpolicy.server_http import BoundedClient, ServerError, Unreachable, check_seconds, parse_server_url

POLICY_PREFIX = "kfpolicy"
DEFAULT_DEADLINE = 120.0


@dataclass(frozen=True)
class PushResult:
    policies: list[str]
    data_path: str


def push(cat: Catalogue, url: str, *, profile: str | None = None, token: str | None = None,
         timeout: float = 5.0, deadline: float = DEFAULT_DEADLINE) -> PushResult:
    """PUT every module to /v1/policies/kfpolicy/<path> and the profile data to /v1/data/kubeflow.

    The modules go as written: OPA 1.x reads them as Rego v1 (no client-side rewriting)."""
    name = profile or cat.default_profile
    if name not in cat.profiles:
        raise KfpolicyError(f"unknown profile {name!r} (choose from {', '.join(sorted(cat.profiles))})")
    server = parse_server_url(url, "--opa-url")
    client = BoundedClient(server, token=token, timeout=check_seconds(timeout, "--timeout"),
                           deadline=check_seconds(deadline, "--deadline"))
    pushed: list[str] = []
    try:
        for path, text in sorted(render_rego(cat).items()):
            policy_id = f"{POLICY_PREFIX}/{path.removeprefix('rego/')}"
            client.request("PUT", f"/v1/policies/{quote(policy_id)}", text.encode("utf-8"), "text/plain")
            pushed.append(policy_id)
        data = json.dumps(bundle_data(cat, name)["kubeflow"]).encode("utf-8")
        client.request("PUT", "/v1/data/kubeflow", data, "application/json")
    except Unreachable as exc:
        raise KfpolicyError(f"cannot reach OPA at {url} (after {len(pushed)} policies): {exc}") from None
    except ServerError as exc:
        raise KfpolicyError(f"OPA at {url} refused the upload after {len(pushed)} policies: {exc}") from None
    return PushResult(policies=pushed, data_path="kubeflow")
