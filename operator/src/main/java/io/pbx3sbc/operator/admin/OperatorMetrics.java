package io.pbx3sbc.operator.admin;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The operator's Prometheus metrics, rendered as text exposition format 0.0.4. Reconcile counts come
 * from JOSDK's {@link Metrics} hooks; publish outcomes from the EdgeFleet reconciler. Label values are
 * kinds, fleet names and fixed results, never free text.
 */
public final class OperatorMetrics implements Metrics {
    private static final double[] PUBLISH_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30};

    private final Map<String, LongAdder> reconciles = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> published = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> publishFailures = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> candidate = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> active = new ConcurrentHashMap<>();
    private final LongAdder[] publishBuckets = new LongAdder[PUBLISH_BUCKETS.length];
    private final LongAdder publishCount = new LongAdder();
    /** Edge nudges by outcome: answered (the edge looked), unanswered (down, unreachable, or no address). */
    private final Map<String, LongAdder> nudges = new ConcurrentHashMap<>();
    private final AtomicLong publishNanosSum = new AtomicLong();
    private volatile java.util.function.IntSupplier statusWritesPending = () -> 0;

    public OperatorMetrics() {
        for (int i = 0; i < publishBuckets.length; i++) {
            publishBuckets[i] = new LongAdder();
        }
    }

    @Override
    public void reconcileCustomResource(HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
        reconciles.computeIfAbsent(resource.getKind(), k -> new LongAdder()).increment();
    }

    @Override
    public void failedReconciliation(HasMetadata resource, Exception exception, Map<String, Object> metadata) {
        failures.computeIfAbsent(resource.getKind(), k -> new LongAdder()).increment();
    }

    /** A version was published for {@code fleet}; {@code took} from the start of the reconcile that compiled it. */
    public void published(String fleet, Duration took) {
        published.computeIfAbsent(fleet, k -> new LongAdder()).increment();
        double seconds = took.toNanos() / 1e9;
        for (int i = 0; i < PUBLISH_BUCKETS.length; i++) {
            if (seconds <= PUBLISH_BUCKETS[i]) {
                publishBuckets[i].increment();
            }
        }
        publishCount.increment();
        publishNanosSum.addAndGet(took.toNanos());
    }

    public void nudged(int nudged, int answered) {
        nudges.computeIfAbsent("answered", k -> new LongAdder()).add(answered);
        nudges.computeIfAbsent("unanswered", k -> new LongAdder()).add(nudged - answered);
    }

    public void publishFailed(String fleet) {
        publishFailures.computeIfAbsent(fleet, k -> new LongAdder()).increment();
    }

    public void versions(String fleet, Long activeVersion, Long candidateVersion) {
        active.computeIfAbsent(fleet, k -> new AtomicLong()).set(activeVersion == null ? 0 : activeVersion);
        candidate.computeIfAbsent(fleet, k -> new AtomicLong()).set(candidateVersion == null ? 0 : candidateVersion);
    }

    public void statusWritesPending(java.util.function.IntSupplier pending) {
        this.statusWritesPending = pending;
    }

    public void forget(String fleet) {
        active.remove(fleet);
        candidate.remove(fleet);
    }

    public String render() {
        StringBuilder b = new StringBuilder();
        counter(b, "pbx3sbc_operator_reconciles_total", "Reconciles started, by kind.", "kind", reconciles);
        counter(b, "pbx3sbc_operator_reconcile_failures_total", "Reconciles that threw (and will be retried), by kind.", "kind", failures);
        counter(b, "pbx3sbc_operator_versions_published_total", "Routing versions published, by fleet.", "fleet", published);
        counter(b, "pbx3sbc_operator_publish_failures_total", "Publishes that failed (S3 or signing), by fleet.", "fleet", publishFailures);
        counter(b, "pbx3sbc_operator_edge_nudges_total", "Edges told to look at a new release pointer, by outcome.", "outcome", nudges);
        gauge(b, "pbx3sbc_operator_active_version", "Active routing version in the release pointer (0: none).", active);
        gauge(b, "pbx3sbc_operator_candidate_version", "Candidate routing version in the release pointer (0: none).", candidate);
        b.append("# HELP pbx3sbc_operator_status_writes_pending SipDomain and DispatcherSet status writes queued.\n")
                .append("# TYPE pbx3sbc_operator_status_writes_pending gauge\n")
                .append("pbx3sbc_operator_status_writes_pending ").append(statusWritesPending.getAsInt()).append('\n');
        b.append("# HELP pbx3sbc_operator_publish_seconds From the start of a reconcile to its version published.\n")
                .append("# TYPE pbx3sbc_operator_publish_seconds histogram\n");
        for (int i = 0; i < PUBLISH_BUCKETS.length; i++) {
            b.append("pbx3sbc_operator_publish_seconds_bucket{le=\"").append(PUBLISH_BUCKETS[i]).append("\"} ")
                    .append(publishBuckets[i].sum()).append('\n');
        }
        b.append("pbx3sbc_operator_publish_seconds_bucket{le=\"+Inf\"} ").append(publishCount.sum()).append('\n')
                .append("pbx3sbc_operator_publish_seconds_sum ").append(publishNanosSum.get() / 1e9).append('\n')
                .append("pbx3sbc_operator_publish_seconds_count ").append(publishCount.sum()).append('\n');
        return b.toString();
    }

    private static void counter(StringBuilder b, String name, String help, String label, Map<String, LongAdder> values) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" counter\n");
        new TreeMap<>(values).forEach((k, v) -> b.append(name).append('{').append(label).append("=\"").append(k)
                .append("\"} ").append(v.sum()).append('\n'));
    }

    private static void gauge(StringBuilder b, String name, String help, Map<String, AtomicLong> values) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(" gauge\n");
        new TreeMap<>(values).forEach((k, v) -> b.append(name).append("{fleet=\"").append(k).append("\"} ")
                .append(v.get()).append('\n'));
    }
}
