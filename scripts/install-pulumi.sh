#!/usr/bin/env bash
# Builds the Pulumi CLI from its Go module source (no binary download is possible here)
# into a cache outside the repo. Idempotent: a second run with the same version is instant.
# Prints the bin directory on its last line.
set -euo pipefail

PULUMI_VERSION="${PULUMI_VERSION:-v3.248.0}"
CACHE_ROOT="${PDP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-db-passwords}"
BIN_DIR="$CACHE_ROOT/pulumi-$PULUMI_VERSION/bin"
STAMP="$BIN_DIR/.built"

log() { echo "[install-pulumi] $*" >&2; }

if [[ -x "$BIN_DIR/pulumi" && -f "$STAMP" ]]; then
  log "cached: $BIN_DIR/pulumi ($("$BIN_DIR/pulumi" version))"
  echo "$BIN_DIR"
  exit 0
fi

command -v go >/dev/null || { log "go is required to build the Pulumi CLI"; exit 1; }
mkdir -p "$BIN_DIR"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# The checksum database is not reachable from this network; the module proxy is the source of truth.
export GOSUMDB=off GOFLAGS=-mod=mod GOTOOLCHAIN=local

start=$(date +%s)
log "building pulumi $PULUMI_VERSION from github.com/pulumi/pulumi/pkg/v3 (first build takes several minutes)"
cd "$WORK"
cat > go.mod <<MOD
module pulumi-cli-build

go 1.25

require (
	github.com/pulumi/pulumi/pkg/v3 $PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION
)
MOD
# pkg's own go.mod has replace directives; copy the ones that are not relative paths
# (a relative one points into the pulumi repo and is satisfied by the sdk requirement above).
pkg_mod="$(go mod download -json "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
awk '/^replace[[:space:]]*\(/{inblock=1; next} inblock && /^\)/{inblock=0; next}
     inblock {print "replace " $0; next} /^replace /{print}' "$pkg_mod" \
  | grep -v -E '=>[[:space:]]*\.\.?/' >> go.mod || true
cat > tools.go <<'GO'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
GO
go mod tidy >/dev/null 2>&1 || go mod download
go build -trimpath -o "$BIN_DIR/pulumi" \
  -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
  github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
touch "$STAMP"
log "built $("$BIN_DIR/pulumi" version) in $(( $(date +%s) - start ))s"
echo "$BIN_DIR"
