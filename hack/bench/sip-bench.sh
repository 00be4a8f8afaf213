#!/usr/bin/env bash
# usage: ./hack/bench/sip-bench.sh [--quick] [--domains N] [--only edge|kamailio] [--gc-seconds S]
#        (EDGE_BENCH_HEAP=1g for a larger edge heap; default 256m)
# Drives (a) Kamailio running the seed's configuration the way production runs it (TLSF allocator,
# 512 MiB shared memory) and (b) the PBX3sbc edge, with sipp on the same routing.db and the same two sipp
# backends, and prints for both: the highest call rate with no failed call and no retransmission (searched
# side by side: the two take turns at each step, the majority of up to three tries decides), INVITE->200 response times at a moderate rate, CPU per call, the door-knock rate each
# drops while 20 legitimate calls/s still complete cleanly (knocks spread over 250 sources, so no
# per-source limit helps), what a one-source flood does to legitimate calls, and for the edge the
# full collections in a 2-minute run at Kamailio's clean rate.
# Everything runs on loopback (127.0.6.x, 127.0.7.x); all processes started here are stopped on exit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$root/hack/lib/tools.sh"
step_seconds=10
gc_seconds=120
domains=10000
only=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) step_seconds=5; gc_seconds=30 ;;
    --domains) domains="$2"; shift ;;
    --only) only="$2"; shift ;;
    --gc-seconds) gc_seconds="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
call_rates=(500 1000 1500 2000 2500 3000 3500 4000 4500 5000 6000 7000 8000)
knock_rates=(5000 10000 20000 40000 60000 80000 100000 120000 160000)
moderate_rate=100
cpu_rate=1000

ensure_debian_packages
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }
(cd "$root" && mvn -B -q -ntp -pl routing-db,edge-runtime -am package -DskipTests >&2)

work="$(mktemp -d -t pbx3sbc-sip-bench.XXXXXX)"
ensure_c_compiler
cc -O2 -o "$work/knock" "$root/hack/bench/knock.c"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# --- routing.db: $domains tenants on one set of two backends (round-robin), built from YAML --------
source "$root/hack/bench/lib/sip-steps.sh"
bench_routing_db "$domains"
domain="tenant4242.bench.example.com"

for b in 127.0.6.10 127.0.6.11; do
  sipp -sf "$root/hack/sipp/uas-backend.xml" -i "$b" -p 5060 -aa -nostdin > "$work/backend-$b.log" 2>&1 &
  pids+=($!)
done

# --- helpers beyond hack/bench/lib/sip-steps.sh ---------------------------------------------------
edge_target=127.0.6.1:5060
kamailio_target=127.0.6.2:5060
knocks() {
  local target=$1 label=$2 best=0
  for rate in "${knock_rates[@]}"; do
    (run_calls "$target" 20 "$step_seconds" "$label-legit-$rate" > "$work/$label-legit-$rate.result") &
    local legit=$!
    local blast
    blast=$("$work/knock" "$target" "$rate" "$step_seconds" 250)
    wait "$legit"
    read -r ok failed retrans < "$work/$label-legit-$rate.result"
    printf '   %-9s %6s knocks/s (%s): legit %s ok, %s failed, %s retransmissions\n' "$label" "$rate" "$blast" "$ok" "$failed" "$retrans" >&2
    # the rate really sent counts (the sender shares the two cores with the proxy)
    local sent_rate="${blast##*rate=}"
    if [[ "$failed" -eq 0 && "$retrans" -eq 0 && "$blast" == *"answered=0"* ]]; then best=$sent_rate; else break; fi
    sleep 2
  done
  [[ "$rate" == "${knock_rates[-1]}" && "$failed" -eq 0 && "$retrans" -eq 0 ]] && best=">=$best"
  echo "$best"
}

# one_source_flood TARGET LABEL: 20 legitimate calls/s while one source sends 60,000 knocks/s
one_source_flood() {
  local target=$1 label=$2
  (run_calls "$target" 20 "$step_seconds" "$label-flood1" > "$work/$label-flood1.result") &
  local legit=$!
  local blast
  blast=$("$work/knock" "$target" 60000 "$step_seconds" 1)
  wait "$legit"
  read -r ok failed retrans < "$work/$label-flood1.result"
  printf '   %-9s one source at 60000/s (%s): legit %s ok, %s failed, %s retransmissions\n' "$label" "$blast" "$ok" "$failed" "$retrans" >&2
  echo "$((failed + retrans))"
}

# measure TARGET LABEL PID...: everything but capacity, for one of the two
measure() {
  local target=$1 label=$2; shift 2
  log "$label: response times at $moderate_rate calls/s"
  rtt=$(latency "$target" "$label")
  log "$label: CPU per call at $cpu_rate calls/s"
  cpu=$(cpu_per_call "$target" "$label" "$@")
  log "$label: door-knock flood (250 sources) with 20 legitimate calls/s alongside"
  knock=$(knocks "$target" "$label")
  log "$label: one-source flood with 20 legitimate calls/s alongside"
  flood1=$(one_source_flood "$target" "$label")
  echo "$rtt $cpu $knock $flood1"
}

k_cap=n/a; k_p50=n/a; k_p90=n/a; k_p99=n/a; k_n=0; k_cpu=n/a; k_knock=n/a; k_flood1=n/a
e_cap=n/a; e_p50=n/a; e_p90=n/a; e_p99=n/a; e_n=0; e_cpu=n/a; e_knock=n/a; e_flood1=n/a; e_fullgc=n/a; gc_rate=n/a
k_on=0; e_on=0; [[ "$only" != "edge" ]] && k_on=1; [[ "$only" != "kamailio" ]] && e_on=1

