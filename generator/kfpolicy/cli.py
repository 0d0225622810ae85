"""The kfpolicy command line: each command converts options and calls one typed function.

Exit codes: 0 clean, 1 policy violations (deny) or failed checks, 2 usage/input errors,
3 an internal error (a bug: the traceback is printed), 130 interrupted.
"""

from __future__ import annotations

import importlib
import sys
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from kfpolicy import __version__, parallel
from kfpolicy.batch import run_batch
from kfpolicy.bounded import DEFAULT_SECONDS, BoundedEvaluator
from kfpolicy.catalogue import load_catalogue
from kfpolicy.catalogue.model import Catalogue
from kfpolicy.cli_options import (
    catalogue_option,
    fail_on_warn_option,
    output_option,
    profile_option,
)
from kfpolicy.engines import ENGINES
from kfpolicy.errors import KfpolicyError
from kfpolicy.evaloutput import evaluate_streamed, finish
from kfpolicy.inputs import Document, DocumentError, read_paths
from kfpolicy.parallel import in_process, usable_cpus
from kfpolicy.rawinputs import RawItem, expand, scan, split_paths
from kfpolicy.runner import Evaluator, inventory_objects
from kfpolicy.selection import IgnoreRules

EXIT_OK, EXIT_VIOLATIONS, EXIT_INPUT, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


# Commands imported only when run or listed: `kfpolicy eval` starts without the generator's templates,
# the audit client or the server.
LAZY_COMMANDS = {
    "audit": ("kfpolicy.audit.command", "audit_cmd"),
    "generate": ("kfpolicy.repo_commands", "generate_cmd"),
    "new": ("kfpolicy.repo_commands", "new_group"),
    "serve": ("kfpolicy.serve.command", "serve_cmd"),
    "test": ("kfpolicy.repo_commands", "test_cmd"),
}


