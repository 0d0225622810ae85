"""`kfpolicy generate`: deterministic output (same catalogue, same bytes, whatever the hash seed),
`--check` reporting drifted and stale files, and user catalogues reaching the generated tree."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kfpolicy.cli import cli
from kfpolicy.generate import generate, render_all
from user_catalogue import USER_RULE_ID, write_user_catalogue


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def run_generate(out: Path, *extra: str, seed: str = "0") -> subprocess.CompletedProcess[str]:
    """A fresh interpreter per run, so set and dict ordering really can differ between runs."""
    env = {**os.environ, "PYTHONHASHSEED": seed}
    code = "from kfpolicy.cli import main; main()"
    return subprocess.run([sys.executable, "-c", code, "generate", "--out", str(out), *extra],
                          capture_output=True, text=True, env=env, check=False)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, catalogue) -> Path:
    """The built-in catalogue generated once, by the library call the CLI makes."""
    out = tmp_path_factory.mktemp("gen")
    result = generate(catalogue, out)
    assert result.written and not result.removed
    return out


def test_generate_is_byte_identical_across_processes_and_hash_seeds(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    for out, seed in ((first, "1"), (second, "4242")):
        proc = run_generate(out, seed=seed)
        assert proc.returncode == 0, proc.stderr
    a, b = tree(first), tree(second)
    assert a.keys() == b.keys()
    assert "bundles/kfpolicy.tar.gz" in a
    different = [p for p in a if a[p] != b[p]]
    assert different == []


def test_render_all_is_pure_and_matches_the_written_tree(catalogue, generated: Path) -> None:
    """A second rendering in the same process (caches warm, catalogue reused) gives the same bytes."""
    assert render_all(catalogue) == tree(generated)


def test_bundle_archive_is_reproducible(generated: Path) -> None:
    """gzip and tar headers carry no timestamps, owners or ordering from the file system."""
    with tarfile.open(generated / "bundles" / "kfpolicy.tar.gz", "r:gz") as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == sorted(m.name for m in members)
    assert {m.mtime for m in members} == {0}
    assert {(m.uid, m.gid, m.uname, m.gname) for m in members} == {(0, 0, "", "")}
    raw = (generated / "bundles" / "kfpolicy.tar.gz").read_bytes()
    assert raw[4:8] == b"\0\0\0\0", "gzip header mtime must be zero"


def test_generated_files_say_they_are_generated(generated: Path) -> None:
    for rel, body in tree(generated).items():
        if rel.endswith((".rego", ".md")):
            head = body.decode("utf-8")[:400]
            assert "kfpolicy generate" in head, rel


def test_every_rule_gets_a_module_and_a_doc_page(catalogue, generated: Path) -> None:
    for rule in catalogue.rules_sorted():
        module = (generated / "rego" / "rules" / f"{rule.snake_id}.rego").read_text(encoding="utf-8")
        assert f"package {rule.package}" in module
        # the rule's file as written, nothing injected
        assert module.endswith(rule.rego.rstrip("\n") + "\n")
        assert (generated / "docs" / "rules" / f"{rule.id}.md").is_file(), rule.id


def test_rule_metadata_has_one_source(catalogue, generated: Path) -> None:
    """Title and description live in rule.yaml only; the generated module's METADATA says the same."""
    for rule in catalogue.rules_sorted():
        assert "METADATA" not in rule.rego, rule.id
        module = (generated / "rego" / "rules" / f"{rule.snake_id}.rego").read_text(encoding="utf-8")
        block = module.split("# METADATA\n", 1)[1].split("\npackage ", 1)[0]
        meta = yaml.safe_load("\n".join(line[2:] for line in block.splitlines()))
        assert meta == {"title": rule.title, "description": " ".join(rule.description.split())}, rule.id


def test_generated_rego_never_imports_rego_v1(generated: Path) -> None:
    for rel, body in tree(generated).items():
        if rel.endswith(".rego"):
            assert "import rego.v1" not in body.decode("utf-8"), rel


