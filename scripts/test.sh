#!/usr/bin/env bash
# The whole test suite: set up with test dependencies, check generated files for drift, lint (ruff with
# the rule set in pyproject.toml, mypy --strict), run pytest.
# Arguments go to pytest. To check the upstream examples too (a path relative to the repository root):
#   KFPOLICY_EXAMPLES=../shared/kubeflow/examples bash scripts/test.sh   (or pytest's --examples=DIR)
# pytest runs one worker per CPU (pytest-xdist), each test file whole on one worker, so a file's
# module-scoped fixtures are built once as in a serial run. `bash scripts/test.sh -n 0` runs serially.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/kfpolicy generate --check
.venv/bin/ruff check generator tests benchmarks
.venv/bin/mypy --strict generator/kfpolicy
.venv/bin/python -m pytest -n auto --dist loadfile "$@"
