#!/usr/bin/env bash
# usage: [KUBECONFIG=...] [WATCH_NAMESPACES=a,b] [OPERATOR_ADMIN_LISTEN=host:port] ./hack/operator.sh
# Runs the operator from a local build (builds it first if needed) against the cluster in KUBECONFIG.
# Settings come from the environment (docs/operations.md lists them). JVM flags: OPERATOR_JAVA_OPTS.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$root/operator/target/operator.jar"
if [[ ! -f "$jar" || ! -d "$root/operator/target/lib" ]]; then
  echo "operator: building it first (mvn -pl operator -am package)" >&2
  (cd "$root" && mvn -B -q -ntp -pl operator -am package -DskipTests >&2)
fi
exec java ${OPERATOR_JAVA_OPTS:--Xms128m -Xmx512m -XX:+UseParallelGC} -XX:+ExitOnOutOfMemoryError \
  -cp "$jar:$root/operator/target/lib/*" io.pbx3sbc.operator.OperatorMain "$@"
