#!/usr/bin/env bash
# Installs the Python side of Pulumi programs into a cached virtualenv outside the repo: PyPI
# `pulumi` 3.272.0 (the Python SDK that runs programs under the Python language host) and what
# the generated SDK (sdk/python) needs to install and run. The SDK itself is installed by the
# tests and the benchmark from this checkout, as a user installs it. Idempotent; prints the
# virtualenv's path on its last line.
set -euo pipefail

CACHE_ROOT="${PDP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-db-passwords}"
# The requirement set is part of the cache key: a change makes a new virtualenv.
REQS=(
  "pulumi==3.272.0"
  # what sdk/python/pyproject.toml asks for, and its build backend (installed without isolation)
  "packaging>=24.0"
  "semver>=2.8.1"
  "setuptools>=61.0"
  "wheel"
)
KEY="$(printf '%s\n' "${REQS[@]}" | sha256sum | cut -c1-12)"
VENV="$CACHE_ROOT/pulumi-python-$KEY"

log() { echo "[install-python] $*" >&2; }

if [[ -x "$VENV/bin/python" && -f "$VENV/.installed" ]]; then
  log "cached: $VENV"
  echo "$VENV"
  exit 0
fi
start=$(date +%s)
mkdir -p "$CACHE_ROOT"
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "${REQS[@]}" >&2
"$VENV/bin/python" -c "import pulumi" >&2
touch "$VENV/.installed"
log "installed into $VENV in $(( $(date +%s) - start ))s"
echo "$VENV"
