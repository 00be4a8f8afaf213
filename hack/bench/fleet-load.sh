#!/usr/bin/env bash
# usage: ./hack/bench/fleet-load.sh [edges=1000] [repetitions=5]
# ./hack/local-up.sh with no real edge (API server, etcd, SeaweedFS, the operator as in production), then
# one JVM standing in for N edges (routing-db's FleetLoad): each polls the signed pointer, takes signed
# nudges on its own address (127.3.x.y), and reports under its own id with the edge credential; a version is
# restored with litestream and verified once for all. Changes a SipDomain per repetition and prints how long
# after the last edge's report the operator promoted, whether the fleet status counts every edge, and the
# operator process's CPU and memory (from /proc).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
edges="${1:-1000}" reps="${2:-5}"
export LOCAL_STATE="${LOCAL_STATE:-$root/.local/fleet-load}"
# shellcheck source=../lib/tools.sh
source "$root/hack/lib/tools.sh"
trap '"$root/hack/local-down.sh" >/dev/null 2>&1 || true' EXIT
mkdir -p "$root/.local"
"$root/hack/local-up.sh" 0 > "$root/.local/fleet-load-up.log" 2>&1 \
  || { echo "local-up failed; see $root/.local/fleet-load-up.log" >&2; exit 1; }
ensure_litestream
cp_file="$(mktemp)"
(cd "$root" && mvn -B -q -ntp -o -pl routing-db test-compile dependency:build-classpath \
  -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >&2)
export KUBECONFIG="$LOCAL_STATE/control-plane/kubeconfig"
operator_pid="$(awk '$1 == "operator" {print $2}' "$LOCAL_STATE/pids")"
java -Xmx1g -cp "$root/routing-db/target/classes:$root/routing-db/target/test-classes:$(cat "$cp_file")" \
  io.pbx3sbc.routingdb.bench.FleetLoad --edges "$edges" --reps "$reps" \
  --kubectl "$LOCAL_STATE/control-plane/kubectl" --operator-pid "$operator_pid" \
  --endpoint http://127.0.0.1:19000 --bucket sip-routing --prefix default/ \
  --access-key local-edge --secret-key local-edge-secret \
  --trusted-keys "$LOCAL_STATE/trusted-keys" --litestream "$LITESTREAM_BIN"
rm -f "$cp_file"
