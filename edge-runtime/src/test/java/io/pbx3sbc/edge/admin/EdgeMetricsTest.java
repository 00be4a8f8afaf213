package io.pbx3sbc.edge.admin;

import io.pbx3sbc.edge.admin.EdgeMetrics.Outcome;
import io.pbx3sbc.edge.routing.RouteDecision.DropReason;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EdgeMetricsTest {
    @Test
    void rendersPrometheusTextWithClosedLabelSets() {
        EdgeMetrics m = new EdgeMetrics();
        m.request("INVITE", Outcome.FORWARDED);
        m.request("INVITE", Outcome.FORWARDED);
        m.request("X-EVIL-METHOD-" + "A".repeat(50), Outcome.DROPPED); // a sender must not mint label values
        m.dropped(DropReason.UNKNOWN_DOMAIN);
        m.tenant("acme.voip.example.com", Outcome.FORWARDED);
        m.malformed();
        StringBuilder out = new StringBuilder();
        m.writeCounters(out);
        String text = out.toString();
        assertThat(text).contains("# TYPE pbx3sbc_edge_sip_requests_total counter\n")
                .contains("pbx3sbc_edge_sip_requests_total{method=\"INVITE\",outcome=\"forwarded\"} 2\n")
                .contains("pbx3sbc_edge_sip_requests_total{method=\"other\",outcome=\"dropped\"} 1\n")
                .contains("pbx3sbc_edge_sip_drops_total{reason=\"unknown_domain\"} 1\n")
                .contains("pbx3sbc_edge_tenant_requests_total{domain=\"acme.voip.example.com\",outcome=\"forwarded\"} 1\n")
                .contains("pbx3sbc_edge_sip_malformed_total 1\n")
                .doesNotContain("EVIL");
    }

    @Test
    void escapesLabelValues() {
        StringBuilder out = new StringBuilder();
        EdgeMetrics.sample(out, "m", "uri", "sip:a\"b\\c", null, null, 1);
        assertThat(out).hasToString("m{uri=\"sip:a\\\"b\\\\c\"} 1\n");
    }
}
