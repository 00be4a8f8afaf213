#!/usr/bin/env bash
# usage: ./hack/quickstart.sh [--keep]
# Sets up what it needs and runs what exists of the product today on loopback, printing each step:
#   1. validates config/samples/ with the operator's rules and compiles them into a signed routing.db
#   2. starts a local S3 server (S3Proxy) and publishes the signed version in the fleet layout
#   3. restores that version with the real litestream binary and verifies signature, hash and integrity
#   4. starts the JAIN-SIP edge (./hack/edge.sh) on the restored file, routes a SIP call for a sample
#      tenant through it to a sipp backend, shows an unknown domain and a scanner being ignored, and
#      the edge's /status and /metrics.
# Not yet built (tracked as issues): the operator and the local control plane, so the edge here
# starts from the restored file instead of following the fleet's release pointer.
# Everything it starts is stopped at the end (or by ./hack/quickstart-down.sh with --keep).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/tools.sh
source "$root/hack/lib/tools.sh"
keep=false
[[ "${1:-}" == "--keep" ]] && keep=true

run_dir="$root/.local/quickstart"
pids_file="$run_dir/pids"
rm -rf "$run_dir"; mkdir -p "$run_dir"
: > "$pids_file"
step() { printf '\n\033[1m--- %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@"; }
stop_all() { "$root/hack/quickstart-down.sh" >/dev/null 2>&1 || true; }
$keep || trap stop_all EXIT

ensure_java_build_tools
ensure_debian_packages
ensure_litestream

step "build routing-db (mvn package)"
(cd "$root" && mvn -B -q -ntp -pl routing-db package -DskipTests)
rdb="$root/hack/routing-db"

step "1. validate and compile the samples into a signed routing.db"
show "$rdb" validate "$root/config/samples"
show "$rdb" keygen --out-dir "$run_dir/keys"
show "$rdb" build "$root/config/samples" --out "$run_dir/routing.db" --fleet edge --version 1 \
  --signing-key "$run_dir/keys/signing.key"

step "2. start S3Proxy on 127.0.0.1:19000 and publish version 1"
export AWS_ACCESS_KEY_ID=quickstart AWS_SECRET_ACCESS_KEY=quickstart-secret
cat > "$run_dir/s3proxy.properties" <<PROPS
s3proxy.endpoint=http://127.0.0.1:19000
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$AWS_ACCESS_KEY_ID
s3proxy.credential=$AWS_SECRET_ACCESS_KEY
jclouds.provider=filesystem
jclouds.filesystem.basedir=$run_dir/s3data
PROPS
mkdir -p "$run_dir/s3data"
java -Xmx256m -jar "$root/routing-db/target/it-tools/s3proxy.jar" --properties "$run_dir/s3proxy.properties" \
  > "$run_dir/s3proxy.log" 2>&1 &
echo "s3proxy $!" >> "$pids_file"
for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/19000) 2>/dev/null && break; sleep 0.2; done
show "$rdb" publish "$run_dir/routing.db" --manifest "$run_dir/routing.db.manifest.json" \
  --endpoint http://127.0.0.1:19000 --bucket sip-routing

step "3. restore version 1 with the real litestream $("$LITESTREAM_BIN" version) and verify it"
cat > "$run_dir/litestream.yml" <<YML
dbs:
  - path: /routing/routing.db
    replicas:
      - type: s3
        bucket: sip-routing
        path: fleets/edge/versions/1
        endpoint: http://127.0.0.1:19000
        region: us-east-1
        force-path-style: true
YML
show "$LITESTREAM_BIN" restore -config "$run_dir/litestream.yml" -o "$run_dir/restored.db" /routing/routing.db
show "$rdb" verify "$run_dir/restored.db" --manifest "$run_dir/routing.db.manifest.json" \
  --public-key "$run_dir/keys/signing.pub"

step "4. start the edge on the restored routing.db and route a call for acme.voip.example.com"
for backend in 127.0.1.10 127.0.1.11 127.0.1.20 127.0.1.21; do   # pbx-cluster-a and -b
  sipp -sf "$root/hack/sipp/uas-backend.xml" -i "$backend" -p 5060 -aa -nostdin > "$run_dir/backend-$backend.log" 2>&1 &
  echo "sipp-backend-$backend $!" >> "$pids_file"
done
(cd "$root" && mvn -B -q -ntp -pl edge-runtime -am package -DskipTests)
echo "$ ./hack/edge.sh --routing-db $run_dir/restored.db --sip-listen 127.0.0.1:5060 --admin-listen 127.0.0.1:9090"
"$root/hack/edge.sh" --routing-db "$run_dir/restored.db" --sip-listen 127.0.0.1:5060 \
  --admin-listen 127.0.0.1:9090 --edge-id quickstart > "$run_dir/edge.log" 2>&1 &
echo "edge $!" >> "$pids_file"
for _ in $(seq 1 150); do curl -fs http://127.0.0.1:9090/readyz >/dev/null 2>&1 && break; sleep 0.2; done
show curl -fsS http://127.0.0.1:9090/readyz
show sipp 127.0.0.1:5060 -sf "$root/hack/sipp/uac-tenant.xml" -key domain acme.voip.example.com -s 1000 \
  -i 127.0.0.1 -p 5090 -m 1 -nostdin -timeout 15s -timeout_error -trace_stat -stf "$run_dir/call-stats.csv" \
  > "$run_dir/call.log" 2>&1 && echo "routed call: INVITE -> 200 OK -> ACK -> BYE -> 200 OK via the edge to a backend of pbx-cluster-a"
show sipp 127.0.0.1:5060 -sf "$root/hack/sipp/uac-tenant.xml" -key domain unknown.example.net -s 1000 \
  -i 127.0.0.1 -p 5091 -m 1 -nostdin -timeout 3s > "$run_dir/knock.log" 2>&1 \
  || echo "unknown.example.net: no answer at all (door-knock dropped silently)"
grep -h "Door-knock" "$run_dir/edge.log" | tail -1 || true
step "the edge's own view: /metrics (excerpt) and /status"
curl -fsS http://127.0.0.1:9090/metrics | grep -E '^pbx3sbc_edge_(sip_requests_total|sip_drops_total|routing_version|destination_up)'
curl -fsS http://127.0.0.1:9090/status | head -20

if $keep; then
  echo; echo "Still running (pids in $pids_file). Stop everything with: ./hack/quickstart-down.sh"
else
  echo; echo "Done; stopping what it started. Run with --keep to leave it running."
fi
