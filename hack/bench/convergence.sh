#!/usr/bin/env bash
# usage: ./hack/bench/convergence.sh [edge counts=3,10] [repetitions=20]
# For each edge count: ./hack/local-up.sh with that many edges, then repeatedly `kubectl apply` a new
# SipDomain and time until every edge routes it (its /lookup answer); prints samples, median, worst.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
counts="${1:-3,10}" reps="${2:-20}"
export LOCAL_STATE="${LOCAL_STATE:-$root/.local/convergence}"
trap '"$root/hack/local-down.sh" >/dev/null 2>&1 || true' EXIT
mkdir -p "$root/.local"
IFS=, read -ra sizes <<<"$counts"
for n in "${sizes[@]}"; do
  echo "== $n edges"
  "$root/hack/local-up.sh" "$n" > "$root/.local/convergence-up-$n.log" 2>&1 \
    || { echo "local-up failed; see $root/.local/convergence-up-$n.log" >&2; exit 1; }
  python3 "$root/hack/bench/convergence.py" "$LOCAL_STATE/control-plane/kubectl" "$LOCAL_STATE/control-plane/kubeconfig" "$n" "$reps"
  "$root/hack/local-down.sh" >/dev/null
  LOCAL_UP_BUILD=false; export LOCAL_UP_BUILD
done
