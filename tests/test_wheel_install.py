"""The built wheel works where users install it: in a fresh venv with the pinned runtime
requirements, run from a folder outside the repository, with no checkout to lean on.

Built once per session from a copy of pyproject.toml and generator/ (so nothing left over in the
working tree's build/ folder can slip into the wheel), with `pip wheel --no-deps`; pip resolves the
pinned requirements from its configured index or cache.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from conftest import ROOT

INSTALL_TIMEOUT = 900
COMMAND_TIMEOUT = 180
DENIED_JOB = ROOT / "examples" / "denied" / "pytorchjob-two-masters.yaml"


def _run(args: list[str | Path], cwd: Path,
         timeout: float = COMMAND_TIMEOUT) -> subprocess.CompletedProcess[str]:
    # No PYTHONPATH or active venv from the test run: the installed package must stand alone.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def _checked(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert proc.returncode == 0, f"{proc.args}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh venv with the wheel and the pinned runtime requirements."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    source.mkdir()
    shutil.copy2(ROOT / "pyproject.toml", source / "pyproject.toml")
    shutil.copytree(ROOT / "generator", source / "generator",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc"))
    dist = base / "dist"
    pip: list[str | Path] = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    _checked(_run([*pip, "wheel", "--no-deps", "-w", dist, source], base, INSTALL_TIMEOUT))
    [wheel] = dist.glob("kfpolicy-*.whl")
    venv = base / "venv"
    _checked(_run([sys.executable, "-m", "venv", venv], base, INSTALL_TIMEOUT))
    # --no-compile: byte-compiling the kubernetes client would otherwise dominate the install time.
    vpip: list[str | Path] = [venv / "bin" / "python", "-m", "pip", "--disable-pip-version-check", "-q",
              "install", "--no-compile"]
    _checked(_run([*vpip, "-r", ROOT / "requirements" / "runtime.txt"], base, INSTALL_TIMEOUT))
    _checked(_run([*vpip, "--no-deps", wheel], base, INSTALL_TIMEOUT))
    return venv / "bin"


@pytest.fixture()
def outside(tmp_path: Path) -> Path:
    """A working folder outside the repository."""
    assert ROOT not in tmp_path.resolve().parents
    return tmp_path


def test_the_package_is_imported_from_the_venv_not_the_checkout(installed: Path, outside: Path) -> None:
    proc = _checked(_run([installed / "python", "-c", "import kfpolicy; print(kfpolicy.__file__)"], outside))
    location = Path(proc.stdout.strip()).resolve()
    assert installed.parent.resolve() in location.parents
    assert ROOT not in location.parents


def test_eval_denies_a_job_from_any_folder(installed: Path, outside: Path) -> None:
    shutil.copy2(DENIED_JOB, outside / "job.yaml")
    proc = _run([installed / "kfpolicy", "eval", "job.yaml"], outside)
    assert proc.returncode == 1, proc.stderr
    denial = "spec.pytorchReplicaSpecs[Master].replicas: Forbidden: must be 1  (master-replicas-one)"
    assert denial in proc.stdout
    assert "1 objects: 1 denied" in proc.stdout


def test_bundle_is_written_where_asked(installed: Path, outside: Path) -> None:
    bundle: list[str | Path] = [installed / "kfpolicy", "bundle", "--profile", "restricted",
                                "--out", "restricted.tar.gz"]
    _checked(_run(bundle, outside))
    with tarfile.open(outside / "restricted.tar.gz") as tar:
        names = tar.getnames()
    assert any(n.endswith(".rego") for n in names)
    assert any(n.endswith("data.json") for n in names)
    assert sorted(p.name for p in outside.iterdir()) == ["restricted.tar.gz"]


def test_help_and_version(installed: Path, outside: Path) -> None:
    helped = _checked(_run([installed / "python", "-m", "kfpolicy", "--help"], outside))
    assert "eval" in helped.stdout and "bundle" in helped.stdout
    version = _checked(_run([installed / "kfpolicy", "--version"], outside))
    assert version.stdout.startswith("kfpolicy, version ")


def test_repository_commands_refuse_to_write_outside_a_repository(installed: Path, outside: Path) -> None:
    for command in (["generate"], ["new", "rule", "my-rule"], ["test"]):
        proc = _run([installed / "kfpolicy", *command], outside)
        assert proc.returncode == 2, (command, proc.stdout, proc.stderr)
        assert "not inside a kfpolicy repository" in proc.stderr
    assert list(outside.iterdir()) == []