def test_check_passes_on_a_fresh_tree(generated: Path) -> None:
    result = CliRunner().invoke(cli, ["generate", "--check", "--out", str(generated)])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_check_lists_drifted_and_stale_files(tmp_path: Path, generated: Path) -> None:
    runner = CliRunner()
    shutil.copytree(generated, tmp_path, dirs_exist_ok=True)
    keep = tmp_path / "docs" / "install.md"
    keep.write_text("hand-written\n", encoding="utf-8")
    edited = tmp_path / "rego" / "rules" / "field_types.rego"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# hand edit\n", encoding="utf-8")
    deleted = tmp_path / "docs" / "rules" / "requests-within-limits.md"
    deleted.unlink()
    stale = tmp_path / "rego" / "rules" / "removed_rule.rego"
    shutil.copyfile(Path(__file__).parent / "rego" / "snippets" / "stale.rego", stale)
    before = tree(tmp_path)

    result = runner.invoke(cli, ["generate", "--check", "--out", str(tmp_path)])
    assert result.exit_code == 1
    listed = {line.strip().split(" (")[0] for line in result.stderr.splitlines() if line.startswith("  ")}
    assert listed == {
        "rego/rules/field_types.rego",
        "docs/rules/requests-within-limits.md",
        "rego/rules/removed_rule.rego",
    }
    assert "kfpolicy generate" in result.stderr
    assert tree(tmp_path) == before, "--check must not write anything"

    fixed = runner.invoke(cli, ["generate", "--out", str(tmp_path)])
    assert fixed.exit_code == 0
    assert not stale.exists()
    assert keep.read_text(encoding="utf-8") == "hand-written\n", "files outside generated folders stay"
    assert tree(tmp_path) == {**tree(generated), "docs/install.md": b"hand-written\n"}


def test_check_in_an_empty_folder_lists_everything(tmp_path: Path, catalogue) -> None:
    result = CliRunner().invoke(cli, ["generate", "--check", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.count("\n  ") + 1 >= len(render_all(catalogue))
    assert not any(tmp_path.iterdir())


def test_user_catalogue_reaches_the_generated_tree(tmp_path: Path, generated: Path) -> None:
    user = tmp_path / "site-rules"
    write_user_catalogue(user)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["generate", "--catalogue", str(user), "--out", str(out)])
    assert result.exit_code == 0, result.output
    module = (out / "rego" / "rules" / "team_label_required.rego").read_text(encoding="utf-8")
    assert "package lib.kubeflow.rules.team_label_required" in module
    assert (out / "docs" / "rules" / f"{USER_RULE_ID}.md").is_file()
    main = (out / "rego" / "kubeflow" / "main.rego").read_text(encoding="utf-8")
    assert "data.lib.kubeflow.rules.team_label_required.violation" in main
    config = (out / "rego" / "kubeflow" / "config.rego").read_text(encoding="utf-8")
    assert f'"{USER_RULE_ID}",' in config.split("rules_for :=", 1)[1]  # the kinds it applies to
    with tarfile.open(out / "bundles" / "kfpolicy.tar.gz", "r:gz") as tar:
        assert "/rules/team_label_required.rego" in {m.name for m in tar.getmembers()}
    # Everything else is what the built-in catalogue alone generates, plus the rule's own files.
    added = set(tree(out)) - set(tree(generated))
    assert {"rego/rules/team_label_required.rego", f"docs/rules/{USER_RULE_ID}.md"} <= added
    assert all(USER_RULE_ID in p or "team_label_required" in p for p in added), sorted(added)


def test_repository_generated_files_are_up_to_date(root: Path) -> None:
    """What CI runs: the committed rego/, bundles/ and docs/rules/ match the catalogue."""
    result = CliRunner().invoke(cli, ["generate", "--check", "--out", str(root)])
    assert result.exit_code == 0, "run `kfpolicy generate` and commit:\n" + result.output


def test_bundle_contents_are_listed_once(generated: Path) -> None:
    payload = (generated / "bundles" / "kfpolicy.tar.gz").read_bytes()
    with tarfile.open(fileobj=io.BytesIO(payload), mode="r:gz") as tar:
        names = [m.name for m in tar.getmembers()]
    assert len(names) == len(set(names))
