"""The `kfpolicy serve` click command: options in, ServeOptions out, server.run() called."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kfpolicy.errors import KfpolicyError
from kfpolicy.serve.options import Limits, ServeOptions, parse_duration
from kfpolicy.serve.policies import PolicySource


@click.command("serve")
@click.option("--bind", default="0.0.0.0", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8443, show_default=True, help="TCP port to listen on."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes sharing the port (SO_REUSEPORT); the engine holds the GIL.",
)
@click.option("--profile", "-p", default=None, help="Profile to apply (default: the catalogue's default).")
@click.option(
    "--catalogue",
    "catalogues",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A folder of your own rules; repeatable. Reloaded when its files change.",
)
@click.option(
    "--parameters",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="YAML/JSON file mapping rule ids to parameter overrides. Reloaded when it changes.",
)
@click.option(
    "--on-error",
    type=click.Choice(["deny", "allow"]),
    default="deny",
    show_default=True,
    help="The answer when the policies cannot be evaluated.",
)
@click.option(
    "--tls-cert-dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder with tls.crt and tls.key (reloaded on change); written to with --self-signed.",
)
@click.option("--self-signed", is_flag=True, help="Issue and rotate our own CA and serving certificate.")
@click.option(
    "--cert-validity",
    default="90d",
    show_default=True,
    help="Serving certificate lifetime (15s, 12h, 90d); rotated at two thirds of it.",
)
@click.option(
    "--service-name",
    default="kfpolicy-webhook",
    show_default=True,
    help="The webhook Service's name: the self-signed certificate's DNS names derive from it.",
)
@click.option(
    "--service-namespace",
    default="kfpolicy-system",
    show_default=True,
    help="The webhook Service's namespace (for the certificate's DNS names).",
)
@click.option(
    "--webhook-config",
    default=None,
    help="ValidatingWebhookConfiguration whose caBundle to keep current (with --self-signed).",
)
@click.option(
    "--watch-runtimes/--no-watch-runtimes",
    default=None,
    help="Cache TrainingRuntimes and ClusterTrainingRuntimes for TrainJob rules "
    "[default: on inside a cluster].",
)
@click.option("--kubeconfig", default=None, help="Kubeconfig file (default: in-cluster credentials).")
@click.option(
    "--drain-timeout",
    type=float,
    default=25.0,
    show_default=True,
    help="Seconds in-flight requests get after SIGTERM.",
)
@click.option(
    "--shutdown-delay",
    type=float,
    default=0.0,
    show_default=True,
    help="Seconds to keep serving (not ready) after SIGTERM, while endpoints update.",
)
@click.option(
    "--max-body-bytes",
    type=click.IntRange(1),
    default=Limits.max_body_bytes,
    show_default=True,
    help="Largest request body accepted; a larger one gets HTTP 400.",
)
@click.option(
    "--body-timeout",
    type=float,
    default=Limits.body_timeout,
    show_default=True,
    help="Seconds for a request body to arrive.",
)
def serve_cmd(
    bind: str,
    port: int,
    workers: int,
    profile: str | None,
    catalogues: tuple[Path, ...],
    parameters: Path | None,
    on_error: str,
    tls_cert_dir: Path,
    self_signed: bool,
    cert_validity: str,
    service_name: str,
    service_namespace: str,
    webhook_config: str | None,
    watch_runtimes: bool | None,
    kubeconfig: str | None,
    drain_timeout: float,
    shutdown_delay: float,
    max_body_bytes: int,
    body_timeout: float,
) -> None:
    """Run the validating admission webhook (HTTPS, AdmissionReview v1 on /validate)."""
    from kfpolicy.serve.server import run

    try:
        validity = parse_duration(cert_validity)
    except ValueError as exc:
        raise KfpolicyError(f"--cert-validity: {exc}") from None
    if not self_signed and not (tls_cert_dir / "tls.crt").is_file():
        raise KfpolicyError(f"{tls_cert_dir}: no tls.crt (give cert-manager's folder, or use --self-signed)")
    if watch_runtimes is None:
        watch_runtimes = bool(os.environ.get("KUBERNETES_SERVICE_HOST"))
    options = ServeOptions(
        tls_cert_dir=tls_cert_dir,
        source=PolicySource(catalogues=catalogues, profile=profile, parameters=parameters),
        bind=bind,
        port=port,
        workers=workers,
        on_error=on_error,
        self_signed=self_signed,
        cert_validity=validity,
        service_name=service_name,
        service_namespace=service_namespace,
        webhook_config=webhook_config,
        watch_runtimes=watch_runtimes,
        kubeconfig=kubeconfig,
        drain_timeout=drain_timeout,
        shutdown_delay=shutdown_delay,
        limits=Limits(max_body_bytes=max_body_bytes, body_timeout=body_timeout),
    )
    sys.exit(run(options))
