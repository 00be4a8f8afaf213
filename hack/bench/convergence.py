#!/usr/bin/env python3
"""Time from `kubectl apply` of a new SipDomain to that domain routable on every edge, and the S3
requests it costs.

usage: convergence.py KUBECTL KUBECONFIG EDGES REPS [IDLE_SECONDS]
Edges are the ones ./hack/local-up.sh runs (admin on 127.0.2.N:9090); "routable" is the edge's own
/lookup answer from its active routing table. S3 requests are counted by the S3 server itself
(SeaweedFS's request counters on 127.0.0.1:19327/metrics): everything the operator, the edges and their
litestream restores asked of the store. Prints each sample, the median and the worst, the requests per
promotion (a rep's requests less the idle rate over its length) and per idle hour, by request type.
"""
import re
import statistics
import subprocess
import sys
import time
import urllib.request

kubectl, kubeconfig, edges, reps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
idle_seconds = int(sys.argv[5]) if len(sys.argv) > 5 else 60
METRICS = "http://127.0.0.1:19327/metrics"


def s3_requests():
    """Requests served so far by type (GET, PUT, LIST, ...), from the server's own counters."""
    counts = {}
    with urllib.request.urlopen(METRICS, timeout=5) as resp:
        for line in resp.read().decode().splitlines():
            if line.startswith("#") or not line.startswith("SeaweedFS_s3_request_total"):
                continue
            labels = dict(re.findall(r'(\w+)="([^"]*)"', line))
            kind = labels.get("type", labels.get("action", "?"))
            counts[kind] = counts.get(kind, 0) + float(line.rsplit(" ", 1)[1])
    return counts


def delta(after, before):
    return {k: after.get(k, 0) - before.get(k, 0) for k in set(after) | set(before) if after.get(k, 0) != before.get(k, 0)}


run = f"{int(time.time())}"
samples = []
rep_requests = []
rep_seconds = []
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
    before = s3_requests()
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
        if time.monotonic() - start > 90:
            sys.exit(f"{domain} not routable on edges {sorted(pending)} after 90 s")
        time.sleep(0.01)
    took = time.monotonic() - start
    samples.append(took)
    print(f"edges={edges} rep {r:2d}: {took:.3f} s", flush=True)
    time.sleep(2.0)  # the operator's last pointer write and the edges' last reports land in this rep
    rep_requests.append(delta(s3_requests(), before))
    rep_seconds.append(time.monotonic() - start)
samples.sort()
print(f"RESULT edges={edges} reps={reps} median {statistics.median(samples):.3f} s, "
      f"worst {samples[-1]:.3f} s", flush=True)

# Idle: nothing changes; what polling, heartbeats and the operator's own looks cost.
time.sleep(5)
before = s3_requests()
time.sleep(idle_seconds)
idle = delta(s3_requests(), before)
per_hour = {k: v * 3600 / idle_seconds for k, v in idle.items()}
per_promotion = {}
for d, secs in zip(rep_requests, rep_seconds):
    for k in set(d) | set(per_hour):
        per_promotion[k] = per_promotion.get(k, 0) + (d.get(k, 0) - per_hour.get(k, 0) * secs / 3600) / len(rep_requests)
fmt = lambda m: ", ".join(f"{k} {max(v, 0):.0f}" for k, v in sorted(m.items())) or "none"
print(f"S3 edges={edges} idle requests per hour: total {sum(per_hour.values()):.0f} ({fmt(per_hour)})")
print(f"S3 edges={edges} requests per promotion: total {max(sum(per_promotion.values()), 0):.0f} ({fmt(per_promotion)})")
