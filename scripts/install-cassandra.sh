#!/usr/bin/env bash
# Installs Apache Cassandra from Maven Central (org.apache.cassandra:cassandra-all and its
# runtime dependencies, resolved by Maven) into a cache outside the repo, for the tests and the
# demo: a real Cassandra, GeminiDB's engine family, started by harness/real-cassandra.ts on the
# machine's JDK 17. Idempotent; prints the directory of the jars on its last line.
set -euo pipefail

CASSANDRA_VERSION="${PDP_CASSANDRA_VERSION:-5.0.9}"
CACHE_ROOT="${PDP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-db-passwords}"
LIB="$CACHE_ROOT/cassandra-$CASSANDRA_VERSION/lib"

log() { echo "[install-cassandra] $*" >&2; }

if [[ -f "$LIB/.installed" ]]; then
  log "cached: $LIB ($(ls "$LIB"/*.jar | wc -l) jars)"
  echo "$LIB"
  exit 0
fi
command -v mvn >/dev/null || { log "mvn (Maven) is required to fetch Cassandra"; exit 1; }
command -v java >/dev/null || { log "a JDK 17 is required to run Cassandra"; exit 1; }
start=$(date +%s)
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cat > "$WORK/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>pulumi-db-passwords</groupId>
  <artifactId>cassandra-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.cassandra</groupId>
      <artifactId>cassandra-all</artifactId>
      <version>$CASSANDRA_VERSION</version>
    </dependency>
  </dependencies>
</project>
POM
rm -rf "$LIB"
mkdir -p "$LIB"
(cd "$WORK" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIB") >&2
touch "$LIB/.installed"
log "installed $(ls "$LIB"/*.jar | wc -l) jars into $LIB in $(( $(date +%s) - start ))s"
echo "$LIB"
