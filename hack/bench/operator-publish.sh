#!/usr/bin/env bash
# usage: ./hack/bench/operator-publish.sh [domains=100000] [changes=20] [sourceStatus=Exceptions|All]
#        (OPERATOR_BENCH_JAVA_OPTS adds JVM options, e.g. a JFR recording; OPERATOR_BENCH_HEAP=700m for the heap the chart's default limit gives; default 3g. The GC log goes
#        to $OPERATOR_BENCH_GC_LOG, default /tmp/operator-publish-gc.log: count "Pause Full" in it.)
# Creates that many SipDomains in a real local kube-apiserver (hack/control-plane), runs the operator
# in-process against it and S3Proxy, then changes one SipDomain at a time and prints the time from the
# change to the new version named in the S3 release pointer (what edges poll): each sample, median, worst.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
domains="${1:-100000}" changes="${2:-20}"
source_status=("${@:3:1}")   # unset: the EdgeFleet default
# shellcheck source=../lib/tools.sh
source "$root/hack/lib/tools.sh"
ensure_control_plane >/dev/null
cd "$root"
cp_file="$(mktemp)"
mvn -B -q -ntp -pl operator -am test-compile dependency:build-classpath \
  -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test >&2
mvn -B -q -ntp -pl routing-db generate-test-resources >&2   # the S3Proxy jar
# Run from a copy of the classes, so a rebuild during a long run cannot mix old and new classes.
snapshot="$(mktemp -d)"; trap 'rm -f "$cp_file"; rm -rf "$snapshot"' EXIT
cp -r operator/target/classes "$snapshot/classes"; cp -r operator/target/test-classes "$snapshot/test-classes"
cp -r routing-db/target/classes "$snapshot/routing-db-classes"; cp -r routing-db/target/test-classes "$snapshot/routing-db-test-classes"
classpath="$(sed -e "s#$root/routing-db/target/classes#$snapshot/routing-db-classes#" \
  -e "s#$root/routing-db/target/test-classes#$snapshot/routing-db-test-classes#" "$cp_file")"
cd operator
# shellcheck disable=SC2086
java -Xmx"${OPERATOR_BENCH_HEAP:-3g}" -XX:+UseParallelGC ${OPERATOR_BENCH_JAVA_OPTS:-} -Xlog:gc:file="${OPERATOR_BENCH_GC_LOG:-/tmp/operator-publish-gc.log}" \
  -Ds3proxy.jar="$root/routing-db/target/it-tools/s3proxy.jar" \
  -cp "$snapshot/classes:$snapshot/test-classes:$classpath" \
  io.pbx3sbc.operator.bench.PublishBench "$domains" "$changes" "${source_status[@]}"
