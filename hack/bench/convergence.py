#!/usr/bin/env python3
"""Time from `kubectl apply` of a new SipDomain to that domain routable on every edge.

usage: convergence.py KUBECTL KUBECONFIG EDGES REPS
Edges are the ones ./hack/local-up.sh runs (admin on 127.0.2.N:9090); "routable" is the edge's own
/lookup answer from its active routing table. Prints each sample, then the median and the worst.
"""
import statistics
import subprocess
import sys
import time
import urllib.request

kubectl, kubeconfig, edges, reps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
run = f"{int(time.time())}"
samples = []
for r in range(1, reps + 1):
    name = f"conv-{run}-{edges}-{r}"
    domain = f"{name}.voip.example.com"
    manifest = f"""apiVersion: pbx3sbc.io/v1alpha1
kind: SipDomain
metadata:
  name: {name}
  labels: {{pbx3sbc.io/fleet: edge}}
spec:
  domain: {domain}
  dispatcherSetRef: pbx-cluster-a
"""
    start = time.monotonic()
    subprocess.run([kubectl, "--kubeconfig", kubeconfig, "apply", "-f", "-"], input=manifest.encode(), check=True, capture_output=True)
    pending = set(range(1, edges + 1))
    while pending:
        for e in sorted(pending):
            try:
                with urllib.request.urlopen(f"http://127.0.2.{e}:9090/lookup?domain={domain}", timeout=2) as resp:
                    if resp.status == 200:
                        pending.discard(e)
            except Exception:
                pass
        if time.monotonic() - start > 60:
            sys.exit(f"{domain} not routable on edges {sorted(pending)} after 60 s")
        time.sleep(0.01)
    took = time.monotonic() - start
    samples.append(took)
    print(f"edges={edges} rep {r:2d}: {took:.3f} s", flush=True)
    time.sleep(1.0)
samples.sort()
print(f"RESULT edges={edges} reps={reps} median {statistics.median(samples):.3f} s, "
      f"worst {samples[-1]:.3f} s (goal: median < 3 s, worst < 6 s)")
