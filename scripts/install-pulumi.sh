#!/usr/bin/env bash
# Builds the Pulumi CLI and Pulumi's own Node.js language host from their Go module source
# (no binary download is possible here) into a cache outside the repo, laid out the way
# Pulumi's own distribution is: `pulumi`, `pulumi-language-nodejs` and
# `pulumi-resource-pulumi-nodejs` side by side in one bin directory, so that the CLI finds its
# bundled plugins next to itself. Idempotent: a second run is instant.
# Prints the bin directory on its last line.
set -euo pipefail

PULUMI_VERSION="${PULUMI_VERSION:-v3.248.0}"
# The Node.js language host has lived in a Go module of its own since v3.69.0, and the module
# proxy does not serve that module. Up to v3.68.0 it was the package
# nodejs/cmd/pulumi-language-nodejs of github.com/pulumi/pulumi/sdk/v3, which the proxy does
# serve. The host is a thin launcher: it runs the program with the `cmd/run` of the program's
# own @pulumi/pulumi, so the SDK version that runs programs is the one each program installs.
LANGUAGE_HOST_VERSION="${PULUMI_LANGUAGE_HOST_VERSION:-v3.68.0}"
CACHE_ROOT="${PDP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-db-passwords}"
BIN_DIR="$CACHE_ROOT/pulumi-$PULUMI_VERSION/bin"
CLI_STAMP="$BIN_DIR/.built"
HOST_STAMP="$BIN_DIR/.language-host-$LANGUAGE_HOST_VERSION"

log() { echo "[install-pulumi] $*" >&2; }

if [[ -x "$BIN_DIR/pulumi" && -f "$CLI_STAMP" && -f "$HOST_STAMP" && -x "$BIN_DIR/pulumi-resource-pulumi-nodejs" ]]; then
  log "cached: $BIN_DIR/pulumi ($("$BIN_DIR/pulumi" version)), pulumi-language-nodejs $LANGUAGE_HOST_VERSION"
  echo "$BIN_DIR"
  exit 0
fi

command -v go >/dev/null || { log "go is required to build the Pulumi CLI"; exit 1; }
mkdir -p "$BIN_DIR"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# The checksum database is not reachable from this network; the module proxy is the source of truth.
export GOSUMDB=off GOFLAGS=-mod=mod GOTOOLCHAIN=local

# go_build DIR PACKAGE OUTPUT VERSION: builds PACKAGE in the module DIR with Pulumi's version ldflag.
go_build() {
  (cd "$1" && go mod tidy >/dev/null 2>&1 || go mod download) >&2
  (cd "$1" && go build -trimpath -o "$3" \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$4" "$2") >&2
}

# tools_go DIR PACKAGE: a tools.go that keeps PACKAGE in DIR's module graph.
tools_go() {
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$2" > "$1/tools.go"
}

if [[ ! -x "$BIN_DIR/pulumi" || ! -f "$CLI_STAMP" ]]; then
  start=$(date +%s)
  log "building pulumi $PULUMI_VERSION from github.com/pulumi/pulumi/pkg/v3 (first build takes several minutes)"
  mkdir -p "$WORK/cli"
  cat > "$WORK/cli/go.mod" <<MOD
module pulumi-cli-build

go 1.25

require (
	github.com/pulumi/pulumi/pkg/v3 $PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION
)
MOD
  # pkg's own go.mod has replace directives; copy the ones that are not relative paths
  # (a relative one points into the pulumi repo and is satisfied by the sdk requirement above).
  pkg_mod="$(cd "$WORK/cli" && go mod download -json "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  awk '/^replace[[:space:]]*\(/{inblock=1; next} inblock && /^\)/{inblock=0; next}
       inblock {print "replace " $0; next} /^replace /{print}' "$pkg_mod" \
    | grep -v -E '=>[[:space:]]*\.\.?/' >> "$WORK/cli/go.mod" || true
  tools_go "$WORK/cli" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  go_build "$WORK/cli" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$BIN_DIR/pulumi" "$PULUMI_VERSION"
  touch "$CLI_STAMP"
  log "built $("$BIN_DIR/pulumi" version) in $(( $(date +%s) - start ))s"
fi

if [[ ! -f "$HOST_STAMP" ]]; then
  start=$(date +%s)
  log "building pulumi-language-nodejs $LANGUAGE_HOST_VERSION from github.com/pulumi/pulumi/sdk/v3"
  mkdir -p "$WORK/host"
  sdk_mod="$(cd "$WORK" && go mod download -json "github.com/pulumi/pulumi/sdk/v3@$LANGUAGE_HOST_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')"
  {
    printf 'module pulumi-language-nodejs-build\n\ngo 1.18\n\nrequire github.com/pulumi/pulumi/sdk/v3 %s\n\n' "$LANGUAGE_HOST_VERSION"
    # the sdk's own replace directives (v3.68.0 pins golang.org/x/text)
    grep -E '^replace ' "$sdk_mod" || true
  } > "$WORK/host/go.mod"
  tools_go "$WORK/host" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
  go_build "$WORK/host" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs "$BIN_DIR/pulumi-language-nodejs" "$LANGUAGE_HOST_VERSION"
  rm -f "$BIN_DIR"/.language-host-*
  touch "$HOST_STAMP"
  log "built pulumi-language-nodejs $LANGUAGE_HOST_VERSION in $(( $(date +%s) - start ))s"
fi

if [[ ! -x "$BIN_DIR/pulumi-resource-pulumi-nodejs" ]]; then
  # The dynamic provider launcher Pulumi ships next to its CLI: a shell script in the sdk
  # module (nodejs/dist) that runs @pulumi/pulumi's cmd/dynamic-provider of the program.
  sdk_dir="$(cd "$WORK" && go mod download -json "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
  install -m 0755 "$sdk_dir/nodejs/dist/pulumi-resource-pulumi-nodejs" "$BIN_DIR/pulumi-resource-pulumi-nodejs"
  log "installed pulumi-resource-pulumi-nodejs from sdk/v3@$PULUMI_VERSION"
fi

echo "$BIN_DIR"
