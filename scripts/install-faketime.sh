#!/usr/bin/env bash
# Installs Debian's libfaketime for the tests that move the clock of Pulumi's provider processes
# (test/e2e/schedule-calendar.test.ts: a cron schedule due at a chosen instant, a daylight saving
# day). Idempotent; prints the path of libfaketime.so.1 on its last line: preloaded
# (LD_PRELOAD) with FAKETIME set, it offsets the wall clock of every process below the CLI.
set -euo pipefail

here="$(dirname "${BASH_SOURCE[0]}")"
bash "$here/install-debian-server.sh" faketime faketime >/dev/null
lib="$(dpkg -L libfaketime | grep -E '/libfaketime\.so\.1$' | head -1)"
[[ -n "$lib" && -f "$lib" ]] || { echo "[install-faketime] libfaketime.so.1 not found in package libfaketime" >&2; exit 1; }
echo "$lib"
