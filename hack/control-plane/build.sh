#!/usr/bin/env bash
# Usage: hack/control-plane/build.sh
# Builds etcd, kube-apiserver and kubectl from the Go modules pinned in this directory's go.mod and
# caches them in ~/.kubeapitest/k8s/<version>-linux-amd64/ (the layout fabric8's kube-api-test reads).
# A second run with the same go.mod/go.sum does nothing. Prints the directory.
# First build on 2 cores: about 10 minutes (modules from the Go proxy, then compiling); later: instant.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="$(awk '$1=="k8s.io/kubernetes" && $2 ~ /^v/ {print substr($2, 2); exit}' "$here/go.mod")"
minor="$(cut -d. -f2 <<<"$version")"
out="${KUBE_API_TEST_DIR:-$HOME/.kubeapitest}/k8s/${version}-linux-amd64"
stamp="$(cat "$here/go.mod" "$here/go.sum" "$here/cmd/etcd/main.go" | sha256sum | cut -c1-16)"

if [[ -x "$out/etcd" && -x "$out/kube-apiserver" && -x "$out/kubectl" && "$(cat "$out/.stamp" 2>/dev/null)" == "$stamp" ]]; then
  echo "$out"
  exit 0
fi

mkdir -p "$out"
cd "$here"
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=v${version} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor}"
ldflags="$ldflags -X k8s.io/client-go/pkg/version.gitVersion=v${version} -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=${minor}"
echo "building etcd, kube-apiserver and kubectl v${version} into $out (first time: several minutes)" >&2

go build -trimpath -ldflags "-s -w" -o "$out/etcd.new" ./cmd/etcd
go build -trimpath -ldflags "$ldflags" -o "$out/kube-apiserver.new" k8s.io/kubernetes/cmd/kube-apiserver
go build -trimpath -ldflags "$ldflags" -o "$out/kubectl.new" k8s.io/kubernetes/cmd/kubectl
for b in etcd kube-apiserver kubectl; do mv -f "$out/$b.new" "$out/$b"; done
echo "$stamp" > "$out/.stamp"
echo "$out"
