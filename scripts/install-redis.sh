#!/usr/bin/env bash
# Installs Debian's redis-server (7.0) for the tests and the demo: a real Redis, the protocol of
# GeminiDB for Redis, started on loopback by harness/real-redis.ts. Idempotent; prints the path
# of redis-server on its last line. (See install-debian-server.sh: no service is started.)
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/install-debian-server.sh" redis-server redis-server redis-server
