#!/usr/bin/env bash
# Usage: hack/control-plane/up.sh STATE_DIR
# Starts a real etcd and kube-apiserver on 127.0.0.1 (no nodes, no scheduler: objects are stored and
# validated, pods never run). RBAC is on; STATE_DIR/kubeconfig holds an admin token (system:masters).
# Writes STATE_DIR/{kubeconfig,pids,apiserver.log,etcd.log}; stop with hack/control-plane/down.sh STATE_DIR.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
state="${1:?usage: up.sh STATE_DIR}"
mkdir -p "$state"
state="$(cd "$state" && pwd)"
bin="$("$here/build.sh")"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
etcd_port="$(free_port)"; peer_port="$(free_port)"; api_port="$(free_port)"

if [[ ! -f "$state/sa.key" ]]; then
  openssl genrsa -out "$state/sa.key" 2048 2>/dev/null
  openssl rsa -in "$state/sa.key" -pubout -out "$state/sa.pub" 2>/dev/null
fi
token="$(cat "$state/admin.token" 2>/dev/null || python3 -c 'import secrets; print(secrets.token_hex(24))')"
echo "$token" > "$state/admin.token"
echo "$token,admin,admin,system:masters" > "$state/tokens.csv"
chmod 600 "$state/admin.token" "$state/tokens.csv" "$state/sa.key"

"$bin/etcd" --name local --data-dir "$state/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
  --initial-cluster "local=http://127.0.0.1:$peer_port" \
  --unsafe-no-fsync --log-level warn > "$state/etcd.log" 2>&1 &
echo "etcd $!" > "$state/pids"

"$bin/kube-apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" --cert-dir "$state/certs" \
  --token-auth-file "$state/tokens.csv" --authorization-mode RBAC \
  --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$state/sa.pub" \
  --service-account-signing-key-file "$state/sa.key" --service-cluster-ip-range 10.96.0.0/16 \
  --allow-privileged=true --enable-priority-and-fairness=false > "$state/apiserver.log" 2>&1 &
echo "kube-apiserver $!" >> "$state/pids"

cat > "$state/kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: https://127.0.0.1:$api_port
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    token: $token
contexts:
- name: local
  context: {cluster: local, user: admin, namespace: default}
current-context: local
KC
ln -sf "$bin/kubectl" "$state/kubectl"

for _ in $(seq 1 300); do
  if "$bin/kubectl" --kubeconfig "$state/kubeconfig" get --raw /readyz >/dev/null 2>&1; then
    echo "kube-apiserver ready at https://127.0.0.1:$api_port" >&2
    echo "export KUBECONFIG=$state/kubeconfig"
    exit 0
  fi
  if ! kill -0 "$(awk '$1=="kube-apiserver"{print $2}' "$state/pids")" 2>/dev/null; then
    echo "kube-apiserver exited; last lines of $state/apiserver.log:" >&2
    tail -20 "$state/apiserver.log" >&2
    "$here/down.sh" "$state"
    exit 1
  fi
  sleep 0.2
done
echo "kube-apiserver not ready within 60 s; see $state/apiserver.log" >&2
"$here/down.sh" "$state"
exit 1
