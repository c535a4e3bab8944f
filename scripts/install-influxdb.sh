#!/usr/bin/env bash
# Installs Debian's influxdb (1.6) for the tests and the demo: a real InfluxDB 1.x, the HTTP API
# of GeminiDB for Influx, started on loopback by harness/real-influx.ts. Idempotent; prints the
# path of influxd on its last line. (See install-debian-server.sh: no service is started.)
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/install-debian-server.sh" influxdb influxd influxdb
