# Shared by hack/bench/sip-bench.sh and hack/bench/tls-bench.sh: the bench routing.db, sipp call steps,
# the side-by-side capacity search, response times, CPU per call. Callers set root, work, domain,
# step_seconds, call_rates, moderate_rate, cpu_rate, edge_target and kamailio_target before calling them.

# bench_routing_db N: $work/routing.db with N tenants (tenantI.bench.example.com) on one round-robin set of
# the two sipp backends 127.0.6.10 and 127.0.6.11, built from YAML with hack/routing-db
bench_routing_db() {
  python3 - "$work/tenants.yaml" "$1" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("apiVersion: pbx3sbc.io/v1alpha1\nkind: DispatcherSet\nmetadata: {name: bench, namespace: bench}\n"
            "spec:\n  setId: 1\n  algorithm: round-robin\n  destinations:\n"
            "    - {uri: \"sip:127.0.6.10:5060\"}\n    - {uri: \"sip:127.0.6.11:5060\"}\n")
    for i in range(int(sys.argv[2])):
        f.write(f"---\napiVersion: pbx3sbc.io/v1alpha1\nkind: SipDomain\nmetadata: {{name: t{i}, namespace: bench}}\n"
                f"spec: {{domain: tenant{i}.bench.example.com, dispatcherSetRef: bench}}\n")
PY
  "$root/hack/routing-db" build "$work/tenants.yaml" --out "$work/routing.db" --fleet bench --version 1 >/dev/null
}

# run_calls TARGET RATE SECONDS NAME: prints "successful failed retransmissions"
run_calls() {
  local target=$1 rate=$2 seconds=$3 name=$4
  local calls=$((rate * seconds))
  (cd "$work" && sipp "$target" -sf "$root/hack/sipp/uac-tenant.xml" -key domain "$domain" -s 100 -i 127.0.0.1 \
    -p 0 -r "$rate" -m "$calls" -l $((rate * 4)) -nostdin -timeout $((seconds + 30))s -timeout_error \
    -trace_stat -stf "$work/$name.csv" -fd 1 -trace_rtt -rtt_freq 1 > "$work/$name.log" 2>&1) || true
  python3 - "$work/$name.csv" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=";"))
head, last = rows[0], rows[-1]
col = lambda n: int(last[head.index(n)])
print(col("SuccessfulCall(C)"), col("FailedCall(C)"), col("Retransmissions(C)"))
PY
}

# try_step TARGET LABEL RATE TRY: 0 when one run at RATE is clean (every call done, none failed, no retransmission)
try_step() {
  local target=$1 label=$2 rate=$3 try=$4
  read -r ok failed retrans < <(run_calls "$target" "$rate" "$step_seconds" "$label-cap-$rate-$try")
  printf '   %-9s %5s calls/s (try %s): %6s ok, %4s failed, %5s retransmissions\n' "$label" "$rate" "$try" "$ok" "$failed" "$retrans" >&2
  [[ "$failed" -eq 0 && "$retrans" -eq 0 && "$ok" -eq $((rate * step_seconds)) ]]
}

# capacity_side_by_side: the highest clean rate of Kamailio and of the edge, searched together. At each
# step the two take turns (Kamailio, edge, Kamailio, ...), so a noisy minute on this shared machine hits
# both alike; a step counts as clean for one of them when the majority of up to three tries is clean
# (the same rule for both). A side stops at its first step that is not clean. Prints "edge kamailio".
capacity_side_by_side() {
  local e_best=0 k_best=0 e_on=$1 k_on=$2 rate try
  local -A clean dirty
  for rate in "${call_rates[@]}"; do
    [[ "$e_on" == 1 || "$k_on" == 1 ]] || break
    clean=([edge]=0 [kamailio]=0); dirty=([edge]=0 [kamailio]=0)
    for try in 1 2 3; do
      for side in kamailio edge; do
        local on target
        if [[ $side == edge ]]; then on=$e_on; target=$edge_target; else on=$k_on; target=$kamailio_target; fi
        [[ "$on" == 1 && ${clean[$side]} -lt 2 && ${dirty[$side]} -lt 2 ]] || continue
        if try_step "$target" "$side" "$rate" "$try"; then clean[$side]=$((clean[$side] + 1)); else dirty[$side]=$((dirty[$side] + 1)); fi
        sleep 2
      done
    done
    if [[ "$e_on" == 1 ]]; then if [[ ${clean[edge]} -ge 2 ]]; then e_best=$rate; else e_on=0; fi; fi
    if [[ "$k_on" == 1 ]]; then if [[ ${clean[kamailio]} -ge 2 ]]; then k_best=$rate; else k_on=0; fi; fi
  done
  # never failed: the real limit is higher
  [[ "$e_on" == 1 ]] && e_best=">=$e_best"
  [[ "$k_on" == 1 ]] && k_best=">=$k_best"
  echo "$e_best $k_best"
}

latency() {
  local target=$1 label=$2
  run_calls "$target" "$moderate_rate" 20 "$label-rtt" >/dev/null
  python3 - "$work" "$label-rtt" <<'PY'
import glob, sys
vals = []
for f in glob.glob(f"{sys.argv[1]}/uac-tenant_*_rtt.csv"):
    pass
import os
files = sorted(glob.glob(f"{sys.argv[1]}/*_rtt.csv"), key=os.path.getmtime)
for line in open(files[-1]).read().splitlines()[1:]:
    parts = line.split(";")
    if len(parts) >= 2:
        vals.append(float(parts[1]))
vals.sort()
p = lambda q: vals[min(len(vals) - 1, int(q * len(vals)))]
print(f"{p(0.5):.2f} {p(0.9):.2f} {p(0.99):.2f} {len(vals)}")
PY
}

# cpu_ticks PID...: user+system clock ticks used so far by these processes (all their threads)
cpu_ticks() { local t=0 p; for p in "$@"; do [[ -r /proc/$p/stat ]] && t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo "$t"; }

# cpu_per_call TARGET LABEL PID...: CPU milliseconds per call at $cpu_rate calls/s over 10 s
cpu_per_call() {
  local target=$1 label=$2; shift 2
  local before after
  before=$(cpu_ticks "$@")
  run_calls "$target" "$cpu_rate" 10 "$label-cpu" >/dev/null
  after=$(cpu_ticks "$@")
  python3 -c "print(f'{($after - $before) * 1000 / $(getconf CLK_TCK) / ($cpu_rate * 10):.3f}')"
}

warm_up() {
  local target=$1 label=$2
  # The same warm-up for both: the JVM compiles its hot paths in it (Kamailio needs none, and loses nothing).
  log "$label: warm-up (30 s at 1000 calls/s)"
  run_calls "$target" 1000 30 "$label-warmup" >/dev/null
}

# A ">=" on either side makes the ratio a bound, said as such.
ratio() { python3 -c "
import sys
a, b = sys.argv[1], sys.argv[2]
if 'n/a' in (a, b):
    print('n/a'); sys.exit()
fa, fb = float(a.lstrip('>=')), float(b.lstrip('>='))
r = f'{fa / fb:.2f}' if fb else 'n/a'
print(('<=' if b.startswith('>=') and not a.startswith('>=') else '>=' if a.startswith('>=') and not b.startswith('>=') else '~' if a.startswith('>=') else '') + r)
" "$1" "$2"; }
