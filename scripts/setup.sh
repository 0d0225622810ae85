#!/usr/bin/env bash
# Create .venv with the pinned dependencies and kfpolicy itself. Idempotent; safe to rerun.
#   bash scripts/setup.sh          runtime dependencies
#   bash scripts/setup.sh --test   plus test dependencies and real OPA (opa-golib-python-bindings)
set -euo pipefail
cd "$(dirname "$0")/.."

py=""
for candidate in python3.11 python3 python; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
    py=$candidate; break
  fi
done
[ -n "$py" ] || { echo "setup: Python 3.11 or newer is required" >&2; exit 2; }

if [ ! -x .venv/bin/python ]; then
  "$py" -m venv .venv
fi
pip=(.venv/bin/python -m pip --disable-pip-version-check -q)
"${pip[@]}" install -r requirements/runtime.txt
"${pip[@]}" install --no-deps -e .
if [ "${1:-}" = "--test" ]; then
  "${pip[@]}" install -r requirements/test.txt
  # Real OPA's Go engine, for the cross-engine tests. The wheel declares Python >= 3.14 but works on
  # 3.11 (README.md, "Install"), hence --ignore-requires-python.
  "${pip[@]}" install --ignore-requires-python -r requirements/opa.txt
fi
