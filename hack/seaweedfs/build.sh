#!/usr/bin/env bash
# Usage: hack/seaweedfs/build.sh
# Builds SeaweedFS's weed (master, volume, filer and S3 gateway in one binary) from the Go module pinned
# in this directory's go.mod, cached in ~/.cache/pbx3sbc/seaweedfs/<stamp>/weed and linked as
# ~/.cache/pbx3sbc/seaweedfs/weed (where the Maven build looks). It is the local S3 server that enforces
# per-identity policies: the edges' read-only credential is proven against it.
# First build on 2 cores: about 5 minutes; later: instant. Prints the binary's path.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
stamp="$(cat "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-16)"
cache="${PBX3SBC_CACHE:-$HOME/.cache/pbx3sbc}/seaweedfs"
out="$cache/$stamp"
if [[ -x "$out/weed" ]]; then
  ln -sfn "$out/weed" "$cache/weed"
  echo "$out/weed"
  exit 0
fi
mkdir -p "$out"
echo "building SeaweedFS weed into $out (first time: several minutes)" >&2
cd "$here"
go build -trimpath -ldflags "-s -w" -o "$out/weed.new" github.com/seaweedfs/seaweedfs/weed
mv -f "$out/weed.new" "$out/weed"
ln -sfn "$out/weed" "$cache/weed"
echo "$out/weed"
