"""The `kfpolicy audit` command line: options and exit code; the work is in audit.run."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kfpolicy.batch import exit_code
from kfpolicy.catalogue import load_catalogue
from kfpolicy.cli_options import catalogue_option, fail_on_warn_option, output_option, profile_option


@click.command("audit")
@catalogue_option
@profile_option
@click.option(
    "--kubeconfig",
    default=None,
    help="Kubeconfig file (default: in-cluster credentials, then $KUBECONFIG or ~/.kube/config).",
)
@click.option("--context", default=None, help="Kubeconfig context to use (default: its current-context).")
@click.option("--namespace", "-n", default=None, help="Only this namespace (default: all).")
@output_option
@click.option("--verbose", "-v", is_flag=True, help="Text output: list allowed and skipped objects too.")
@fail_on_warn_option
@click.option(
    "--page-size",
    type=click.IntRange(1, 10_000),
    default=500,
    show_default=True,
    help="Objects per list request (the API's `limit`; pages follow `continue` tokens).",
)
@click.option(
    "--summary-limit",
    type=click.IntRange(0, 10_000),
    default=20,
    show_default=True,
    help="Violations listed per rule in the summary (the totals count them all).",
)
@click.option(
    "--record",
    "record_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the summary as JSON to this file (shape: docs/audit.md).",
)
@click.option(
    "--record-configmap",
    default=None,
    metavar="NAMESPACE/NAME",
    help="Also write the summary into this ConfigMap, key audit.json (created or replaced).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 600),
    default=30.0,
    show_default=True,
    help="Seconds to wait for the API server to connect or to send more of an answer.",
)
@click.option(
    "--deadline",
    type=click.FloatRange(1, 86_400),
    default=600.0,
    show_default=True,
    help="Seconds the whole audit may take; it stops with an error after that.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show listing progress on stderr (default: only on a terminal, never when CI is set).",
)
def audit_cmd(
    catalogues: tuple[Path, ...],
    profile: str | None,
    kubeconfig: str | None,
    context: str | None,
    namespace: str | None,
    output: str,
    verbose: bool,
    fail_on_warn: bool,
    page_size: int,
    summary_limit: int,
    record_path: Path | None,
    record_configmap: str | None,
    timeout: float,
    deadline: float,
    progress: bool | None,
) -> None:
    """Evaluate the training jobs and runtimes that exist in a cluster (status rules included).

    Prints the report in the chosen format; text and json add a summary by rule and by namespace.
    Kinds the credentials may not list, and objects that cannot be evaluated, are reported as errors
    and the audit carries on. Exit codes as `eval`: 0 clean, 1 denials, 2 errors.
    """
    from kfpolicy.audit.run import AuditOptions, run_audit  # its HTTP client is imported on use

    options = AuditOptions(
        profile=profile,
        kubeconfig=kubeconfig,
        context=context,
        namespace=namespace,
        output=output,
        verbose=verbose,
        page_size=page_size,
        summary_limit=summary_limit,
        record_path=record_path,
        record_configmap=record_configmap,
        timeout=timeout,
        deadline=deadline,
        progress=progress,
    )
    text, report = run_audit(load_catalogue(list(catalogues)), options)
    click.echo(text)
    for e in report.errors:
        if output != "text":
            click.echo(f"kfpolicy: error: {e}", err=True)
    code = exit_code(report, fail_on_warn=fail_on_warn)
    if code:
        sys.exit(code)
