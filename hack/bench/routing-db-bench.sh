#!/usr/bin/env bash
# usage: ./hack/bench/routing-db-bench.sh [domains=100000] [destinations=10000] [sets=1000] [runs=7]
# Builds and validates a routing.db of that size with routing-db (median of several runs after warm-up),
# and, for scale, builds a file of the same shape with the sqlite3 shell.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
domains="${1:-100000}" destinations="${2:-10000}" sets="${3:-1000}" runs="${4:-7}"
cd "$root"
mvn -B -q -ntp -pl routing-db package -DskipTests >&2
echo "== routing-db (Java): build + validate (integrity_check, full read, content hash, rules)"
java -Xmx1g -cp "routing-db/target/classes:routing-db/target/test-classes:routing-db/target/lib/*" \
  io.pbx3sbc.routingdb.bench.RoutingDbBench "$domains" "$destinations" "$sets" "$runs"

if command -v sqlite3 >/dev/null; then
  echo "== sqlite3 shell, same tables and row counts, build only (no hash, no validation)"
  tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
  times=()
  for i in $(seq 1 "$runs"); do
    start=$(date +%s.%N)
    sqlite3 "$tmp/s$i.db" >/dev/null <<SQL
PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
BEGIN;
CREATE TABLE sip_domains (domain TEXT PRIMARY KEY, dispatcher_setid INTEGER NOT NULL, enabled INTEGER NOT NULL DEFAULT 1, comment TEXT);
CREATE TABLE dispatcher (id INTEGER PRIMARY KEY AUTOINCREMENT, setid INTEGER NOT NULL, destination TEXT NOT NULL, flags INTEGER DEFAULT 0, priority INTEGER DEFAULT 0, attrs TEXT);
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i < $domains - 1)
  INSERT INTO sip_domains SELECT 'tenant' || i || '.voip.example.com', 1 + i % $sets, 1, NULL FROM n ORDER BY 1;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i+1 FROM n WHERE i < $destinations - 1)
  INSERT INTO dispatcher (setid, destination, flags, priority, attrs) SELECT 1 + i / ($destinations / $sets), 'sip:10.' || (i >> 16 & 255) || '.' || (i >> 8 & 255) || '.' || (i & 255) || ':5060', 0, 0, 'weight=1' FROM n;
CREATE INDEX idx_sip_domains_enabled ON sip_domains(enabled);
CREATE INDEX idx_dispatcher_setid ON dispatcher(setid);
COMMIT;
SQL
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc -l)")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "sqlite3 build   min %.3f s  median %.3f s  max %.3f s\n", a[1], a[int((NR+1)/2)], a[NR]}'
fi
