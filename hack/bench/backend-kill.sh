#!/usr/bin/env bash
# usage: ./hack/bench/backend-kill.sh [RATE] [SECONDS]      (defaults: 200 calls/s for 60 s)
# Backend death under load, side by side: sipp places RATE calls/s (200 ms calls) through (a) Kamailio
# with the seed's configuration and (b) the PBX3sbc edge, both on the same routing.db with two sipp
# backends and the seed's probing defaults (OPTIONS every 30 s, 2 failures mark down, 5 s timeout); a
# third of the way in, one backend is killed with kill -9. Prints, for both, the calls that failed
# before their answer (their INVITE: calls placed after the kill, which a proxy can save by failing
# over) and after it (their BYE: calls that were up on the dead backend, which nobody can save).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$root/hack/lib/tools.sh"
rate="${1:-200}"
seconds="${2:-60}"
kill_after=$((seconds / 3))

ensure_debian_packages
(cd "$root" && mvn -B -q -ntp -pl routing-db,edge-runtime -am package -DskipTests >&2)
work="$(mktemp -d -t pbx3sbc-backend-kill.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; pkill -f "$work/" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT

cat > "$work/routing.yaml" <<'YAML'
apiVersion: pbx3sbc.io/v1alpha1
kind: DispatcherSet
metadata: {name: pbx, namespace: bench}
spec:
  setId: 1
  algorithm: round-robin
  destinations:
    - {uri: "sip:127.0.6.10:5060"}
    - {uri: "sip:127.0.6.11:5060"}
---
apiVersion: pbx3sbc.io/v1alpha1
kind: SipDomain
metadata: {name: tenant, namespace: bench}
spec: {domain: tenant.bench.example.com, dispatcherSetRef: pbx}
YAML
"$root/hack/routing-db" build "$work/routing.yaml" --out "$work/routing.db" --fleet bench --version 1 >/dev/null

# run LABEL TARGET: prints "failed-before-answer failed-after-answer successful"
run() {
  local label=$1 target=$2
  local b
  for b in 127.0.6.10 127.0.6.11; do
    sipp -sf "$root/hack/sipp/uas-backend.xml" -i "$b" -p 5060 -aa -nostdin > "$work/$label-backend-$b.log" 2>&1 &
    pids+=($!)
    eval "backend_${b//./_}=$!"
  done
  sleep 35 # the proxy's first probe round (every 30 s) has seen both backends up
  (cd "$work" && sipp "$target" -sf "$root/hack/sipp/uac-tenant.xml" -key domain tenant.bench.example.com -s 100 \
    -i 127.0.0.1 -p 0 -r "$rate" -m $((rate * seconds)) -l $((rate * 20)) -nostdin -timeout $((seconds + 60))s \
    -fd 1 -trace_screen -screen_file "$work/$label-screen.log" > "$work/$label-uac.log" 2>&1) &
  local uac=$!
  sleep "$kill_after"
  log "$label: kill -9 of the backend 127.0.6.11 after $kill_after s"
  kill -9 "$backend_127_0_6_11"
  wait "$uac" || true
  kill "$backend_127_0_6_10" 2>/dev/null || true
  python3 - "$work/$label-screen.log" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
block = text[text.rfind("Messages  Retrans"):]
rows = [l for l in block.splitlines() if "<----------" in l]
first_200 = next(i for i, l in enumerate(rows) if l.strip().startswith("200"))
def lost(row):
    cols = row.split()
    nums = [c for c in cols if c.isdigit()]
    # messages, retrans, timeout, unexpected (the last columns sipp prints for a recv row)
    return int(nums[-2]) + int(nums[-1]) if len(nums) >= 4 else 0
ok = re.findall(r"Successful call\s+\|\s+\d+\s+\|\s+(\d+)", text)
# a failure before the answer may be counted on the optional 100/180 steps too
print(sum(lost(r) for r in rows[:first_200 + 1]), lost(rows[-1]), ok[-1] if ok else 0)
PY
}

sed -e "s#@LISTEN@#127.0.6.2:5060#" -e "s#@DB_PATH@#$work/routing.db#" -e "s#@CHILDREN@#4#" \
  -e "s#@PING_INTERVAL@#30#" "$root/hack/kamailio/seed-routing.cfg" > "$work/kamailio.cfg"
kamailio -DD -E -f "$work/kamailio.cfg" -P "$work/kamailio.pid" -Y "$work" -x tlsf -m 512 -M 16 > "$work/kamailio.log" 2>&1 &
pids+=($!)
kamailio_pid=$!
sleep 3
log "kamailio: $rate calls/s for $seconds s"
read -r k_before k_after k_ok < <(run kamailio 127.0.6.2:5060)
kill "$kamailio_pid"; wait "$kamailio_pid" 2>/dev/null || true

"$root/hack/edge.sh" --routing-db "$work/routing.db" --sip-listen 127.0.6.1:5060 --admin-listen 127.0.0.1:19191 \
  --edge-id backend-kill > "$work/edge.log" 2>&1 &
pids+=($!)
edge_pid=$!
for _ in $(seq 1 150); do curl -fs http://127.0.0.1:19191/readyz >/dev/null 2>&1 && break; sleep 0.2; done
log "edge: $rate calls/s for $seconds s"
read -r e_before e_after e_ok < <(run edge 127.0.6.1:5060)
kill "$edge_pid"; wait "$edge_pid" 2>/dev/null || true

cat <<SUMMARY

Backend killed with kill -9 under $rate calls/s ($((rate * seconds)) calls of 200 ms, kill after $kill_after s),
two sipp backends, the seed's probing defaults
                                                   edge        kamailio
calls failed before their answer (after the kill)  $(printf '%-11s %s' "$e_before" "$k_before")
calls failed after their answer (up on the victim) $(printf '%-11s %s' "$e_after" "$k_after")
successful calls                                   $(printf '%-11s %s' "$e_ok" "$k_ok")
(work files: $work)
SUMMARY
