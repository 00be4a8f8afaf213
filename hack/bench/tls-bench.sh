#!/usr/bin/env bash
# usage: ./hack/bench/tls-bench.sh [--quick] [--domains N] [--handshakes-only] [--rsa]
#        (--rsa: RSA-2048 certificates, cert-manager's default key, instead of P-256)
# SIP over TLS, side by side: (a) Kamailio running the seed's configuration with its TLS module and a TLS
# listener, (b) the PBX3sbc edge with its TLS listener. sipp has no TLS, so each is fronted by its own
# Kamailio relay (hack/kamailio/tls-relay.cfg: sipp -> UDP -> relay -> TLS -> proxy -> UDP -> sipp
# backends); the two relays are identical. Prints the highest clean TLS call rate of both (searched side
# by side as in sip-bench.sh), INVITE->200 times, the proxy's CPU per call, and new TLS handshakes per
# second straight at each listener (openssl s_time, full handshakes, no resumption).
# The relays share the two cores: when both sides stop at the same rate, the relays may be the limit.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$root/hack/lib/tools.sh"
step_seconds=10
domains=1000
handshakes_only=0
key_type=ec
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rsa) key_type=rsa ;;
    --quick) step_seconds=5 ;;
    --handshakes-only) handshakes_only=1 ;;
    --domains) domains="$2"; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
call_rates=(250 500 750 1000 1250 1500 2000 2500 3000)
moderate_rate=100
cpu_rate=500

