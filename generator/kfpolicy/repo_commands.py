"""The commands that work on a kfpolicy repository (generate, test, new rule). They find the
repository explicitly (--repo, or walking up to its pyproject.toml) and never write elsewhere."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kfpolicy.catalogue import load_catalogue
from kfpolicy.cli_options import catalogue_option, repo_option, test_output_option
from kfpolicy.engines import REGO_ENGINES
from kfpolicy.errors import KfpolicyError
from kfpolicy.generate import GenerateOptions, generate
from kfpolicy.repo import find_repository
from kfpolicy.report import outcomes_text
from kfpolicy.report.junit import outcomes_junit

EXIT_VIOLATIONS = 1


@click.command("generate")
@repo_option
@catalogue_option
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if any generated file differs.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write rego/, gatekeeper/, bundles/ and docs/ under this folder instead of the "
    "repository (the installed catalogue is used unless --repo is given).",
)
@click.option(
    "--gatekeeper-code-field",
    is_flag=True,
    help="ConstraintTemplates in the `code: [{engine: Rego, source: {version: v1}}]` form "
    "(Gatekeeper >= 3.19) instead of the legacy `rego:` field.",
)
def generate_cmd(
    repo: Path | None,
    catalogues: tuple[Path, ...],
    check: bool,
    out: Path | None,
    gatekeeper_code_field: bool,
) -> None:
    """Regenerate every artefact of the repository from its catalogue (deterministic)."""
    if out is not None and repo is None:
        cat = load_catalogue(list(catalogues))
    else:
        repository = find_repository(repo)
        cat = load_catalogue(list(catalogues), builtin=repository.catalogue_dir)
        out = out or repository.root
    options = GenerateOptions(gatekeeper_code_field=gatekeeper_code_field)
    result = generate(cat, out, check=check, options=options)
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


@click.command("test")
@repo_option
@catalogue_option
@click.option(
    "--engine",
    type=click.Choice(REGO_ENGINES),
    default="embedded",
    show_default=True,
    help="Rego engine: embedded (regorus, in-process) or opa (OPA's Go engine, when installed).",
)
@click.option(
    "--corpus",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Job corpus with `# expect:` headers (default: the repository's tests/jobs/).",
)
@click.option(
    "--examples",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="A folder of example jobs that the default profile must admit (e.g. the upstream "
    "examples); without it they are not checked, and the summary says so.",
)
@test_output_option
def test_cmd(
    repo: Path | None,
    catalogues: tuple[Path, ...],
    engine: str,
    corpus: Path | None,
    examples: Path | None,
    output: str,
) -> None:
    """Check every rule's examples, the job corpus and, when given, a folder of example jobs."""
    from kfpolicy.testing import run_checks

    repository = find_repository(repo)
    cat = load_catalogue(list(catalogues), builtin=repository.catalogue_dir)
    corpus = corpus or repository.corpus_dir
    if not corpus.is_dir():
        raise KfpolicyError(f"--corpus {corpus}: no such folder")
    outcomes = run_checks(cat, engine=engine, corpus=corpus, examples=examples)
    if output == "junit":
        click.echo(outcomes_junit(outcomes))
    elif output == "json":
        click.echo(json.dumps([o.__dict__ for o in outcomes], indent=2))
    else:
        click.echo(outcomes_text(outcomes))
    if examples is None:
        # On stderr for json/junit, so their output stays one parseable document.
        click.echo("not checked: example jobs (no --examples DIR given)", err=output != "text")
    if not outcomes:
        raise KfpolicyError("no checks ran: the catalogue has no rules and no corpus was found")
    if not all(o.passed for o in outcomes):
        sys.exit(EXIT_VIOLATIONS)


@click.group("new")
def new_group() -> None:
    """Scaffold catalogue entries."""


@new_group.command("rule")
@click.argument("rule_id")
@repo_option
@click.option(
    "--catalogue",
    "catalogue_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Catalogue folder to write into (default: the repository's catalogue).",
)
@click.option("--kind", "kinds", multiple=True, help="Kind id from kinds.yaml; repeatable.")
def new_rule_cmd(rule_id: str, repo: Path | None, catalogue_dir: Path | None, kinds: tuple[str, ...]) -> None:
    """Write rules/RULE_ID/ in the catalogue with a working rule, its Rego and examples to edit."""
    from kfpolicy.scaffold import new_rule

    folder = new_rule(catalogue_dir or find_repository(repo).catalogue_dir, rule_id, list(kinds))
    flags = f" --catalogue {catalogue_dir}" if catalogue_dir else ""
    click.echo(
        f"wrote {folder}/rule.yaml and rule.rego; edit them, then run "
        f"kfpolicy generate{flags} && kfpolicy test{flags}"
    )
