"""Gatekeeper through the command line: `eval --engine gatekeeper` answers like the embedded engine,
and `generate --gatekeeper-code-field` writes Rego v1 templates."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from kfpolicy.catalogue.model import Catalogue
from kfpolicy.cli import cli
from kfpolicy.gatekeeper.names import template_path

# --- the command line --------------------------------------------------------------------------


def test_eval_engine_gatekeeper_matches_embedded(catalogue: Catalogue, tmp_path: Path) -> None:
    bad = catalogue.rules["replicas-non-negative"].examples[1].object
    path = tmp_path / "job.yaml"
    path.write_text(yaml.safe_dump(bad))
    runner = CliRunner()
    gk = runner.invoke(
        cli, ["eval", str(path), "--engine", "gatekeeper", "--profile", "baseline", "-o", "json"]
    )
    emb = runner.invoke(cli, ["eval", str(path), "--profile", "baseline", "-o", "json"])
    assert gk.exit_code == emb.exit_code == 1, gk.output

    def strip(out):
        return [
            {**r, "violations": sorted(r["violations"], key=json.dumps)} for r in json.loads(out)["results"]
        ]

    assert strip(gk.stdout) == strip(emb.stdout)
    wrong = runner.invoke(cli, ["eval", str(path), "--engine", "gatekeeper", "--profile", "nope"])
    assert wrong.exit_code == 2


def test_generate_code_field_flag(catalogue: Catalogue, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["generate", "--out", str(tmp_path), "--gatekeeper-code-field"])
    assert result.exit_code == 0, result.output
    t = yaml.safe_load((tmp_path / template_path("replicas-non-negative")).read_text())
    assert t["spec"]["targets"][0]["code"][0]["source"]["version"] == "v1"
    check = runner.invoke(cli, ["generate", "--out", str(tmp_path), "--check"])
    assert (
        check.exit_code == 1
        and "replicas-non-negative.yaml (content changed: version 1.0.0 must become 1.0.1)" in (check.stderr)
    )
