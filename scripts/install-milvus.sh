#!/usr/bin/env bash
# Installs the embedded Milvus server (PyPI package `milvus`, standalone Milvus 2.3 with etcd
# inside) and pymilvus into a cached virtualenv outside the repo. Idempotent; prints the
# virtualenv's path on its last line.
set -euo pipefail

CACHE_ROOT="${PDP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-db-passwords}"
# The requirement set is part of the cache key: a change makes a new virtualenv.
REQS=(
  "milvus==2.3.5"
  "pymilvus==2.3.8"
  # pymilvus 2.3 imports pkg_resources, uses marshmallow 3 through environs, protobuf 4 stubs and numpy 1
  "setuptools<70"
  "marshmallow<4"
  "protobuf>=4.21,<5"
  "numpy<2"
  "pandas<2.2"
)
KEY="$(printf '%s\n' "${REQS[@]}" | sha256sum | cut -c1-12)"
VENV="$CACHE_ROOT/milvus-venv-$KEY"

log() { echo "[install-milvus] $*" >&2; }

# The package ships Milvus and its libraries xz-compressed (56 MB); its launcher unpacks them
# (246 MB, about 3 s of CPU) into every server's data directory. Unpacked once here, into
# $VENV/milvus-data/bin, the harness links each data directory's bin/ to them: the launcher
# finds them current (its .md5 files) and starts at once. Done on a cached virtualenv too.
unpack() {
  [[ -f "$VENV/milvus-data/bin/.unpacked" ]] && return 0
  local tmp
  tmp="$(mktemp -d "$VENV/milvus-data.XXXXXX")"
  chmod 755 "$tmp"
  "$VENV/bin/python" -c 'import sys, milvus; milvus._initialize_data_files(sys.argv[1])' "$tmp" >&2
  touch "$tmp/bin/.unpacked"
  # a rename, so that a run in parallel sees the whole directory or none
  if [[ -f "$VENV/milvus-data/bin/.unpacked" ]]; then
    rm -rf "$tmp"
    return 0
  fi
  rm -rf "$VENV/milvus-data" # what an interrupted run left
  mv -T "$tmp" "$VENV/milvus-data" || rm -rf "$tmp"
  log "unpacked Milvus into $VENV/milvus-data/bin"
}

if [[ -x "$VENV/bin/milvus-server" && -f "$VENV/.installed" ]]; then
  unpack
  log "cached: $VENV"
  echo "$VENV"
  exit 0
fi
start=$(date +%s)
mkdir -p "$CACHE_ROOT"
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "${REQS[@]}" >&2
"$VENV/bin/python" -c "import pymilvus, milvus" >&2
touch "$VENV/.installed"
unpack
log "installed into $VENV in $(( $(date +%s) - start ))s"
echo "$VENV"
