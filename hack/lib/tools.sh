# Shared by hack/ scripts: installs (once) and locates the tools the project runs.
# Everything downloaded or built is cached under ${PBX3SBC_CACHE:-~/.cache/pbx3sbc}, outside the work tree.
PBX3SBC_CACHE="${PBX3SBC_CACHE:-$HOME/.cache/pbx3sbc}"
LITESTREAM_VERSION_NPM="1.0.1"   # @flydotio/litestream-linux-x64 1.0.1 ships Litestream v0.3.13
LITESTREAM_BIN="$PBX3SBC_CACHE/litestream/node_modules/@flydotio/litestream-linux-x64/litestream"

log() { printf '==> %s\n' "$*" >&2; }

# Debian packages: Kamailio (with SQLite and TLS modules) for compatibility tests and benchmarks,
# sipp as real SIP peers, sqlite3 for inspection.
ensure_debian_packages() {
  local missing=()
  command -v kamailio >/dev/null || missing+=(kamailio)
  [[ -f /usr/lib/x86_64-linux-gnu/kamailio/modules/db_sqlite.so ]] || missing+=(kamailio-sqlite-modules)
  [[ -f /usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so ]] || missing+=(kamailio-tls-modules)   # a real TLS peer
  command -v sipp >/dev/null || missing+=(sip-tester)
  command -v sqlite3 >/dev/null || missing+=(sqlite3)
  command -v openssl >/dev/null || missing+=(openssl)   # keys for the local control plane
  if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

# A C compiler for the benchmarks' knock sender (hack/bench/knock.c).
ensure_c_compiler() {
  command -v cc >/dev/null && return 0
  log "installing Debian package: gcc"
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq gcc libc6-dev >/dev/null
}

# The real litestream binary from npm. Never the npm wrapper: it always exits 0.
ensure_litestream() {
  if [[ ! -x "$LITESTREAM_BIN" ]]; then
    log "installing litestream (npm @flydotio/litestream-linux-x64@$LITESTREAM_VERSION_NPM) into $PBX3SBC_CACHE/litestream"
    mkdir -p "$PBX3SBC_CACHE/litestream"
    (cd "$PBX3SBC_CACHE/litestream" && npm install --no-audit --no-fund --silent \
      "@flydotio/litestream-linux-x64@$LITESTREAM_VERSION_NPM" >/dev/null)
  fi
  "$LITESTREAM_BIN" version >/dev/null || { echo "litestream at $LITESTREAM_BIN does not run" >&2; return 1; }
  export LITESTREAM_BIN
}

ensure_java_build_tools() {
  command -v java >/dev/null || { echo "java (17+) is required" >&2; return 1; }
  command -v mvn >/dev/null || { echo "maven (3.8+) is required" >&2; return 1; }
}

# A real kube-apiserver, etcd and kubectl built from pinned Go modules (hack/control-plane/go.mod),
# cached in ~/.kubeapitest/k8s/<version>-linux-amd64; about 10 minutes the first time on 2 cores.
ensure_control_plane() {
  command -v go >/dev/null || { echo "Go is needed to build the local control plane (hack/control-plane)" >&2; return 1; }
  KUBE_BIN_DIR="$("$(dirname "${BASH_SOURCE[0]}")/../control-plane/build.sh")"
  export KUBE_BIN_DIR
}

# SeaweedFS's weed from a pinned Go module (hack/seaweedfs): the local S3 server that enforces
# per-identity policies (the edges' read-only credential); about 5 minutes the first time on 2 cores.
ensure_seaweedfs() {
  command -v go >/dev/null || { echo "Go is needed to build SeaweedFS (hack/seaweedfs)" >&2; return 1; }
  SEAWEEDFS_BIN="$("$(dirname "${BASH_SOURCE[0]}")/../seaweedfs/build.sh")"
  export SEAWEEDFS_BIN
}

# The root filesystem of the container images (a jlink'd Java, its libraries, litestream); with it,
# mvn package also writes edge-runtime/target/image.tar and operator/target/image.tar.
ensure_image_runtime() {
  IMAGE_RUNTIME_DIR="$("$(dirname "${BASH_SOURCE[0]}")/../images/runtime.sh")"
  export IMAGE_RUNTIME_DIR
}
