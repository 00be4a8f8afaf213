#!/usr/bin/env bash
# usage: ./hack/local-down.sh
# Stops everything ./hack/local-up.sh started, by the PIDs it recorded (edges first, so they drain,
# then the operator, backends, S3Proxy and the control plane). Safe to re-run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${LOCAL_STATE:-$root/.local/cluster}"
pids="$state/pids"
[[ -f "$pids" ]] || { echo "nothing running (no $pids)"; exit 0; }
stop() {
  local pid="$1"
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
for pattern in '^edge-' '^trust-sync ' '^operator ' '^sipp-' '^s3 '; do
  { grep -E "$pattern" "$pids" || true; } | while read -r _ pid; do stop "$pid"; done
done
{ grep -E '^control-plane ' "$pids" || true; } | while read -r _ dir; do "$root/hack/control-plane/down.sh" "$dir"; done
rm -f "$pids"
echo "stopped"
