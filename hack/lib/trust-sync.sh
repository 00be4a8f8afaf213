#!/usr/bin/env bash
# usage: hack/lib/trust-sync.sh KUBECTL CONFIGMAP FILE
# Keeps FILE equal to the ConfigMap's trusted-keys, checking every second: what the kubelet does for a
# ConfigMap volume in a pod. ./hack/local-up.sh runs it for its edges, which read the keys they trust
# from that file (--public-key-file), so a signing key rotation reaches them as it would in a cluster.
set -uo pipefail
kubectl="$1" configmap="$2" file="$3"
while true; do
  if "$kubectl" get configmap "$configmap" -o jsonpath='{.data.trusted-keys}' > "$file.tmp" 2>/dev/null \
      && [[ -s "$file.tmp" ]] && ! cmp -s "$file.tmp" "$file"; then
    mv "$file.tmp" "$file"
  fi
  sleep 1
done
