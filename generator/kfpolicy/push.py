"""`kfpolicy push`: load the portable Rego and the profile's data into a running OPA server."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

from kfpolicy.catalogue.model import Catalogue
from kfpolicy.errors import KfpolicyError
from kfpolicy.render.bundle import bundle_data
from kfpolicy.render.rego import render_rego

POLICY_PREFIX = "kfpolicy"


@dataclass(frozen=True)
class PushResult:
    policies: list[str]
    data_path: str


def _client(url: str, token: str | None, timeout: float):  # type: ignore[no-untyped-def]
    from opa_client import OpaClient

    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise KfpolicyError(f"--opa-url {url!r}: expected http(s)://host[:port]")
    if parsed.path not in ("", "/"):
        raise KfpolicyError(f"--opa-url {url!r}: give the server root, without a path")
    ssl = parsed.scheme == "https"
    port = parsed.port or (443 if ssl else 80)
    return OpaClient(host=parsed.hostname, port=port, ssl=ssl, token=token, timeout=timeout, retries=0)


def push(cat: Catalogue, url: str, *, profile: str | None = None, token: str | None = None,
         timeout: float = 5.0) -> PushResult:
    """PUT every module to /v1/policies/kfpolicy/<path> and the profile data to /v1/data/kubeflow.

    rego_compat=False: the client's default silently rewrites policies it thinks are Rego v0.
    """
    from opa_client.errors import ConnectionsError
    from requests.exceptions import ConnectionError as RequestsConnectionError
    from requests.exceptions import Timeout

    name = profile or cat.default_profile
    if name not in cat.profiles:
        raise KfpolicyError(f"unknown profile {name!r} (choose from {', '.join(sorted(cat.profiles))})")
    client = _client(url, token, timeout)
    pushed = []
    try:
        for path, text in sorted(render_rego(cat).items()):
            policy_id = f"{POLICY_PREFIX}/{path.removeprefix('rego/')}"
            client.update_policy_from_string(text, policy_id, rego_compat=False)
            pushed.append(policy_id)
        client.update_or_create_data(bundle_data(cat, name)["kubeflow"], "kubeflow")
    except (ConnectionsError, RequestsConnectionError, Timeout) as exc:
        raise KfpolicyError(f"cannot reach OPA at {url}: {exc}") from None
    except KfpolicyError:
        raise
    except Exception as exc:
        raise KfpolicyError(f"OPA at {url} refused the upload after {len(pushed)} policies: {exc}") from None
    finally:
        client.close_connection()
    return PushResult(policies=pushed, data_path="kubeflow")
