#!/usr/bin/env bash
# Builds the Pulumi CLI and Pulumi's own language hosts from their Go module source (no binary
# download is possible here) into a cache outside the repo, laid out the way Pulumi's own
# distribution is: `pulumi`, `pulumi-language-{nodejs,python,yaml,go}`, the Python host's
# `pulumi-language-python-exec` and `pulumi-resource-pulumi-nodejs` side by side in one bin
# directory, so that the CLI finds its bundled plugins next to itself (no "using … from $PATH"
# warning). Also builds `pulumi-dbpasswords-codegen` (scripts/codegen, Pulumi's own SDK
# generators). Idempotent: each part has a stamp, and a second run is instant.
# Prints the bin directory on its last line.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PULUMI_VERSION="${PULUMI_VERSION:-v3.276.0}"
# The Node.js and Python language hosts have lived in Go modules of their own since v3.69.0,
# and the module proxy does not serve those modules. Up to v3.68.0 they were packages of
# github.com/pulumi/pulumi/sdk/v3 (nodejs/cmd/pulumi-language-nodejs,
# python/cmd/pulumi-language-python), which the proxy does serve. Both are thin launchers: the
# Node.js host runs the program with the `cmd/run` of the program's own @pulumi/pulumi, the
# Python host runs it with the `pulumi` package of the program's Python, so the SDK that runs
# programs is the one each program installs.
LANGUAGE_HOST_VERSION="${PULUMI_LANGUAGE_HOST_VERSION:-v3.68.0}"
# The Go host left sdk/v3 earlier: v3.66.0 is the last release with go/pulumi-language-go.
GO_HOST_VERSION="${PULUMI_GO_HOST_VERSION:-v3.66.0}"
# The YAML host is a module of its own that the proxy serves; it builds with its own go.mod.
YAML_HOST_VERSION="${PULUMI_YAML_VERSION:-v1.25.0}"
CACHE_ROOT="${PDP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-db-passwords}"
BIN_DIR="$CACHE_ROOT/pulumi-$PULUMI_VERSION/bin"
CLI_STAMP="$BIN_DIR/.built"
HOST_STAMP="$BIN_DIR/.language-hosts-$LANGUAGE_HOST_VERSION"
GO_HOST_STAMP="$BIN_DIR/.language-go-$GO_HOST_VERSION"
YAML_STAMP="$BIN_DIR/.language-yaml-$YAML_HOST_VERSION"
# The code generator is ours: its stamp is the hash of its source.
CODEGEN_KEY="$(cat "$ROOT"/scripts/codegen/go.mod "$ROOT"/scripts/codegen/*.go | sha256sum | cut -c1-12)"
CODEGEN_STAMP="$BIN_DIR/.codegen-$CODEGEN_KEY"

log() { echo "[install-pulumi] $*" >&2; }

built() {
  [[ -x "$BIN_DIR/pulumi" && -f "$CLI_STAMP" && -f "$HOST_STAMP" && -f "$GO_HOST_STAMP" && -f "$YAML_STAMP" &&
    -f "$CODEGEN_STAMP" && -x "$BIN_DIR/pulumi-resource-pulumi-nodejs" ]]
}

if built; then
  log "cached: $BIN_DIR/pulumi ($("$BIN_DIR/pulumi" version)); language hosts nodejs/python $LANGUAGE_HOST_VERSION, go $GO_HOST_VERSION, yaml $YAML_HOST_VERSION"
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

# tools_go DIR PACKAGE...: a tools.go that keeps the PACKAGEs in DIR's module graph.
tools_go() {
  local dir="$1"
  shift
  {
    printf '//go:build tools\n\npackage tools\n\nimport (\n'
    printf '\t_ "%s"\n' "$@"
    printf ')\n'
  } > "$dir/tools.go"
}

# module_file MODULE@VERSION FIELD: a field (Dir, GoMod) of `go mod download -json`.
module_file() {
  (cd "$WORK" && go mod download -json "$1") | sed -n "s/.*\"$2\": \"\(.*\)\".*/\1/p"
}

