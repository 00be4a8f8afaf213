#!/usr/bin/env bash
# usage: ./hack/bench/convergence.sh [--no-nudges|--before] [edge counts=3,10] [repetitions=20] [idle seconds=60]
# For each edge count: ./hack/local-up.sh with that many edges, then repeatedly `kubectl apply` a new
# SipDomain and time until every edge routes it (its /lookup answer); prints samples, median, worst,
# and the S3 requests per promotion and per idle hour as the S3 server counted them.
#   (default)     push, then poll: the operator nudges its edges; edges poll every 30 s as the fallback
#   --no-nudges   nudges blocked (OPERATOR_NUDGES=false): the edges find changes at their 30-s poll
#   --before      the earlier design, for the cost model: no nudges, edges poll every 1 s, heartbeat 5 s
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mode=nudges
case "${1:-}" in
  --no-nudges) mode=no-nudges; export OPERATOR_NUDGES=false; shift ;;
  --before) mode=before; export OPERATOR_NUDGES=false EDGE_POLL_INTERVAL=1s EDGE_HEARTBEAT_INTERVAL=5s; shift ;;
esac
counts="${1:-3,10}" reps="${2:-20}" idle="${3:-60}"
export LOCAL_STATE="${LOCAL_STATE:-$root/.local/convergence}"
trap '"$root/hack/local-down.sh" >/dev/null 2>&1 || true' EXIT
mkdir -p "$root/.local"
IFS=, read -ra sizes <<<"$counts"
for n in "${sizes[@]}"; do
  echo "== $n edges ($mode)"
  "$root/hack/local-up.sh" "$n" > "$root/.local/convergence-up-$n.log" 2>&1 \
    || { echo "local-up failed; see $root/.local/convergence-up-$n.log" >&2; exit 1; }
  python3 "$root/hack/bench/convergence.py" "$LOCAL_STATE/control-plane/kubectl" "$LOCAL_STATE/control-plane/kubeconfig" \
    "$n" "$reps" "$idle"
  "$root/hack/local-down.sh" >/dev/null
  LOCAL_UP_BUILD=false; export LOCAL_UP_BUILD
done
