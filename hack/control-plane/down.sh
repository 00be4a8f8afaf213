#!/usr/bin/env bash
# Usage: hack/control-plane/down.sh STATE_DIR
# Stops what hack/control-plane/up.sh STATE_DIR started (by the PIDs it recorded). Safe to re-run.
set -euo pipefail
state="${1:?usage: down.sh STATE_DIR}"
[[ -f "$state/pids" ]] || exit 0
# The API server first, so nothing writes to etcd while it stops.
for name in kube-apiserver etcd; do
  pid="$(awk -v n="$name" '$1==n{print $2}' "$state/pids")"
  [[ -n "$pid" ]] || continue
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
done
rm -f "$state/pids"
