"""Shared fixtures: the repository root, the built-in catalogue, the transcribed upstream cases
(tests/upstream/cases, in the repository) and, when given, the upstream example manifests.

The upstream examples live outside the repository. Give them with `--examples DIR` or the
environment variable KFPOLICY_EXAMPLES (.ci/run passes ../shared/kubeflow/examples); without them
the tests marked `upstream_examples` are deselected and the summary says what was not checked.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

from kfpolicy.catalogue import Catalogue, load_catalogue
from kfpolicy.engines.opa_golib import available as opa_available
from kfpolicy.gatekeeper.names import GatekeeperOptions
from kfpolicy.gatekeeper.render import render_gatekeeper
from kfpolicy.render.rego import render_rego
from kfpolicy.runner import Evaluator
from resource_jobs import ENGINES, MINE
from upstream.cases import CASES_DIR

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES_ENV = "KFPOLICY_EXAMPLES"
EXAMPLES_MARK = "upstream_examples"
_NOT_CHECKED_KEY = pytest.StashKey[list[str]]()
_OWN_CACHE_ENV = "KFPOLICY_TEST_OWN_CACHE"  # the cache folder this run made, not one given to it


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--examples", default=None, metavar="DIR",
                     help=f"upstream example manifests to check (default: ${EXAMPLES_ENV}; "
                          "unset: not checked)")


def pytest_configure(config: pytest.Config) -> None:
    # Compiled programs go to a fresh cache folder per run (and its subprocesses), not the user's.
    # Each pytest-xdist worker makes its own instead of the one it inherits from the controller, so
    # no two workers write one folder.
    given = os.environ.get("KFPOLICY_CACHE_DIR")
    if given is None or given == os.environ.get(_OWN_CACHE_ENV):
        folder = tempfile.mkdtemp(prefix="kfpolicy-test-cache-")
        os.environ["KFPOLICY_CACHE_DIR"] = os.environ[_OWN_CACHE_ENV] = folder
    config.addinivalue_line("markers", f"{EXAMPLES_MARK}: needs the upstream example manifests (--examples)")
    config.stash[_NOT_CHECKED_KEY] = []


def examples_dir(config: pytest.Config) -> Path | None:
    """The upstream examples folder given by option or environment, or None."""
    value = config.getoption("--examples") or os.environ.get(EXAMPLES_ENV) or None
    return Path(value).resolve() if value else None


def pytest_sessionstart(session: pytest.Session) -> None:
    """Real OPA is part of the test setup (scripts/setup.sh --test installs it): without it the
    cross-engine tests would pass as skipped, so the run stops instead. An examples folder that was
    given must exist. KFPOLICY_PARTIAL_TESTS=1 allows a run without real OPA."""
    examples = examples_dir(session.config)
    if examples is not None and not examples.is_dir():
        pytest.exit(f"--examples / ${EXAMPLES_ENV}: {examples} is not a folder", returncode=2)
    if os.environ.get("KFPOLICY_PARTIAL_TESTS") == "1":
        return
    if not opa_available():
        pytest.exit("missing: real OPA engine (opa-golib-python-bindings; run scripts/setup.sh --test) "
                    "(set KFPOLICY_PARTIAL_TESTS=1 to run without)", returncode=2)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without the upstream examples, their tests are deselected (not skipped) and reported."""
    if examples_dir(config) is not None:
        return
    needing = [item for item in items if item.get_closest_marker(EXAMPLES_MARK)]
    if needing:
        config.hook.pytest_deselected(items=needing)
        items[:] = [item for item in items if not item.get_closest_marker(EXAMPLES_MARK)]
        config.stash[_NOT_CHECKED_KEY].append(
            f"upstream example manifests ({len(needing)} tests deselected; "
            f"give --examples DIR or ${EXAMPLES_ENV})")


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A pytest-xdist worker hands its notes to the controller, which collects no tests itself."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["kfpolicy_not_checked"] = session.config.stash[_NOT_CHECKED_KEY]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist's controller: every worker collects the same tests, so one note each is kept."""
    notes = node.config.stash[_NOT_CHECKED_KEY]
    for line in getattr(node, "workeroutput", {}).get("kfpolicy_not_checked", []):
        if line not in notes:
            notes.append(line)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    for line in config.stash[_NOT_CHECKED_KEY]:
        terminalreporter.write_line(f"NOT CHECKED: {line}", yellow=True, bold=True)


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def upstream_cases() -> Path:
    """The transcribed upstream webhook test cases, test data in this repository."""
    return CASES_DIR


@pytest.fixture(scope="session")
def upstream_examples(request: pytest.FixtureRequest) -> Path:
    """The upstream example manifests; only tests marked `upstream_examples` may use this."""
    examples = examples_dir(request.config)
    if examples is None:
        pytest.fail(f"upstream examples not given: mark the test `{EXAMPLES_MARK}` "
                    "so it is deselected without them")
    return examples


# --- the resource-rule tests (tests/test_resource_*.py); module scope: each test module loads its own --


@pytest.fixture(scope="module")
def modules(catalogue: Catalogue) -> dict[str, str]:
    return render_rego(catalogue)


@pytest.fixture(scope="module", params=ENGINES)
def evaluators(
    request: pytest.FixtureRequest, catalogue: Catalogue, modules: dict[str, str]
) -> dict[str, Evaluator]:
    """Per engine: my rules alone ("mine"), and the full restricted and baseline profiles."""
    engine = request.param
    return {
        "mine": Evaluator(catalogue, profile="all", engine=engine, only=MINE, modules=modules),
        "restricted": Evaluator(catalogue, profile="restricted", engine=engine, modules=modules),
        "baseline": Evaluator(catalogue, profile="baseline", engine=engine, modules=modules),
    }


# --- the Gatekeeper tests (tests/test_gatekeeper_*.py); module scope: each test module renders its own --


@pytest.fixture(scope="module")
def files(catalogue: Catalogue) -> dict[str, str]:
    return render_gatekeeper(catalogue)


@pytest.fixture(scope="module")
def code_files(catalogue: Catalogue) -> dict[str, str]:
    return render_gatekeeper(catalogue, GatekeeperOptions(code_field=True))
