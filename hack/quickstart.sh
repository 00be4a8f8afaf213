#!/usr/bin/env bash
# usage: ./hack/quickstart.sh [--keep]
# Sets up what it needs and runs what exists of the product today on loopback, printing each step:
#   1. validates config/samples/ with the operator's rules and compiles them into a signed routing.db
#   2. starts a local S3 server (S3Proxy) and publishes the signed version in the fleet layout
#   3. restores that version with the real litestream binary and verifies signature, hash and integrity
#   4. routes a SIP call for a sample tenant through an edge reading the restored file, to a sipp
#      backend, and shows an unknown domain being ignored.
# Not yet built (tracked as issues): the operator, the local control plane and the JAIN-SIP edge.
# Until the JAIN-SIP edge exists, step 4 uses Kamailio with the seed's configuration as the edge,
# which is exactly the compatibility the routing.db contract promises. It says so when it runs.
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

step "4. route a call for acme.voip.example.com through an edge reading the restored routing.db"
echo "NOTE: the JAIN-SIP edge is not built yet; the edge here is Kamailio 5.6 with the seed's configuration"
echo "      (hack/kamailio/seed-routing.cfg), reading our routing.db as it is."
for backend in 127.0.1.10 127.0.1.11; do
  sipp -sf "$root/hack/sipp/uas-backend.xml" -i "$backend" -p 5060 -aa -nostdin > "$run_dir/backend-$backend.log" 2>&1 &
  echo "sipp-backend-$backend $!" >> "$pids_file"
done
sed -e "s#@LISTEN@#127.0.0.1:5060#" -e "s#@DB_PATH@#$run_dir/restored.db#" -e "s#@CHILDREN@#2#" \
  -e "s#@PING_INTERVAL@#5#" "$root/hack/kamailio/seed-routing.cfg" > "$run_dir/kamailio.cfg"
kamailio -DD -E -f "$run_dir/kamailio.cfg" -P "$run_dir/kamailio.pid" -Y "$run_dir" -m 64 -M 8 -x tlsf \
  > "$run_dir/kamailio.log" 2>&1 &
echo "kamailio $!" >> "$pids_file"
for _ in $(seq 1 100); do grep -q "SO_RCVBUF is finally" "$run_dir/kamailio.log" 2>/dev/null && break; sleep 0.1; done
show sipp 127.0.0.1:5060 -sf "$root/hack/sipp/uac-tenant.xml" -key domain acme.voip.example.com -s 1000 \
  -i 127.0.0.1 -p 5090 -m 1 -nostdin -timeout 15s -timeout_error -trace_stat -stf "$run_dir/call-stats.csv" \
  > "$run_dir/call.log" 2>&1 && echo "routed call: INVITE -> 200 OK -> ACK -> BYE -> 200 OK via the edge to a backend of pbx-cluster-a"
show sipp 127.0.0.1:5060 -sf "$root/hack/sipp/uac-tenant.xml" -key domain unknown.example.net -s 1000 \
  -i 127.0.0.1 -p 5091 -m 1 -nostdin -timeout 3s > "$run_dir/knock.log" 2>&1 \
  || echo "unknown.example.net: no answer at all (door-knock dropped silently)"
grep -h "Door-knock" "$run_dir/kamailio.log" | tail -1

if $keep; then
  echo; echo "Still running (pids in $pids_file). Stop everything with: ./hack/quickstart-down.sh"
else
  echo; echo "Done; stopping what it started. Run with --keep to leave it running."
fi
