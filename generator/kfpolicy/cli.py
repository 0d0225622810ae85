"""The kfpolicy command line: each command converts options and calls one typed function.

Exit codes: 0 clean, 1 policy violations (deny) or failed checks, 2 usage/input errors,
3 an internal error (a bug: the traceback is printed), 130 interrupted.
"""

from __future__ import annotations

import json
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from kfpolicy import __version__
from kfpolicy.bounded import DEFAULT_SECONDS, BoundedEvaluator
from kfpolicy.catalogue import load_catalogue
from kfpolicy.catalogue.model import Catalogue
from kfpolicy.engines import ENGINES
from kfpolicy.errors import KfpolicyError
from kfpolicy.generate import GenerateOptions, generate
from kfpolicy.inputs import Document, DocumentError, read_paths
from kfpolicy.report import eval_json, eval_junit, eval_text, outcomes_junit, outcomes_text
from kfpolicy.runner import INVENTORY_KINDS, Evaluator, evaluate_each

EXIT_OK, EXIT_VIOLATIONS, EXIT_INPUT, EXIT_BUG, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

catalogue_option = click.option(
    "--catalogue",
    "catalogues",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="A folder of your own rules (rules/<id>/, optional kinds.yaml, profiles.yaml, lib/); repeatable.",
)
output_option = click.option(
    "--output", "-o", type=click.Choice(["text", "json", "junit"]), default="text", show_default=True
)


class KfpolicyGroup(click.Group):
    """Handles errors once, at the boundary."""

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


@cli.command("generate")
@catalogue_option
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any generated file differs.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True,
              help="Root to write rego/, gatekeeper/, bundles/ and docs/ under.")
@click.option("--gatekeeper-code-field", is_flag=True,
              help="ConstraintTemplates in the `code: [{engine: Rego, source: {version: v1}}]` form "
                   "(Gatekeeper >= 3.19) instead of the legacy `rego:` field.")
def generate_cmd(catalogues: tuple[Path, ...], check: bool, out: Path, gatekeeper_code_field: bool) -> None:
    """Regenerate every artefact from the catalogue (deterministic)."""
    cat = _load(catalogues)
    result = generate(cat, out, check=check, options=GenerateOptions(gatekeeper_code_field=gatekeeper_code_field))
    if check:
        if result.drifted:
            click.echo("Generated files are out of date (run `kfpolicy generate` and commit):", err=True)
            for rel in result.drifted:
                note = result.notes.get(rel)
                click.echo(f"  {rel}" + (f" ({note})" if note else ""), err=True)
            sys.exit(EXIT_VIOLATIONS)
        click.echo(f"generated files are up to date ({len(cat.rules)} rules)")
        return
    click.echo(f"{len(cat.rules)} rules: {len(result.written)} files written, {len(result.removed)} removed")


def _read_inventory(paths: tuple[str, ...]) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for item in read_paths(paths):
        if isinstance(item, DocumentError):
            raise KfpolicyError(f"--inventory {item}")
        objects.append(item.obj)
    return objects


def _parameters(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    from kfpolicy.yamlio import load_one

    try:
        data = load_one(path.read_text(encoding="utf-8"))
    except Exception as exc:  # noqa: BLE001 - any read/parse problem is the user's input error
        raise KfpolicyError(f"{path}: cannot read parameters: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise KfpolicyError(f"{path}: parameters must map rule ids to objects")
    return data


@cli.command("eval")
@click.argument("paths", nargs=-1, required=True)
@click.option("--profile", "-p", default=None, help="Profile to apply (default: the catalogue's default).")
@catalogue_option
@click.option("--inventory", "inventory", multiple=True, help="Objects used as referential data; repeatable.")
@click.option("--parameters", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="YAML/JSON file mapping rule ids to parameter overrides.")
@click.option("--engine", type=click.Choice([*sorted(ENGINES), "gatekeeper"]), default="embedded", show_default=True,
              help="gatekeeper: evaluate the profile's generated ConstraintTemplates and Constraints as Gatekeeper does.")
@output_option
@click.option("--verbose", "-v", is_flag=True, help="Text output: list allowed and skipped objects too.")
@click.option("--timeout", type=click.FloatRange(min=0, max=3600), default=DEFAULT_SECONDS, show_default=True,
              help="Seconds one document's evaluation may take; a slower one is that document's error, naming "
                   "the rule (0: no bound). Not for --engine opa.")
def eval_cmd(paths: tuple[str, ...], profile: str | None, catalogues: tuple[Path, ...], inventory: tuple[str, ...],
             parameters: Path | None, engine: str, output: str, verbose: bool, timeout: float) -> None:
    """Evaluate manifests, folders, `-` (stdin), Lists and AdmissionReviews."""
    cat = _load(catalogues)
    items = list(read_paths(paths))
    docs = [i for i in items if isinstance(i, Document)]
    errors = [i for i in items if isinstance(i, DocumentError)]
    inv = _read_inventory(inventory) + [
        d.obj for d in docs if isinstance(d.obj.get("kind"), str) and d.obj["kind"] in INVENTORY_KINDS
    ]
    evaluator: Any
    if engine == "gatekeeper":
        from kfpolicy.gatekeeper_eval import GatekeeperEvaluator

        evaluator = GatekeeperEvaluator(cat, profile=profile, inventory=inv, parameters=_parameters(parameters))
    else:
        evaluator = Evaluator(cat, profile=profile, engine=engine, inventory=inv, parameters=_parameters(parameters))
    if timeout and engine != "opa" and docs:
        with BoundedEvaluator(evaluator, timeout) as bounded:
            results, failed = evaluate_each(bounded, docs)
    else:
        results, failed = evaluate_each(evaluator, docs)
    errors += failed
    if output == "json":
        click.echo(eval_json(results, errors))
    elif output == "junit":
        click.echo(eval_junit(results, errors))
    else:
        click.echo(eval_text(results, errors, verbose=verbose))
    for e in errors:
        if output != "text":
            click.echo(f"kfpolicy: error: {e}", err=True)
    if errors:
        sys.exit(EXIT_INPUT)
    if any(r.decision == "deny" for r in results):
        sys.exit(EXIT_VIOLATIONS)


def _default_examples() -> Path:
    return Path("..") / "shared" / "kubeflow" / "examples"


@cli.command("test")
@catalogue_option
@click.option("--engine", type=click.Choice(sorted(ENGINES)), default="embedded", show_default=True)
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path), default=Path("tests/jobs"),
              show_default=True, help="Job corpus with `# expect:` headers.")