# replaces GOMOD: the replace directives of a go.mod that are not relative paths (a relative one
# points into the module's own repository and is satisfied by a requirement instead).
replaces() {
  awk '/^replace[[:space:]]*\(/{inblock=1; next} inblock && /^\)/{inblock=0; next}
       inblock {print "replace " $0; next} /^replace /{print}' "$1" \
    | grep -v -E '=>[[:space:]]*\.\.?/' || true
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
  replaces "$(module_file "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" GoMod)" >> "$WORK/cli/go.mod"
  tools_go "$WORK/cli" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  go_build "$WORK/cli" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$BIN_DIR/pulumi" "$PULUMI_VERSION"
  touch "$CLI_STAMP"
  log "built $("$BIN_DIR/pulumi" version) in $(( $(date +%s) - start ))s"
fi

if [[ ! -f "$HOST_STAMP" ]]; then
  start=$(date +%s)
  log "building pulumi-language-nodejs and pulumi-language-python $LANGUAGE_HOST_VERSION from github.com/pulumi/pulumi/sdk/v3"
  mkdir -p "$WORK/hosts"
  {
    printf 'module pulumi-language-hosts-build\n\ngo 1.18\n\nrequire github.com/pulumi/pulumi/sdk/v3 %s\n\n' "$LANGUAGE_HOST_VERSION"
    # the sdk's own replace directives (v3.68.0 pins golang.org/x/text)
    grep -E '^replace ' "$(module_file "github.com/pulumi/pulumi/sdk/v3@$LANGUAGE_HOST_VERSION" GoMod)" || true
  } > "$WORK/hosts/go.mod"
  tools_go "$WORK/hosts" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs \
    github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python
  go_build "$WORK/hosts" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs "$BIN_DIR/pulumi-language-nodejs" "$LANGUAGE_HOST_VERSION"
  go_build "$WORK/hosts" github.com/pulumi/pulumi/sdk/v3/python/cmd/pulumi-language-python "$BIN_DIR/pulumi-language-python" "$LANGUAGE_HOST_VERSION"
  # The Python host runs programs through this script, which it looks for next to itself.
  install -m 0755 "$(module_file "github.com/pulumi/pulumi/sdk/v3@$LANGUAGE_HOST_VERSION" Dir)/python/cmd/pulumi-language-python-exec" \
    "$BIN_DIR/pulumi-language-python-exec"
  rm -f "$BIN_DIR"/.language-host-* "$BIN_DIR"/.language-hosts-*
  touch "$HOST_STAMP"
  log "built the Node.js and Python language hosts in $(( $(date +%s) - start ))s"
fi

if [[ ! -f "$GO_HOST_STAMP" ]]; then
  start=$(date +%s)
  log "building pulumi-language-go $GO_HOST_VERSION from github.com/pulumi/pulumi/sdk/v3"
  mkdir -p "$WORK/gohost"
  {
    printf 'module pulumi-language-go-build\n\ngo 1.18\n\nrequire github.com/pulumi/pulumi/sdk/v3 %s\n\n' "$GO_HOST_VERSION"
    grep -E '^replace ' "$(module_file "github.com/pulumi/pulumi/sdk/v3@$GO_HOST_VERSION" GoMod)" || true
  } > "$WORK/gohost/go.mod"
  tools_go "$WORK/gohost" github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go
  go_build "$WORK/gohost" github.com/pulumi/pulumi/sdk/v3/go/pulumi-language-go "$BIN_DIR/pulumi-language-go" "$GO_HOST_VERSION"
  rm -f "$BIN_DIR"/.language-go-*
  touch "$GO_HOST_STAMP"
  log "built pulumi-language-go in $(( $(date +%s) - start ))s"
fi

if [[ ! -f "$YAML_STAMP" ]]; then
  start=$(date +%s)
  log "building pulumi-language-yaml $YAML_HOST_VERSION from github.com/pulumi/pulumi-yaml (with its own go.mod)"
  # Against pkg v3.248 the YAML host does not compile: it builds as its own main module, with
  # the pkg/sdk it names (v3.206.0) and pkg's replace directives.
  cp -r "$(module_file "github.com/pulumi/pulumi-yaml@$YAML_HOST_VERSION" Dir)" "$WORK/yaml"
  chmod -R u+w "$WORK/yaml"
  pkg_version="$(sed -n 's/^[[:space:]]*github.com\/pulumi\/pulumi\/pkg\/v3 \(v[^ ]*\).*/\1/p' "$WORK/yaml/go.mod" | head -n 1)"
  replaces "$(module_file "github.com/pulumi/pulumi/pkg/v3@$pkg_version" GoMod)" >> "$WORK/yaml/go.mod"
  (cd "$WORK/yaml" && go mod download) >&2
  (cd "$WORK/yaml" && go build -trimpath -o "$BIN_DIR/pulumi-language-yaml" \
    -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$YAML_HOST_VERSION" ./cmd/pulumi-language-yaml) >&2
  rm -f "$BIN_DIR"/.language-yaml-*
  touch "$YAML_STAMP"
  log "built pulumi-language-yaml in $(( $(date +%s) - start ))s"
fi

if [[ ! -f "$CODEGEN_STAMP" ]]; then
  start=$(date +%s)
  log "building pulumi-dbpasswords-codegen (scripts/codegen, Pulumi's SDK generators of pkg $PULUMI_VERSION)"
  mkdir -p "$WORK/codegen"
  cp "$ROOT"/scripts/codegen/go.mod "$ROOT"/scripts/codegen/*.go "$WORK/codegen/"
  replaces "$(module_file "github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" GoMod)" >> "$WORK/codegen/go.mod"
  (cd "$WORK/codegen" && go mod tidy >/dev/null 2>&1 || go mod download) >&2
  (cd "$WORK/codegen" && go build -trimpath -o "$BIN_DIR/pulumi-dbpasswords-codegen" .) >&2
  rm -f "$BIN_DIR"/.codegen-*
  touch "$CODEGEN_STAMP"
  log "built pulumi-dbpasswords-codegen in $(( $(date +%s) - start ))s"
fi

if [[ ! -x "$BIN_DIR/pulumi-resource-pulumi-nodejs" ]]; then
  # The dynamic provider launcher Pulumi ships next to its CLI: a shell script in the sdk
  # module (nodejs/dist) that runs @pulumi/pulumi's cmd/dynamic-provider of the program.
  install -m 0755 "$(module_file "github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" Dir)/nodejs/dist/pulumi-resource-pulumi-nodejs" \
    "$BIN_DIR/pulumi-resource-pulumi-nodejs"
  log "installed pulumi-resource-pulumi-nodejs from sdk/v3@$PULUMI_VERSION"
fi

echo "$BIN_DIR"
