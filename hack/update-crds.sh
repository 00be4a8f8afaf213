#!/usr/bin/env bash
# usage: ./hack/update-crds.sh
# Regenerates the CRDs from the Java API classes (operator/.../api/v1alpha1) and copies them to crds/
# and to the Helm chart's crds/. CrdsUpToDateTest and HelmChartTest fail while either differs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
(cd "$root" && mvn -B -q -ntp -pl operator -am process-classes)
for f in "$root"/operator/target/classes/META-INF/fabric8/*.pbx3sbc.io-v1.yml; do
  name="$(basename "$f" | sed 's/\.pbx3sbc\.io-v1\.yml$//')"
  cp "$f" "$root/crds/pbx3sbc.io_${name}.yaml"
  cp "$f" "$root/charts/pbx3sbc-operator/crds/pbx3sbc.io_${name}.yaml"
  echo "crds/pbx3sbc.io_${name}.yaml"
done
