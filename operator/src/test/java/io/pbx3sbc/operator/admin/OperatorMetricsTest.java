package io.pbx3sbc.operator.admin;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class OperatorMetricsTest {
    @Test
    void rendersCountersGaugesAndThePublishHistogramAsPrometheusText() {
        OperatorMetrics m = new OperatorMetrics();
        m.published("edge", Duration.ofMillis(40));
        m.published("edge", Duration.ofMillis(700));
        m.published("edge", Duration.ofSeconds(45));
        m.publishFailed("edge");
        m.nudged(10, 9);
        m.versions("edge", 7L, null);
        m.statusWritesPending(() -> 12);

        String text = m.render();
        assertThat(text)
                .contains("pbx3sbc_operator_versions_published_total{fleet=\"edge\"} 3.0\n")
                .contains("pbx3sbc_operator_publish_failures_total{fleet=\"edge\"} 1.0\n")
                .contains("pbx3sbc_operator_edge_nudges_total{outcome=\"answered\"} 9.0\n")
                .contains("pbx3sbc_operator_edge_nudges_total{outcome=\"unanswered\"} 1.0\n")
                .contains("pbx3sbc_operator_active_version{fleet=\"edge\"} 7.0\n")
                .contains("pbx3sbc_operator_candidate_version{fleet=\"edge\"} 0.0\n")
                .contains("pbx3sbc_operator_status_writes_pending 12.0\n")
                .contains("# TYPE pbx3sbc_operator_publish_seconds histogram\n")
                // cumulative: 40 ms is under 0.05 s, 700 ms under 1 s, 45 s only under +Inf
                .contains("pbx3sbc_operator_publish_seconds_bucket{le=\"0.05\"} 1\n")
                .contains("pbx3sbc_operator_publish_seconds_bucket{le=\"0.5\"} 1\n")
                .contains("pbx3sbc_operator_publish_seconds_bucket{le=\"1.0\"} 2\n")
                .contains("pbx3sbc_operator_publish_seconds_bucket{le=\"30.0\"} 2\n")
                .contains("pbx3sbc_operator_publish_seconds_bucket{le=\"+Inf\"} 3\n")
                .contains("pbx3sbc_operator_publish_seconds_count 3\n");
        m.forget("edge");
        assertThat(m.render()).doesNotContain("pbx3sbc_operator_active_version{");
    }
}
