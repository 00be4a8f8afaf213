#!/usr/bin/env bash
# usage: ./hack/quickstart.sh [edges=3]
# Sets up what it needs (Debian packages, litestream, a kube-apiserver built from Go modules: the first
# run takes about 15 minutes, later runs under a minute) and runs the whole product on loopback with
# ./hack/local-up.sh: a real Kubernetes API, SeaweedFS (S3), the operator and N SIP edges, with the samples
# from config/samples applied. Then it shows, step by step:
#   1. kubectl get edgefleet, sipdomains, dispatchersets
#   2. a SIP call for a sample tenant routed through an edge to its backend; an unknown domain ignored
#   3. a new SipDomain applied with kubectl becoming routable on every edge (blue/green promotion)
#   4. the per-edge truth in the EdgeFleet status and an edge's metrics
# Everything keeps running afterwards; ./hack/local-down.sh stops all of it (by PID).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
edges="${1:-3}"
step() { printf '\n\033[1m--- %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }

"$root/hack/local-down.sh" >/dev/null 2>&1 || true
step "starting the product on loopback (./hack/local-up.sh $edges)"
"$root/hack/local-up.sh" "$edges"
export KUBECONFIG="$root/.local/cluster/control-plane/kubeconfig"
kubectl="$root/.local/cluster/control-plane/kubectl"
run_dir="$root/.local/cluster"

step "1. what kubectl shows"
for _ in $(seq 1 100); do
  [[ "$("$kubectl" get ef edge -o jsonpath='{.status.phase}' 2>/dev/null)" == Ready ]] && break; sleep 0.2
done
show "$kubectl" get edgefleet,sipdomains,dispatchersets

step "2. a call for acme.voip.example.com through edge 1 (127.0.2.1) to a backend of pbx-cluster-a"
show sipp 127.0.2.1:5060 -sf "$root/hack/sipp/uac-tenant.xml" -key domain acme.voip.example.com -s 1000 \
  -i 127.0.0.1 -p 5090 -m 1 -nostdin -timeout 15s -timeout_error > "$run_dir/quickstart-call.log" 2>&1 \
  && echo "routed: INVITE -> 200 OK -> ACK -> BYE -> 200 OK"
show sipp 127.0.2.1:5060 -sf "$root/hack/sipp/uac-tenant.xml" -key domain unknown.example.net -s 1000 \
  -i 127.0.0.1 -p 5091 -m 1 -nostdin -timeout 3s > "$run_dir/quickstart-knock.log" 2>&1 \
  || echo "unknown.example.net: no answer at all (a door-knock, dropped silently)"

step "3. a new tenant with kubectl apply; the operator publishes a version, every edge stages it, then it is promoted"
start=$(date +%s%N)
show "$kubectl" apply -f - <<'YAML'
apiVersion: pbx3sbc.io/v1alpha1
kind: SipDomain
metadata:
  name: hooli
  labels: {pbx3sbc.io/fleet: edge}
spec:
  domain: hooli.voip.example.com
  dispatcherSetRef: pbx-cluster-b
  comment: Hooli, added by the quickstart
YAML
for i in $(seq 1 "$edges"); do
  until curl -fs "http://127.0.2.$i:9090/lookup?domain=hooli.voip.example.com" >/dev/null; do sleep 0.05; done
done
echo "hooli.voip.example.com routable on all $edges edges $(( ($(date +%s%N) - start) / 1000000 )) ms after kubectl apply"
show curl -fsS "http://127.0.2.2:9090/lookup?domain=hooli.voip.example.com"
sleep 1
show "$kubectl" get edgefleet

step "4. the per-edge truth in the EdgeFleet status, and an edge's metrics"
show "$kubectl" get edgefleet edge -o jsonpath='{range .status.edges[*]}{.name}{"\tactive="}{.activeVersion}{"\tstaged="}{.stagedVersion}{"\tlive="}{.live}{"\n"}{end}'
show "$kubectl" get edgefleet edge -o jsonpath='{range .status.history[*]}{.version}{" "}{.outcome}{"\n"}{end}'
curl -fsS http://127.0.2.1:9090/metrics | grep -E '^pbx3sbc_edge_(sip_requests_total|routing_version|routing_domains|destination_up)' | head -12

cat <<EOF2

Still running. Try more with:
  export KUBECONFIG=$KUBECONFIG
  $kubectl get ef -w                      # watch a change go through
  ./hack/local-ctl.sh stop s3             # S3 down: edges keep routing
Stop everything: ./hack/local-down.sh
EOF2