class KfpolicyGroup(click.Group):
    """Handles errors once, at the boundary; imports the LAZY_COMMANDS when they are asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS:
            module, name = LAZY_COMMANDS[cmd_name]
            command: click.Command = getattr(importlib.import_module(module), name)
            return command
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KfpolicyError as exc:
            click.echo(f"kfpolicy: error: {exc}", err=True)
            sys.exit(EXIT_INPUT)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo("kfpolicy: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except Exception:
            click.echo("kfpolicy: internal error (a bug; please report it with this traceback):", err=True)
            traceback.print_exc()
            sys.exit(EXIT_BUG)


@click.group(cls=KfpolicyGroup)
@click.version_option(__version__, prog_name="kfpolicy")
def cli() -> None:
    """Admission policies for Kubeflow training jobs: generate, test and evaluate them."""


def _load(catalogues: tuple[Path, ...]) -> Catalogue:
    return load_catalogue(list(catalogues))


def _read_inventory(paths: tuple[str, ...]) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for item in read_paths(paths):
        if isinstance(item, DocumentError):
            raise KfpolicyError(f"--inventory {item}")
        if isinstance(item, Document):
            objects.append(item.obj)
    return objects


def _parameters(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    from kfpolicy.yamlio import load_one

    try:
        data = load_one(path.read_text(encoding="utf-8"))
    except Exception as exc:
        raise KfpolicyError(f"{path}: cannot read parameters: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise KfpolicyError(f"{path}: parameters must map rule ids to objects")
    return data


@cli.command("eval")
@click.argument("paths", nargs=-1, required=True)
@profile_option
@catalogue_option
@click.option("--inventory", "inventory", multiple=True, help="Objects used as referential data; repeatable.")
@click.option(
    "--parameters",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="YAML/JSON file mapping rule ids to parameter overrides.",
)
@click.option(
    "--engine",
    type=click.Choice(sorted(ENGINES)),
    default="embedded",
    show_default=True,
    help="gatekeeper: evaluate the profile's generated ConstraintTemplates and Constraints as Gatekeeper "
    "does.",
)
@output_option
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="Text output: list allowed and skipped objects too, each skip with its reason.",
)
@click.option(
    "--ignore",
    "ignore",
    multiple=True,
    metavar="PATTERN",
    help="Leave out files and folders matching this .gitignore-style pattern; repeatable. "
    "A .kfpolicyignore file in the current folder or any folder read adds more.",
)
@fail_on_warn_option
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, max=3600),
    default=DEFAULT_SECONDS,
    show_default=True,
    help="Seconds one document's evaluation may take; a slower one is that document's error, naming "
    "the rule (0: no bound). Not for --engine opa.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1, max=256),
    default=None,
    help="Worker processes that parse and evaluate a large batch (default: the usable CPUs). Batches "
    "under 200 documents, and --engine opa, are evaluated in this process. A large batch's text, json "
    "and github reports are written as it is evaluated; junit, sarif, tap and table hold every result "
    "until the end.",
)
def eval_cmd(
    paths: tuple[str, ...],
    profile: str | None,
    catalogues: tuple[Path, ...],
    inventory: tuple[str, ...],
    parameters: Path | None,
    engine: str,
    output: str,
    verbose: bool,
    ignore: tuple[str, ...],
    fail_on_warn: bool,
    timeout: float,
    jobs: int | None,
) -> None:
    """Evaluate manifests, folders, `-` (stdin), Lists and AdmissionReviews.

    Folders are read recursively (.yaml, .yml, .json in any letter case). Helm templates, JSON Patch
    files and files without documents are reported as skipped. Exit 0 clean, 1 denials (or warnings
    with --fail-on-warn), 2 input errors.
    """
    cat = _load(catalogues)
    rules = IgnoreRules(ignore)
    workers = jobs if jobs is not None else usable_cpus()
    # stdin can be read only once: its documents are kept; files are read again when needed.
    kept = list(split_paths(paths, rules)) if "-" in paths else None

    def split() -> Iterable[RawItem]:
        return kept if kept is not None else split_paths(paths, rules)

    if not in_process(parallel.MIN_DOCUMENTS, engine):
        # A first pass counts the documents, parses only those that may be inventory objects and
        # keeps the split input while it is small; then the workers parse and evaluate, window after
        # window, and the report is written as they go where the format allows.
        scanned = scan(split(), cat.inventory, parallel.KEEP_CHARS)
        if not in_process(scanned.count, engine):
            inv = _read_inventory(inventory) + inventory_objects(cat, scanned.found)
            evaluator = Evaluator(
                cat, profile=profile, engine=engine, inventory=inv, parameters=_parameters(parameters)
            )
            evaluator.expect(scanned.count)
            raws = scanned.kept if scanned.kept is not None else split()
            evaluate_streamed(
                evaluator, raws, workers, timeout,
                cat=cat, output=output, verbose=verbose, fail_on_warn=fail_on_warn,
            )
            return
    items = list(expand(split()))
    docs = [i for i in items if isinstance(i, Document)]
    inv = _read_inventory(inventory) + inventory_objects(cat, (d.obj for d in docs))
    evaluator = Evaluator(
        cat, profile=profile, engine=engine, inventory=inv, parameters=_parameters(parameters)
    )
    evaluator.expect(len(docs))
    if timeout and engine != "opa" and docs:
        with BoundedEvaluator(evaluator, timeout) as bounded:
            report = run_batch(bounded, items)
    else:
        report = run_batch(evaluator, items)
    finish(report, cat, output, verbose, fail_on_warn)


@cli.command("bundle")
@catalogue_option
@click.option(
    "--profile",
    "-p",
    default=None,
    help="Profile written into the bundle's data.json (default: the catalogue's default profile).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Where to write the .tar.gz bundle.",
)
def bundle_cmd(catalogues: tuple[Path, ...], profile: str | None, out: Path) -> None:
    """Write an OPA bundle for one profile (bundles/kfpolicy.tar.gz is the default profile's)."""
    from kfpolicy.render.bundle import render_bundle
    from kfpolicy.render.rego import render_rego

    cat = _load(catalogues)
    if profile is not None and profile not in cat.profiles:
        raise KfpolicyError(f"unknown profile {profile!r} (choose from {', '.join(sorted(cat.profiles))})")
    out.write_bytes(render_bundle(cat, render_rego(cat), profile))
    click.echo(f"wrote {out} (profile {profile or cat.default_profile})")


@cli.command("push")
@catalogue_option
@click.option("--opa-url", required=True, help="OPA server root, e.g. http://localhost:8181")
@click.option(
    "--profile",
    "-p",
    default=None,
    help="Profile whose enforcement and parameters are written "
    "to data.kubeflow (default: the catalogue's default profile).",
)
@click.option(
    "--token", envvar="KFPOLICY_OPA_TOKEN", default=None, help="Bearer token (env KFPOLICY_OPA_TOKEN)."
)
@click.option(
    "--timeout", type=float, default=5.0, show_default=True, help="Seconds for each request, whole."
)
@click.option("--deadline", type=float, default=120.0, show_default=True, help="Seconds for the whole push.")
def push_cmd(
    catalogues: tuple[Path, ...],
    opa_url: str,
    profile: str | None,
    token: str | None,
    timeout: float,
    deadline: float,
) -> None:
    """Load the policies and the profile's data into a running OPA server."""
    from kfpolicy.push import push

    cat = _load(catalogues)
    result = push(cat, opa_url, profile=profile, token=token, timeout=timeout, deadline=deadline)
    click.echo(f"pushed {len(result.policies)} policies and data.{result.data_path} to {opa_url}")


def main() -> None:
    cli(prog_name="kfpolicy")


if __name__ == "__main__":
    main()
