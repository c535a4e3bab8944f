#!/usr/bin/env bash
# Installs one of Debian's database servers for the tests and the demo, which start it
# themselves on loopback (harness/real-redis.ts, harness/real-influx.ts): the package's own
# system service is neither started nor left enabled. Usage: install-debian-server.sh PACKAGE
# BINARY. Idempotent; prints the binary's path on its last line.
#
# - Services: Debian's maintainer scripts start a service through invoke-rc.d, which asks
#   /usr/sbin/policy-rc.d first; exit 101 there means "do not start". The container image here
#   ships such a file; where none exists, one is put in place for the install and removed after.
#   The service is then disabled (systemd's and System V's links), so a machine that boots with
#   it installed does not start a second server on the package's default port.
# - apt-get update runs only when the install fails without it (no package lists yet, or lists
#   that name a version the mirror no longer serves).
set -euo pipefail

PACKAGE="$1"
BINARY="$2"
SERVICE="${3:-$PACKAGE}"

log() { echo "[install-$PACKAGE] $*" >&2; }

found() { command -v "$BINARY" 2>/dev/null || true; }

if [[ -n "$(found)" ]] && dpkg-query -W -f='${Status}' "$PACKAGE" 2>/dev/null | grep -q "ok installed"; then
  log "installed: $(found) ($(dpkg-query -W -f='${Version}' "$PACKAGE"))"
  found
  exit 0
fi
[[ "$(id -u)" == 0 ]] || { log "not installed, and installing $PACKAGE needs root (apt-get install $PACKAGE)"; exit 1; }
start=$(date +%s)

# Two test workers may install at once: one install at a time, the second finds it done.
exec 9>/tmp/pdp-install-debian-server.lock
flock -w 600 9
if [[ -n "$(found)" ]] && dpkg-query -W -f='${Status}' "$PACKAGE" 2>/dev/null | grep -q "ok installed"; then
  found
  exit 0
fi

POLICY=/usr/sbin/policy-rc.d
if [[ ! -e "$POLICY" ]]; then
  printf '#!/bin/sh\n# put here by install-debian-server.sh for one install: start no service\nexit 101\n' > "$POLICY"
  chmod 755 "$POLICY"
  trap 'rm -f "$POLICY"' EXIT
fi

export DEBIAN_FRONTEND=noninteractive
install() {
  apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "$PACKAGE" >&2
}
if ! install; then
  log "install failed with the package lists as they are: apt-get update, then once more"
  apt-get update -q -o DPkg::Lock::Timeout=300 >&2
  install
fi

# Leave the system service off: disabled for systemd and for System V init, stopped if running.
deb-systemd-helper disable "$SERVICE.service" >/dev/null 2>&1 || true
update-rc.d "$SERVICE" disable >/dev/null 2>&1 || true
if [[ -x "/etc/init.d/$SERVICE" ]] && "/etc/init.d/$SERVICE" status >/dev/null 2>&1; then
  log "the package's service is running: stopping it"
  "/etc/init.d/$SERVICE" stop >&2 || true
fi

[[ -n "$(found)" ]] || { log "$PACKAGE is installed but $BINARY is not on PATH"; exit 1; }
log "installed $(found) ($(dpkg-query -W -f='${Version}' "$PACKAGE")) in $(( $(date +%s) - start ))s"
found
