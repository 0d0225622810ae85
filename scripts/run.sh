#!/usr/bin/env bash
# The main job: set up, regenerate every artefact from the catalogue, and check the policies against
# the rule examples, the job corpus and the example jobs in examples/jobs/ on the embedded engine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/kfpolicy generate
.venv/bin/kfpolicy test --examples examples/jobs
