package io.pbx3sbc.edge.admin;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * One answer to {@code /metrics}: the edge reads its counters and gauges where they live (LongAdders on
 * the hot path, the routing table, the transports) and hands them over family by family; the Prometheus
 * Java client's model and text writer do the exposition (format 0.0.4: names, escaping, numbers).
 */
public final class Scrape {
    private final MetricSnapshots.Builder families = MetricSnapshots.builder();
    private CounterSnapshot.Builder counter;
    private GaugeSnapshot.Builder gauge;

    /** Starts a family; {@code type} is "counter" or "gauge". The samples that follow belong to it. */
    public void family(String name, String help, String type) {
        close();
        switch (type) {
            case "counter" -> counter = CounterSnapshot.builder().name(name).help(help);
            case "gauge" -> gauge = GaugeSnapshot.builder().name(name).help(help);
            default -> throw new IllegalArgumentException("no metric type " + type);
        }
    }

    /** A sample of the family started last, with up to two labels (a null name: no label). */
    public void sample(String k1, String v1, String k2, String v2, double value) {
        Labels labels = k1 == null ? Labels.EMPTY : k2 == null ? Labels.of(k1, v1) : Labels.of(k1, v1, k2, v2);
        if (counter != null) {
            counter.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build());
        } else if (gauge != null) {
            gauge.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
        } else {
            throw new IllegalStateException("a sample before its family");
        }
    }

    /** A family of one unlabelled sample. */
    public void single(String name, String help, String type, double value) {
        family(name, help, type);
        sample(null, null, null, null, value);
    }

    public String text() {
        close();
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            PrometheusTextFormatWriter.create().write(out, families.build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private void close() {
        if (counter != null) {
            families.metricSnapshot(counter.build());
        }
        if (gauge != null) {
            families.metricSnapshot(gauge.build());
        }
        counter = null;
        gauge = null;
    }
}
