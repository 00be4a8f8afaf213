#!/usr/bin/env bash
# usage: ./hack/local-ctl.sh stop|start NAME     (NAME: s3, operator, edge-1, ..., sipp-127.0.1.10)
# Stops or starts one part of what ./hack/local-up.sh runs, to try failures by hand: S3 down, the
# operator down, an edge restarted. start re-runs the part's recorded command (state in .local/cluster/run).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
state="${LOCAL_STATE:-$root/.local/cluster}"
action="${1:?usage: local-ctl.sh stop|start NAME}" name="${2:?usage: local-ctl.sh stop|start NAME}"
[[ -x "$state/run/$name.sh" ]] || { echo "no part named $name in $state/run" >&2; exit 2; }
pid="$(awk -v n="$name" '$1==n{print $2}' "$state/pids" | tail -1)"
case "$action" in
  stop)
    [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
    # SeaweedFS takes over 15 s to exit on SIGTERM and keeps nothing it needs: a short grace for it.
    grace=400; [[ "$name" == s3 ]] && grace=20
    for _ in $(seq 1 "$grace"); do [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    [[ -n "$pid" ]] && kill -9 "$pid" 2>/dev/null || true
    awk -v n="$name" '$1!=n' "$state/pids" > "$state/pids.new" && mv "$state/pids.new" "$state/pids"
    echo "stopped $name" ;;
  start)
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then echo "$name is running ($pid)"; exit 0; fi
    "$state/run/$name.sh" >> "$state/$name.log" 2>&1 &
    echo "$name $!" >> "$state/pids"
    if [[ "$name" == s3 ]]; then
      # Returns once S3 serves the bucket again (SeaweedFS takes a few seconds), as local-up waits for it.
      for _ in $(seq 1 600); do
        curl -fs -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" --user local:local-secret-key \
          -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' http://127.0.0.1:19000/sip-routing/ && break
        sleep 0.1
      done
    fi
    echo "started $name ($!)" ;;
  *) echo "usage: local-ctl.sh stop|start NAME" >&2; exit 2 ;;
esac
