#!/usr/bin/env bash
# usage: ./hack/local-up.sh [edges=3]
# Runs the whole product on loopback, each part a local process started from this repository:
#   a real kube-apiserver + etcd (hack/control-plane, built from Go modules and cached),
#   SeaweedFS's S3 gateway on 127.0.0.1:19000 (the fleet's store, with an operator identity and a
#   least-privilege edge identity), the operator (hack/operator.sh, leader election on),
#   N edges (hack/edge.sh in fleet mode) on 127.0.2.1..N:5060 with admin on :9090, and sipp backends
#   on 127.0.1.10/11/20/21 (the samples' DispatcherSets), then applies config/local (the samples).
# Prints where everything listens and the KUBECONFIG to use. Stop it all with ./hack/local-down.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/tools.sh
source "$root/hack/lib/tools.sh"
edges="${1:-3}"
state="${LOCAL_STATE:-$root/.local/cluster}"

if [[ -f "$state/pids" ]]; then
  echo "already running (see $state/pids); stop it first with ./hack/local-down.sh" >&2
  exit 1
fi
# Every fixed address is checked first: a port already taken is named here, instead of surfacing later
# as a part that "did not start" or a key the operator "did not create".
busy="$(python3 - "$edges" <<'PY'
import socket, sys
edges = int(sys.argv[1])
want = [("tcp", "127.0.0.1", p, "SeaweedFS") for p in (19000, 19327, 19333, 19380, 19888, 29333, 29380, 29888)]
want.append(("tcp", "127.0.0.1", 18080, "the operator's admin port"))
for b in ("127.0.1.10", "127.0.1.11", "127.0.1.20", "127.0.1.21"):
    want.append(("udp", b, 5060, "a sipp backend"))
for i in range(1, edges + 1):
    a = f"127.0.2.{i}"
    want += [("udp", a, 5060, f"edge-{i}'s SIP"), ("tcp", a, 5060, f"edge-{i}'s SIP"), ("tcp", a, 9090, f"edge-{i}'s admin port")]
for proto, host, port, what in want:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    if proto == "tcp":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a TIME_WAIT leftover is not "taken"
    try:
        s.bind((host, port))
    except OSError as e:
        print(f"{proto} {host}:{port} ({what}): {e.strerror}")
    finally:
        s.close()
PY
)"
if [[ -n "$busy" ]]; then
  echo "local-up needs these addresses, and something already uses them (find it with: ss -lntup):" >&2
  echo "$busy" | sed 's/^/  /' >&2
  exit 1
fi
ensure_java_build_tools
ensure_debian_packages
ensure_litestream
ensure_control_plane
ensure_seaweedfs
rm -rf "$state"; mkdir -p "$state"
: > "$state/pids"
# A failed start leaves nothing running.
trap 'status=$?; if ((status != 0)); then echo "local-up failed; stopping what it started" >&2; LOCAL_STATE="$state" "$root/hack/local-down.sh" >&2; fi' EXIT
record() { echo "$1 $2" >> "$state/pids"; }
# Each long-running part gets a start script in $state/run/, so ./hack/local-ctl.sh can stop and start it.
launch() {
  local name="$1"; shift
  mkdir -p "$state/run"
  { echo '#!/usr/bin/env bash'; printf 'exec'; printf ' %q' "$@"; echo; } > "$state/run/$name.sh"
  chmod +x "$state/run/$name.sh"
  "$state/run/$name.sh" >> "$state/$name.log" 2>&1 &
  record "$name" $!
}
wait_http() { for _ in $(seq 1 "${3:-300}"); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "timed out waiting for $2 ($1)" >&2; return 1; }

if [[ "${LOCAL_UP_BUILD:-true}" == true ]]; then   # the e2e tests set false: Maven has just built them
  log "building the operator and the edge"
  (cd "$root" && mvn -B -q -ntp -pl operator,edge-runtime -am package -DskipTests)
fi

log "control plane"
"$root/hack/control-plane/up.sh" "$state/control-plane" >/dev/null
export KUBECONFIG="$state/control-plane/kubeconfig"
kubectl="$state/control-plane/kubectl"
record control-plane "$state/control-plane"
"$kubectl" apply --server-side -f "$root/crds/" >/dev/null
"$kubectl" wait --for=condition=Established --timeout=60s crd/sipdomains.pbx3sbc.io crd/dispatchersets.pbx3sbc.io \
  crd/edgefleets.pbx3sbc.io >/dev/null

log "SeaweedFS S3 on 127.0.0.1:19000 (identities: operator local, edge local-edge)"
mkdir -p "$state/s3data"
# The operator may do anything in the bucket; edges may read it and write only their fleet's reports.
cat > "$state/s3.json" <<JSON
{"identities": [
  {"name": "operator", "credentials": [{"accessKey": "local", "secretKey": "local-secret-key"}],
   "actions": ["Admin", "Read", "List", "Tagging", "Write"]},
  {"name": "edge", "credentials": [{"accessKey": "local-edge", "secretKey": "local-edge-secret"}],
   "actions": ["Read:sip-routing", "List:sip-routing", "Write:sip-routing/default/fleets/edge/edges/*"]}
]}
JSON
# -metricsPort: SeaweedFS counts the S3 requests it serves (hack/bench/convergence.sh reads them for the cost model).
launch s3 "$SEAWEEDFS_BIN" server -dir="$state/s3data" -ip=127.0.0.1 -ip.bind=127.0.0.1 -master.port=19333 \
  -volume.port=19380 -filer -filer.port=19888 -s3 -s3.port=19000 -s3.config="$state/s3.json" -metricsPort=19327
