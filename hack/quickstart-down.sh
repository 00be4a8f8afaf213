#!/usr/bin/env bash
# usage: ./hack/quickstart-down.sh
# Stops everything ./hack/quickstart.sh started, by the PIDs it recorded.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pids_file="$root/.local/quickstart/pids"
[[ -f "$pids_file" ]] || { echo "nothing recorded in $pids_file"; exit 0; }
while read -r name pid; do
  if kill "$pid" 2>/dev/null; then echo "stopped $name ($pid)"; fi
done < "$pids_file"
: > "$pids_file"