# --- (a) Kamailio with the seed's configuration, same routing.db, as production runs it ---------
# --- (b) the edge. Both run for the whole bench; the one not under load idles. ----------------
if [[ "$k_on" == 1 ]]; then
  sed -e "s#@LISTEN@#127.0.6.2:5060#" -e "s#@DB_PATH@#$work/routing.db#" -e "s#@CHILDREN@#4#" \
    -e "s#@PING_INTERVAL@#30#" "$root/hack/kamailio/seed-routing.cfg" > "$work/kamailio.cfg"
  kamailio -DD -E -f "$work/kamailio.cfg" -P "$work/kamailio.pid" -Y "$work" -x tlsf -m 512 -M 16 > "$work/kamailio.log" 2>&1 &
  kamailio_pid=$!
  pids+=($kamailio_pid)
  sleep 3
fi
if [[ "$e_on" == 1 ]]; then
  heap="${EDGE_BENCH_HEAP:-256m}"
  # The sipp caller stands for a trusted trunk (exempt from the per-source flood guard); the knockers do not.
  # EDGE_BENCH_JAVA_OPTS adds JVM flags to the ones hack/edge.sh runs with (the product's defaults).
  EDGE_JAVA_OPTS="-Xms$heap -Xmx$heap ${EDGE_BENCH_JAVA_OPTS:-} -Xlog:gc:file=$work/edge-gc.log" "$root/hack/edge.sh" \
    --routing-db "$work/routing.db" --sip-listen 127.0.6.1:5060 --admin-listen 127.0.0.1:19190 --edge-id bench \
    --flood-exempt 127.0.0.1/32 > "$work/edge.log" 2>&1 &
  edge_pid=$!
  pids+=($edge_pid)
  for _ in $(seq 1 150); do curl -fs http://127.0.0.1:19190/readyz >/dev/null 2>&1 && break; sleep 0.2; done
fi
[[ "$k_on" == 1 ]] && warm_up 127.0.6.2:5060 kamailio
[[ "$e_on" == 1 ]] && warm_up 127.0.6.1:5060 edge
log "capacity, side by side (steps of ${step_seconds} s, the majority of up to three tries each)"
read -r e_cap k_cap < <(capacity_side_by_side "$e_on" "$k_on")
[[ "$e_on" == 1 ]] || e_cap=n/a
[[ "$k_on" == 1 ]] || k_cap=n/a
if [[ "$k_on" == 1 ]]; then
  read -r k_p50 k_p90 k_p99 k_n k_cpu k_knock k_flood1 < <(measure 127.0.6.2:5060 kamailio $(pgrep -f "$work/kamailio.cfg"))
  kill "$kamailio_pid"; wait "$kamailio_pid" 2>/dev/null || true
  sleep 2
fi
if [[ "$e_on" == 1 ]]; then
  read -r e_p50 e_p90 e_p99 e_n e_cpu e_knock e_flood1 < <(measure 127.0.6.1:5060 edge "$edge_pid")
  gc_rate="${k_cap#>=}"; [[ "$gc_rate" == n/a || "$gc_rate" == 0 ]] && gc_rate="${e_cap#>=}"
  log "edge: ${gc_seconds} s at $gc_rate calls/s (Kamailio's clean rate), counting full collections"
  full_before=$(grep -c 'Pause Full' "$work/edge-gc.log" || true)
  read -r g_ok g_failed g_retrans < <(run_calls 127.0.6.1:5060 "$gc_rate" "$gc_seconds" edge-gc)
  full_after=$(grep -c 'Pause Full' "$work/edge-gc.log" || true)
  e_fullgc=$((full_after - full_before))
  printf '   edge      %s calls/s for %s s: %s ok, %s failed, %s retransmissions, %s full GCs\n' "$gc_rate" "$gc_seconds" \
    "$g_ok" "$g_failed" "$g_retrans" "$e_fullgc" >&2
  kill "$edge_pid"; wait "$edge_pid" 2>/dev/null || true
fi

cat <<SUMMARY

SIP benchmark on $(nproc) cores ($(uname -r)), steps of ${step_seconds} s, one routing.db ($domains tenants), two sipp backends,
edge heap ${heap:-n/a} (hack/edge.sh JVM flags${EDGE_BENCH_JAVA_OPTS:+ plus $EDGE_BENCH_JAVA_OPTS}), Kamailio -x tlsf -m 512 with 4 children
                                        edge        kamailio    edge/kamailio
max calls/s, 0 failed, 0 retrans        $(printf '%-11s %-11s %s' "$e_cap" "$k_cap" "$(ratio "$e_cap" "$k_cap")")
INVITE->200 p50 ms at $moderate_rate calls/s  $(printf '%-11s %-11s' "$e_p50" "$k_p50")  (sipp measures whole ms)
INVITE->200 p90 ms                      $(printf '%-11s %-11s' "$e_p90" "$k_p90")
INVITE->200 p99 ms                      $(printf '%-11s %-11s' "$e_p99" "$k_p99")
CPU ms per call at $cpu_rate calls/s         $(printf '%-11s %-11s %s' "$e_cpu" "$k_cpu" "$(ratio "$e_cpu" "$k_cpu")")
max door-knocks/s dropped, legit clean  $(printf '%-11s %-11s %s' "$e_knock" "$k_knock" "$(ratio "$e_knock" "$k_knock")")
one-source flood: legit failed+retrans  $(printf '%-11s %-11s' "$e_flood1" "$k_flood1")
full GCs in ${gc_seconds} s at $gc_rate calls/s      $(printf '%-11s' "$e_fullgc")
(work files: $work)
SUMMARY