for _ in $(seq 1 300); do
  curl -fs -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" --user local:local-secret-key \
    -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -X PUT http://127.0.0.1:19000/sip-routing && break
  sleep 0.2
done
curl -fs -o /dev/null --aws-sigv4 "aws:amz:us-east-1:s3" --user local:local-secret-key \
  -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' http://127.0.0.1:19000/sip-routing/ \
  || { echo "SeaweedFS did not serve the bucket sip-routing; see $state/s3.log" >&2; exit 1; }

log "sipp backends on 127.0.1.10, .11, .20, .21"
for backend in 127.0.1.10 127.0.1.11 127.0.1.20 127.0.1.21; do
  launch "sipp-$backend" sipp -sf "$root/hack/sipp/uas-backend.xml" -i "$backend" -p 5060 -aa -nostdin
done

log "operator (admin on 127.0.0.1:18080)"
launch operator env KUBECONFIG="$KUBECONFIG" OPERATOR_ADMIN_LISTEN=127.0.0.1:18080 LEASE_NAMESPACE=default \
  POD_NAME=operator-local WORK_DIR="$state/operator-work" OPERATOR_NUDGES="${OPERATOR_NUDGES:-true}" "$root/hack/operator.sh"
wait_http http://127.0.0.1:18080/readyz operator

log "applying config/local (the samples, with the local store)"
"$kubectl" apply -k "$root/config/local" >/dev/null
# The edges read the keys they trust from a file kept equal to the fleet's trust ConfigMap, as a pod's
# ConfigMap volume is: a signing key rotation reaches them without a restart.
launch trust-sync "$root/hack/lib/trust-sync.sh" "$kubectl" edge-edge-trust "$state/trusted-keys"
for _ in $(seq 1 300); do [[ -s "$state/trusted-keys" ]] && break; sleep 0.2; done
[[ -s "$state/trusted-keys" ]] || { echo "the operator did not publish the fleet's trusted keys (ConfigMap edge-edge-trust); see $state/operator.log" >&2; exit 1; }

# All edges of a fleet share the dialog key the operator generated (a Secret mounted as a file in a cluster).
for _ in $(seq 1 300); do
  "$kubectl" get secret edge-edge-dialog-key -o jsonpath='{.data.dialog\.key}' 2>/dev/null | base64 -d > "$state/dialog.key.new" 2>/dev/null || true
  [[ -s "$state/dialog.key.new" ]] && break
  sleep 0.2
done
[[ -s "$state/dialog.key.new" ]] || { echo "the operator did not create the fleet's dialog key (Secret edge-edge-dialog-key); see $state/operator.log" >&2; exit 1; }
mv "$state/dialog.key.new" "$state/dialog.key"

log "$edges edges in fleet mode"
for i in $(seq 1 "$edges"); do
  addr="127.0.2.$i"
  launch "edge-$i" env AWS_ACCESS_KEY_ID=local-edge AWS_SECRET_ACCESS_KEY=local-edge-secret \
    EDGE_LITESTREAM_BIN="$LITESTREAM_BIN" EDGE_JAVA_OPTS="${EDGE_JAVA_OPTS:--Xms64m -Xmx192m}" \
    EDGE_GC_OPTS="${EDGE_GC_OPTS:--XX:+UseSerialGC}" \
    EDGE_POLL_INTERVAL="${EDGE_POLL_INTERVAL:-30s}" EDGE_HEARTBEAT_INTERVAL="${EDGE_HEARTBEAT_INTERVAL:-30s}" \
    "$root/hack/edge.sh" --fleet edge --s3-endpoint http://127.0.0.1:19000 --s3-bucket sip-routing \
    --s3-prefix default/ --public-key-file "$state/trusted-keys" --dialog-key-file "$state/dialog.key" --data-dir "$state/edge-$i" --edge-id "edge-$i" \
    --sip-listen "$addr:5060" --admin-listen "$addr:9090" --admin-detail true
done
for i in $(seq 1 "$edges"); do wait_http "http://127.0.2.$i:9090/readyz" "edge-$i" 600; done

cat <<EOF2

The product runs on loopback (state and logs in $state):
  export KUBECONFIG=$KUBECONFIG
  kubectl:   $kubectl   (kubectl 1.34, also fine: the one on PATH)
  S3:        http://127.0.0.1:19000 bucket sip-routing (SeaweedFS; operator local / local-secret-key,
             edges local-edge / local-edge-secret: read, and write fleets/edge/edges/ only)
  operator:  http://127.0.0.1:18080/metrics   log $state/operator.log
  edges:     $(for i in $(seq 1 "$edges"); do printf 'sip:127.0.2.%s:5060 (admin :9090)  ' "$i"; done)
  backends:  sipp on 127.0.1.10, .11 (pbx-cluster-a) and 127.0.1.20, .21 (pbx-cluster-b)
Try: $kubectl get edgefleet,sipdomains,dispatchersets
Stop or start one part (s3, operator, edge-N): ./hack/local-ctl.sh stop|start NAME
Stop everything: ./hack/local-down.sh
EOF2