@click.option("--examples", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Upstream example jobs (default ../shared/kubeflow/examples when present).")
@output_option
def test_cmd(catalogues: tuple[Path, ...], engine: str, corpus: Path, examples: Path | None, output: str) -> None:
    """Check every rule's examples, the job corpus and the upstream example jobs."""
    from kfpolicy.testing import run_checks

    cat = _load(catalogues)
    outcomes = run_checks(cat, engine=engine, corpus=corpus, examples=examples or _default_examples())
    if output == "junit":
        click.echo(outcomes_junit(outcomes))
    elif output == "json":
        click.echo(json.dumps([o.__dict__ for o in outcomes], indent=2))
    else:
        click.echo(outcomes_text(outcomes))
    if not outcomes:
        raise KfpolicyError("no checks ran: the catalogue has no rules and no corpus was found")
    if not all(o.passed for o in outcomes):
        sys.exit(EXIT_VIOLATIONS)


@cli.command("bundle")
@catalogue_option
@click.option("--profile", "-p", default=None, help="Profile written into the bundle's data.json.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the .tar.gz bundle.")
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
@click.option("--profile", "-p", default=None)
@click.option("--token", envvar="KFPOLICY_OPA_TOKEN", default=None, help="Bearer token (env KFPOLICY_OPA_TOKEN).")
@click.option("--timeout", type=float, default=5.0, show_default=True, help="Seconds for each request, whole.")
@click.option("--deadline", type=float, default=120.0, show_default=True, help="Seconds for the whole push.")
def push_cmd(catalogues: tuple[Path, ...], opa_url: str, profile: str | None, token: str | None,
             timeout: float, deadline: float) -> None:
    """Load the policies and the profile's data into a running OPA server."""
    from kfpolicy.push import push

    cat = _load(catalogues)
    result = push(cat, opa_url, profile=profile, token=token, timeout=timeout, deadline=deadline)
    click.echo(f"pushed {len(result.policies)} policies and data.{result.data_path} to {opa_url}")


@cli.command("audit")
@catalogue_option
@click.option("--profile", "-p", default=None)
@click.option("--kubeconfig", default=None, help="Kubeconfig file (default: in-cluster, then ~/.kube/config).")
@click.option("--context", default=None)
@click.option("--namespace", "-n", default=None, help="Only this namespace (default: all).")
@output_option
def audit_cmd(catalogues: tuple[Path, ...], profile: str | None, kubeconfig: str | None, context: str | None,
              namespace: str | None, output: str) -> None:
    """Evaluate the training jobs and runtimes that exist in a cluster (status rules included)."""
    from kfpolicy.audit import list_objects

    cat = _load(catalogues)
    docs = list(list_objects(cat, kubeconfig=kubeconfig, context=context, namespace=namespace))
    inv = [d.obj for d in docs if isinstance(d.obj.get("kind"), str) and d.obj["kind"] in INVENTORY_KINDS]
    evaluator = Evaluator(cat, profile=profile, inventory=inv)
    results = [evaluator.evaluate(d) for d in docs]
    render = {"json": eval_json, "junit": eval_junit}.get(output)
    click.echo(render(results, []) if render else eval_text(results, []))
    if any(r.decision == "deny" for r in results):
        sys.exit(EXIT_VIOLATIONS)


@cli.group("new")
def new_group() -> None:
    """Scaffold catalogue entries."""


@new_group.command("rule")
@click.argument("rule_id")
@click.option("--catalogue", "catalogue_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Catalogue folder to write into (default: the built-in catalogue).")
@click.option("--kind", "kinds", multiple=True, help="Kind id from kinds.yaml; repeatable.")
def new_rule_cmd(rule_id: str, catalogue_dir: Path | None, kinds: tuple[str, ...]) -> None:
    """Write catalogue/rules/RULE_ID/ with a working rule, its Rego and examples to edit."""
    from kfpolicy.catalogue import default_catalogue_dir
    from kfpolicy.scaffold import new_rule

    folder = new_rule(catalogue_dir or default_catalogue_dir(), rule_id, list(kinds))
    click.echo(f"wrote {folder}/rule.yaml and rule.rego; edit them, then run kfpolicy generate && kfpolicy test")


def main() -> None:
    cli(prog_name="kfpolicy")

if __name__ == "__main__":
    main()