ensure_debian_packages
(cd "$root" && mvn -B -q -ntp -pl routing-db,edge-runtime -am package -DskipTests >&2)
work="$(mktemp -d -t pbx3sbc-tls-bench.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# --- certificates: one CA, a P-256 (or RSA-2048) certificate per TLS speaker (IP SANs) --------------
openssl ecparam -name prime256v1 -genkey -noout -out "$work/ca.key" 2>/dev/null
openssl req -new -x509 -key "$work/ca.key" -subj "/CN=bench CA" -days 2 -out "$work/ca.crt" 2>/dev/null
issue() { # issue NAME IP
  if [[ $key_type == rsa ]]; then
    openssl genrsa -out "$work/$1.key" 2048 2>/dev/null
  else
    openssl ecparam -name prime256v1 -genkey -noout -out "$work/$1.key" 2>/dev/null
  fi
  openssl req -new -key "$work/$1.key" -subj "/CN=$1" -out "$work/$1.csr" 2>/dev/null
  printf 'subjectAltName=IP:%s\n' "$2" > "$work/$1.ext"
  openssl x509 -req -in "$work/$1.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -days 2 \
    -extfile "$work/$1.ext" -out "$work/$1.crt" 2>/dev/null
  cat > "$work/$1-tls.cfg" <<CFG
[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
private_key = $work/$1.key
certificate = $work/$1.crt
ca_list = $work/ca.crt

[client:default]
method = TLSv1.2+
verify_certificate = yes
require_certificate = yes
ca_list = $work/ca.crt
CFG
}
issue edge 127.0.6.1; issue kamailio 127.0.6.2; issue front-e 127.0.6.3; issue front-k 127.0.6.4

# --- routing.db: $domains tenants on two sipp backends ---------------------------------------------
source "$root/hack/bench/lib/sip-steps.sh"
bench_routing_db "$domains"
domain="tenant42.bench.example.com"
for b in 127.0.6.10 127.0.6.11; do
  sipp -sf "$root/hack/sipp/uas-backend.xml" -i "$b" -p 5060 -aa -nostdin > "$work/backend-$b.log" 2>&1 &
  pids+=($!)
done

# --- (a) Kamailio with the seed's configuration plus a TLS listener ----------------------------------
sed -e "s#@LISTEN@#127.0.6.2:5060#" -e "s#@DB_PATH@#$work/routing.db#" -e "s#@CHILDREN@#4#" -e "s#@PING_INTERVAL@#30#" \
    -e "s#^listen=udp:127.0.6.2:5060#listen=udp:127.0.6.2:5060\nlisten=tls:127.0.6.2:5061\nenable_tls=yes\ntcp_children=4\ntcp_max_connections=65536\ntls_max_connections=65536#" \
    -e "s#^loadmodule \"db_sqlite.so\"#loadmodule \"db_sqlite.so\"\nloadmodule \"tls.so\"\nmodparam(\"tls\", \"config\", \"$work/kamailio-tls.cfg\")#" \
    "$root/hack/kamailio/seed-routing.cfg" > "$work/kamailio.cfg"
# Debian 12's Kamailio 5.6.3 TLS module (OpenSSL 3) can abort under handshake churn (a double free in
# tls_init.c, kamailio/kamailio#3791; fixed upstream by tls_threads_mode, which 5.6 lacks): it is
# restarted when that happens, and the runs it died in are counted and left out.
kamailio_crashes=0
start_kamailio() {
  kamailio -DD -E -f "$work/kamailio.cfg" -P "$work/kamailio.pid" -Y "$work" -x tlsf -m 512 -M 16 >> "$work/kamailio.log" 2>&1 &
  kamailio_pid=$!; pids+=($kamailio_pid)
}
start_kamailio

# --- (b) the edge with its TLS listener ---------------------------------------------------------------
heap="${EDGE_BENCH_HEAP:-256m}"
EDGE_JAVA_OPTS="-Xms$heap -Xmx$heap ${EDGE_BENCH_JAVA_OPTS:-}" "$root/hack/edge.sh" \
  --routing-db "$work/routing.db" --sip-listen 127.0.6.1:5060 --tls-listen 127.0.6.1:5061 \
  --tls-cert "$work/edge.crt" --tls-key "$work/edge.key" --admin-listen 127.0.0.1:19190 --edge-id bench \
  --flood-exempt 127.0.6.3/32 > "$work/edge.log" 2>&1 &
edge_pid=$!; pids+=($edge_pid)

# --- the two identical TLS fronts ----------------------------------------------------------------------
front() { # front NAME IP TARGET
  sed -e "s#@LISTEN_IP@#$2#" -e "s#@UDP_PORT@#5060#" -e "s#@TLS_PORT@#5061#" -e "s#@TARGET@#$3#" \
      -e "s#@TARGET_TRANSPORT@#tls#" -e "s#@TLS_CFG@#$work/$1-tls.cfg#" -e "s#@CHILDREN@#4#" \
      "$root/hack/kamailio/tls-relay.cfg" > "$work/$1.cfg"
  kamailio -DD -E -f "$work/$1.cfg" -P "$work/$1.pid" -Y "$work" -x tlsf -m 256 -M 16 > "$work/$1.log" 2>&1 &
  pids+=($!)
}
front front-e 127.0.6.3 127.0.6.1:5061
front front-k 127.0.6.4 127.0.6.2:5061
for _ in $(seq 1 150); do curl -fs http://127.0.0.1:19190/readyz >/dev/null 2>&1 && break; sleep 0.2; done
sleep 3

edge_target=127.0.6.3:5060
kamailio_target=127.0.6.4:5060

e_cap=n/a; k_cap=n/a; e_p50=n/a; k_p50=n/a; e_p99=n/a; k_p99=n/a; e_cpu=n/a; k_cpu=n/a
if [[ "$handshakes_only" == 0 ]]; then
  warm_up "$kamailio_target" kamailio
  warm_up "$edge_target" edge
  log "TLS capacity, side by side (steps of ${step_seconds} s, the majority of up to three tries each)"
  read -r e_cap k_cap < <(capacity_side_by_side 1 1)
  log "response times at $moderate_rate calls/s"
  read -r k_p50 k_p90 k_p99 k_n < <(latency "$kamailio_target" kamailio)
  read -r e_p50 e_p90 e_p99 e_n < <(latency "$edge_target" edge)
  log "CPU per call at $cpu_rate calls/s (the proxy only, not its front)"
  k_cpu=$(cpu_per_call "$kamailio_target" kamailio $(pgrep -f "$work/kamailio.cfg"))
  e_cpu=$(cpu_per_call "$edge_target" edge "$edge_pid")
fi

# handshakes NAME HOST:PORT PATTERN: new TLS handshakes per wall second (openssl s_time -new, one
# client, no resumption, 10 s) and the server's CPU per handshake (processes matching PATTERN), the
# median of three runs. A run that prints no count (s_time does when ports run short) or in which
# Kamailio aborted is tried again, at most six tries. Sets hs_rate and hs_cpu (not run in a subshell:
# it may restart Kamailio).
handshakes() {
  local name=$1 listener=$2 pattern=$3 rates=() cpus=() tries=0 n c0 c1 t0 t1
  while (( ${#rates[@]} < 3 && tries < 6 )); do
    tries=$((tries + 1))
    if [[ $name == kamailio ]] && ! kill -0 "$kamailio_pid" 2>/dev/null; then
      log "kamailio had aborted (see $work/kamailio.log): restarting it"
      start_kamailio; sleep 3
      openssl s_time -connect "$listener" -new -time 5 >/dev/null 2>&1 || true
    fi
    c0=$(cpu_ticks $(pgrep -f "$pattern")); t0=$(date +%s.%N)
    n=$(openssl s_time -connect "$listener" -new -time 10 2>/dev/null | sed -nE 's/^([0-9]+) connections in [0-9.]+ real seconds.*/\1/p' | tail -1) || true
    t1=$(date +%s.%N); c1=$(cpu_ticks $(pgrep -f "$pattern"))
    sleep 3
    if [[ $name == kamailio ]] && ! kill -0 "$kamailio_pid" 2>/dev/null; then
      kamailio_crashes=$((kamailio_crashes + 1)); continue
    fi
    [[ -n "${n:-}" && "$n" -gt 0 ]] || continue
    rates+=("$(python3 -c "print(f'{$n / ($t1 - $t0):.0f}')")")
    cpus+=("$(python3 -c "print(f'{($c1 - $c0) * 1000 / $(getconf CLK_TCK) / $n:.2f}')")")
    printf '   %-9s %s handshakes in %.1f s, %s ms of CPU each\n' "$name" "$n" "$(python3 -c "print($t1 - $t0)")" "${cpus[-1]}" >&2
  done
  hs_rate=$(printf '%s\n' "${rates[@]:-n/a}" | sort -n | sed -n "$(( (${#rates[@]} + 1) / 2 ))p")
  hs_cpu=$(printf '%s\n' "${cpus[@]:-n/a}" | sort -n | sed -n "$(( (${#cpus[@]} + 1) / 2 ))p")
}
# handshakes_parallel NAME HOST:PORT PATTERN CLIENTS: the same with CLIENTS s_time clients at once (the
# server's capacity rather than one client's round trips; the clients share the two cores), best of two.
handshakes_parallel() {
  local name=$1 listener=$2 pattern=$3 clients=$4 best=n/a try c0 c1 t0 t1 n i cpids
  for try in 1 2; do
    if [[ $name == kamailio ]] && ! kill -0 "$kamailio_pid" 2>/dev/null; then start_kamailio; sleep 3; fi
    c0=$(cpu_ticks $(pgrep -f "$pattern")); t0=$(date +%s.%N); cpids=()
    for i in $(seq 1 "$clients"); do
      openssl s_time -connect "$listener" -new -time 10 2>/dev/null > "$work/s_time.$i" & cpids+=($!)
    done
    wait "${cpids[@]}" || true
    t1=$(date +%s.%N); c1=$(cpu_ticks $(pgrep -f "$pattern"))
    sleep 3
    if [[ $name == kamailio ]] && ! kill -0 "$kamailio_pid" 2>/dev/null; then kamailio_crashes=$((kamailio_crashes + 1)); continue; fi
    n=$(cat "$work"/s_time.* | sed -nE 's/^([0-9]+) connections in [0-9.]+ real seconds.*/\1/p' | paste -sd+ | bc)
    [[ -n "$n" && "$n" -gt 0 ]] || continue
    printf '   %-9s %s handshakes from %s clients in %.1f s, %s ms of CPU each\n' "$name" "$n" "$clients" \
      "$(python3 -c "print($t1 - $t0)")" "$(python3 -c "print(f'{($c1 - $c0) * 1000 / $(getconf CLK_TCK) / $n:.2f}')")" >&2
    if [[ $best == n/a ]] || (( $(python3 -c "print(int($n / ($t1 - $t0)))") > best )); then
      best=$(python3 -c "print(int($n / ($t1 - $t0)))")
    fi
  done
  hs_parallel=$best
}
log "new TLS handshakes per second, straight at each listener (after the same 10-s warm-up for both)"
for listener in 127.0.6.2:5061 127.0.6.1:5061; do
  openssl s_time -connect "$listener" -new -time 10 >/dev/null 2>&1 || true
  sleep 3
done
handshakes kamailio 127.0.6.2:5061 "$work/kamailio.cfg"; k_hs=$hs_rate; k_hs_cpu=$hs_cpu
handshakes edge 127.0.6.1:5061 "edge-id bench"; e_hs=$hs_rate; e_hs_cpu=$hs_cpu
log "the same with 4 clients at once"
handshakes_parallel kamailio 127.0.6.2:5061 "$work/kamailio.cfg" 4; k_hs4=$hs_parallel
handshakes_parallel edge 127.0.6.1:5061 "edge-id bench" 4; e_hs4=$hs_parallel

cat <<SUMMARY

SIP over TLS on $(nproc) cores ($(uname -r)), $key_type certificates, steps of ${step_seconds} s, $domains tenants, two sipp backends over UDP,
each proxy fronted by an identical Kamailio TLS relay; edge heap $heap; Kamailio -x tlsf -m 512, 4 children
                                        edge        kamailio    edge/kamailio
max TLS calls/s, 0 failed, 0 retrans    $(printf '%-11s %-11s %s' "$e_cap" "$k_cap" "$(ratio "$e_cap" "$k_cap")")
INVITE->200 p50 ms at $moderate_rate calls/s  $(printf '%-11s %-11s' "$e_p50" "$k_p50")
INVITE->200 p99 ms                      $(printf '%-11s %-11s' "$e_p99" "$k_p99")
proxy CPU ms per call at $cpu_rate calls/s   $(printf '%-11s %-11s %s' "$e_cpu" "$k_cpu" "$(ratio "$e_cpu" "$k_cpu")")
TLS handshakes/s (s_time -new, median)  $(printf '%-11s %-11s %s' "$e_hs" "$k_hs" "$(ratio "$e_hs" "$k_hs")")
TLS handshakes/s, 4 clients at once     $(printf '%-11s %-11s %s' "$e_hs4" "$k_hs4" "$(ratio "$e_hs4" "$k_hs4")")
server CPU ms per TLS handshake         $(printf '%-11s %-11s %s' "$e_hs_cpu" "$k_hs_cpu" "$(ratio "$e_hs_cpu" "$k_hs_cpu")")
Kamailio TLS aborts (kamailio#3791)      $kamailio_crashes
(work files: $work)
SUMMARY
