package io.pbx3sbc.operator.admin;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The operator's Prometheus metrics, rendered as text exposition format 0.0.4 by the Prometheus Java client. Reconcile counts come
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

    /** The metrics as Prometheus text (format 0.0.4), written by the Prometheus Java client's writer. */
    public String render() {
        MetricSnapshots.Builder m = MetricSnapshots.builder()
                .metricSnapshot(counter("pbx3sbc_operator_reconciles_total", "Reconciles started, by kind.", "kind", reconciles))
                .metricSnapshot(counter("pbx3sbc_operator_reconcile_failures_total", "Reconciles that threw (and will be retried), by kind.", "kind", failures))
                .metricSnapshot(counter("pbx3sbc_operator_versions_published_total", "Routing versions published, by fleet.", "fleet", published))
                .metricSnapshot(counter("pbx3sbc_operator_publish_failures_total", "Publishes that failed (S3 or signing), by fleet.", "fleet", publishFailures))
                .metricSnapshot(counter("pbx3sbc_operator_edge_nudges_total", "Edges told to look at a new release pointer, by outcome.", "outcome", nudges))
                .metricSnapshot(gauge("pbx3sbc_operator_active_version", "Active routing version in the release pointer (0: none).", active))
                .metricSnapshot(gauge("pbx3sbc_operator_candidate_version", "Candidate routing version in the release pointer (0: none).", candidate))
                .metricSnapshot(GaugeSnapshot.builder().name("pbx3sbc_operator_status_writes_pending")
                        .help("SipDomain and DispatcherSet status writes queued.")
                        .dataPoint(GaugeDataPointSnapshot.builder().value(statusWritesPending.getAsInt()).build()).build());
        // the buckets are kept cumulative; the model takes each bucket's own count
        long[] own = new long[PUBLISH_BUCKETS.length + 1];
        long below = 0;
        for (int i = 0; i < PUBLISH_BUCKETS.length; i++) {
            long cumulative = publishBuckets[i].sum();
            own[i] = cumulative - below;
            below = cumulative;
        }
        own[PUBLISH_BUCKETS.length] = publishCount.sum() - below;
        double[] bounds = java.util.Arrays.copyOf(PUBLISH_BUCKETS, PUBLISH_BUCKETS.length + 1);
        bounds[PUBLISH_BUCKETS.length] = Double.POSITIVE_INFINITY;
        m.metricSnapshot(HistogramSnapshot.builder().name("pbx3sbc_operator_publish_seconds")
                .help("From the start of a reconcile to its version published.")
                .dataPoint(HistogramDataPointSnapshot.builder().classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, own))
                        .sum(publishNanosSum.get() / 1e9).build()).build());
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try {
            PrometheusTextFormatWriter.create().write(out, m.build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static CounterSnapshot counter(String name, String help, String label, Map<String, LongAdder> values) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        values.forEach((k, v) -> b.dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of(label, k)).value(v.sum()).build()));
        return b.build();
    }

    private static GaugeSnapshot gauge(String name, String help, Map<String, AtomicLong> values) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        values.forEach((k, v) -> b.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("fleet", k)).value(v.get()).build()));
        return b.build();
    }
}
