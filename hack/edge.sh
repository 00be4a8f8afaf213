#!/usr/bin/env bash
# usage: ./hack/edge.sh --routing-db PATH [--sip-listen HOST:PORT] [--advertised-address HOST:PORT]
#                       [--admin-listen HOST:PORT] [more flags: ./hack/edge.sh --help]
# Runs one SIP edge from a local build (builds it first if needed). JVM flags: EDGE_JAVA_OPTS (heap and
# anything else), EDGE_GC_OPTS (the collector, replacing the default below).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/edge-runtime/target/edge-runtime.jar"
if [[ ! -f "$jar" || ! -d "$root/edge-runtime/target/lib" ]]; then
  echo "edge: building it first (mvn -pl edge-runtime -am package)" >&2
  (cd "$root" && mvn -B -q -ntp -pl edge-runtime -am package -DskipTests >&2)
fi
# 256 MiB holds 100k domains with room to stage a second version (docs/benchmarks.md).
# An OutOfMemoryError must end the process (and let Kubernetes restart it), never leave it half alive.
# G1 with short pauses: what outlives one young collection is mostly a finished transaction kept 5 s
# to absorb retransmissions, so it is promoted at once instead of being copied between survivor spaces
# at every pause (that copying doubled the pauses, and a pause bunches up the answers behind it).
exec java ${EDGE_JAVA_OPTS:--Xms128m -Xmx256m} ${EDGE_GC_OPTS:--XX:+UseG1GC -XX:MaxTenuringThreshold=0} -XX:+ExitOnOutOfMemoryError \
  -cp "$jar:$root/edge-runtime/target/lib/*" io.pbx3sbc.edge.EdgeMain "$@"
