#!/usr/bin/env bash
# usage: ./hack/bench/publish-profile.sh [domains=100000] [runs=7]
# The pure steps of a one-domain change's publish (custom resources to compiler inputs, compile, hash,
# build, sign, LZ4), full and incremental, on N in-memory SipDomains: no API server, no S3. Prints the
# median of each step. The incremental compile is checked equal to the full one at every run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
domains="${1:-100000}" runs="${2:-7}"
cd "$root"
cp_file="$(mktemp)"; trap 'rm -f "$cp_file"' EXIT
mvn -B -q -ntp -pl operator -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >&2
java -Xmx3g -XX:+UseParallelGC -cp "operator/target/classes:operator/target/test-classes:$(cat "$cp_file")" \
  io.pbx3sbc.operator.bench.PublishPathProfile "$domains" "$runs"
