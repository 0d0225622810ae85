"""Repository commands (`generate`, `test`, `new rule`) find their repository explicitly (`--repo`
or walking up to a pyproject.toml that names kfpolicy) and never write into an unrelated folder;
`kfpolicy test --examples DIR` checks that a folder of jobs is admitted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from kfpolicy.catalogue import Catalogue
from kfpolicy.cli import cli
from kfpolicy.errors import KfpolicyError
from kfpolicy.render.rego import render_rego
from kfpolicy.repo import CATALOGUE_PATH, find_repository, names_kfpolicy
from kfpolicy.testing import check_examples


def make_repo(root: Path, name: str = "kfpolicy") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(f'[project]\nname = "{name}"\nversion = "0"\n', encoding="utf-8")
    (root / CATALOGUE_PATH).mkdir(parents=True)
    return root


def test_this_checkout_is_a_repository() -> None:
    assert names_kfpolicy(ROOT / "pyproject.toml")
    assert find_repository(start=ROOT / "docs").root == ROOT
    assert find_repository(ROOT).catalogue_dir.is_dir()


def test_walks_up_past_other_projects(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "checkout")
    nested = repo / "sub" / "project"
    nested.mkdir(parents=True)
    (nested / "pyproject.toml").write_text('[project]\nname = "something-else"\n', encoding="utf-8")
    (repo / "sub" / "pyproject.toml").write_text("not toml [", encoding="utf-8")
    assert find_repository(start=nested).root == repo.resolve()


def test_outside_a_repository_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KfpolicyError, match="not inside a kfpolicy repository"):
        find_repository(start=tmp_path)
    other = make_repo(tmp_path / "other", name="other")
    with pytest.raises(KfpolicyError, match=r"--repo .*other: not a kfpolicy repository"):
        find_repository(other)


def test_a_repository_without_its_catalogue_is_an_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    shutil.rmtree(repo / CATALOGUE_PATH)
    with pytest.raises(KfpolicyError, match="without its catalogue"):
        find_repository(repo)


REPOSITORY_COMMANDS = [["generate"], ["generate", "--check"], ["test"], ["new", "rule", "my-rule"]]


@pytest.mark.parametrize("command", REPOSITORY_COMMANDS)
def test_repository_commands_stop_outside_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              command: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 2, result.output
    assert f"kfpolicy: error: {tmp_path.resolve()}: not inside a kfpolicy repository" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_generate_check_with_repo_from_elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["generate", "--check", "--repo", str(ROOT)])
    assert result.exit_code == 0, result.output
    assert "generated files are up to date" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_new_rule_writes_into_the_named_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path / "checkout")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = CliRunner().invoke(cli, ["new", "rule", "team-label", "--repo", str(repo)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (repo / CATALOGUE_PATH / "rules" / "team-label").iterdir()) == [
        "rule.rego", "rule.yaml"]
    assert list(elsewhere.iterdir()) == []


# --- kfpolicy test --examples DIR: a folder of jobs that must be admitted ---------------------------


def _outcomes(catalogue: Catalogue, folder: Path) -> list[tuple[str, bool]]:
    return [(o.name, o.passed) for o in check_examples(catalogue, "embedded", render_rego(catalogue), folder)]


def test_the_shipped_example_jobs_are_admitted(catalogue: Catalogue) -> None:
    assert _outcomes(catalogue, ROOT / "examples" / "jobs") == [
        ("pytorchjob-ddp.yaml#0", True), ("tfjob-parameter-server.yaml#0", True)]


def test_a_denied_job_and_an_unreadable_file_fail(catalogue: Catalogue, tmp_path: Path) -> None:
    shutil.copy2(ROOT / "examples" / "denied" / "pytorchjob-two-masters.yaml", tmp_path / "a.yaml")
    (tmp_path / "b.yaml").write_text("kind: [unclosed\n", encoding="utf-8")
    config_map = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"
    (tmp_path / "c.yaml").write_text(config_map, encoding="utf-8")
    outcomes = list(check_examples(catalogue, "embedded", render_rego(catalogue), tmp_path))
    assert [(o.name, o.passed) for o in outcomes] == [("a.yaml#0", False), ("b.yaml#0", False)]
    assert "Forbidden: must be 1" in outcomes[0].message
    assert "invalid YAML" in outcomes[1].message


def test_runtimes_in_the_folder_are_the_trainjobs_inventory(catalogue: Catalogue, tmp_path: Path) -> None:
    shutil.copy2(ROOT / "examples" / "trainjobs" / "trainjob-torch.yaml", tmp_path / "job.yaml")
    assert _outcomes(catalogue, tmp_path) == [("job.yaml#0", False)]
    shutil.copy2(ROOT / "examples" / "runtimes" / "torch-distributed.yaml", tmp_path / "runtime.yaml")
    assert _outcomes(catalogue, tmp_path) == [("job.yaml#0", True), ("runtime.yaml#0", True)]
