package io.pbx3sbc.edge.admin;

import io.pbx3sbc.edge.admin.EdgeMetrics.Outcome;
import io.pbx3sbc.edge.routing.RouteDecision.DropReason;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        Scrape out = new Scrape();
        m.writeCounters(out);
        String text = out.text();
        assertThat(text).contains("# TYPE pbx3sbc_edge_sip_requests_total counter\n")
                .contains("pbx3sbc_edge_sip_requests_total{method=\"INVITE\",outcome=\"forwarded\"} 2.0\n")
                .contains("pbx3sbc_edge_sip_requests_total{method=\"other\",outcome=\"dropped\"} 1.0\n")
                .contains("pbx3sbc_edge_sip_drops_total{reason=\"unknown_domain\"} 1.0\n")
                .contains("pbx3sbc_edge_tenant_requests_total{domain=\"acme.voip.example.com\",outcome=\"forwarded\"} 1.0\n")
                .contains("pbx3sbc_edge_sip_malformed_total 1.0\n")
                .doesNotContain("EVIL");
    }

    @Test
    void escapesLabelValuesAndKeepsGaugesApartFromCounters() {
        Scrape out = new Scrape();
        out.family("pbx3sbc_edge_destination_up", "1 when \"up\"", "gauge");
        out.sample("uri", "sip:a\"b\\c\nd", null, null, 1);
        out.single("pbx3sbc_edge_ready", "ready", "gauge", 0);
        assertThat(out.text()).contains("# TYPE pbx3sbc_edge_destination_up gauge\n")
                .contains("pbx3sbc_edge_destination_up{uri=\"sip:a\\\"b\\\\c\\nd\"} 1.0\n")
                .contains("pbx3sbc_edge_ready 0.0\n");
    }

    @Test
    void aSampleNeedsItsFamilyAndATypeItKnows() {
        assertThatThrownBy(() -> new Scrape().sample(null, null, null, null, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new Scrape().family("x", "y", "summary")).isInstanceOf(IllegalArgumentException.class);
    }
}
