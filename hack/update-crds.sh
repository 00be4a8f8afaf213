#!/usr/bin/env bash
# usage: ./hack/update-crds.sh
# Regenerates the CRDs from the Java API classes (operator/.../api/v1alpha1) and copies them to crds/
# and to the Helm chart's crds/. CrdsUpToDateTest and HelmChartTest fail while either differs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(cd "$root" && mvn -B -q -ntp -pl operator -am process-classes)
# The generator sorts printer columns by JSON path; kubectl users expect the state first, detail in
# -o wide (priority 1), and AGE last. The order per kind is here, the columns themselves in the classes.
order_columns() {
  python3 - "$1" "$2" <<'PY'
import re, sys
src, dst = sys.argv[1], sys.argv[2]
order = {
    "edgefleets": ["Phase", "Active", "Candidate", "Ready", "Live", "Serving", "Staged", "Rejecting", "Oldest", "Domains", "Left-Out", "Age"],
    "sipdomains": ["Domain", "Set", "Accepted", "Since", "Fleet", "Age"],
    "dispatchersets": ["SetID", "Algorithm", "Up", "Healthy", "Accepted", "Since", "Fleet", "Age"],
}
text = open(src).read()
kind = next(k for k in order if f"name: \"{k}.pbx3sbc.io\"" in text)
head, rest = text.split("additionalPrinterColumns:\n", 1)
items, tail = [], rest
# each column is a "    - " item until the next key at the version level ("    name:", "    schema:", ...)
m = re.match(r"((?:    - .*\n(?:      .*\n)*)+)", rest)
block = m.group(1)
tail = rest[len(block):]
items = re.findall(r"    - .*\n(?:      .*\n)*", block)
def name(item):
    return re.search(r'name: "([^"]+)"', item).group(1)
want = order[kind]
missing = [name(i) for i in items if name(i) not in want]
if missing:
    sys.exit(f"update-crds.sh: no place for printer columns {missing} of {kind}: add them to the order")
items.sort(key=lambda i: want.index(name(i)))
open(dst, "w").write(head + "additionalPrinterColumns:\n" + "".join(items) + tail)
PY
}
for f in "$root"/operator/target/classes/META-INF/fabric8/*.pbx3sbc.io-v1.yml; do
  name="$(basename "$f" | sed 's/\.pbx3sbc\.io-v1\.yml$//')"
  order_columns "$f" "$root/crds/pbx3sbc.io_${name}.yaml"
  cp "$root/crds/pbx3sbc.io_${name}.yaml" "$root/charts/pbx3sbc-operator/crds/pbx3sbc.io_${name}.yaml"
  echo "crds/pbx3sbc.io_${name}.yaml"
done
