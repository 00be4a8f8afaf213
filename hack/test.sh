#!/usr/bin/env bash
# usage: ./hack/test.sh [extra maven args]
# Installs or builds what the tests need (cached under ~/.cache/pbx3sbc), then runs every test tier:
# *Test (fast, pure) with Surefire and *IT (real parts on loopback: S3Proxy, litestream, Kamailio,
# sipp, SeaweedFS (a real S3 server with per-identity policies), a real kube-apiserver + etcd built
# from Go modules) with Failsafe. Example: ./hack/test.sh -pl routing-db -Dit.test=KamailioCompatIT
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/tools.sh
source "$root/hack/lib/tools.sh"

ensure_java_build_tools
ensure_debian_packages
ensure_litestream
ensure_control_plane
ensure_seaweedfs
ensure_image_runtime

cd "$root"
log "running all test tiers: mvn verify"
exec mvn -B -ntp verify -Pimage -Dimage.runtime.dir="$IMAGE_RUNTIME_DIR" -Dlitestream.bin="$LITESTREAM_BIN" -Dseaweedfs.bin="$SEAWEEDFS_BIN" "$@"
