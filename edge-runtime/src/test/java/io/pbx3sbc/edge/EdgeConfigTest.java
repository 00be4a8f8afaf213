package io.pbx3sbc.edge;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EdgeConfigTest {
    @Test
    void defaultsAreTheSeedsAndTheAdvertisedAddressFollowsTheListenAddress() {
        EdgeConfig c = EdgeConfig.parse(new String[] {"--routing-db", "/data/routing.db", "--edge-id", "e1"}, Map.of());
        assertThat(c.routingDb()).isEqualTo(Path.of("/data/routing.db"));
        assertThat(c.sipListen()).isEqualTo(new HostPort("0.0.0.0", 5060));
        assertThat(c.advertised()).isEqualTo(c.sipListen());
        assertThat(c.frTimer()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.frInvTimer()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.scannerUserAgents()).isEqualTo("sipvicious|friendly-scanner|sipcli|nmap");
        assertThat(c.requireRequestUriMatchesTo()).isTrue();
        assertThat(c.probing()).isTrue();
    }

    @Test
    void flagsWinOverTheEnvironmentAndBothForms() {
        EdgeConfig c = EdgeConfig.parse(new String[] {"--sip-listen=127.0.0.5:5070", "--advertised-address", "sip.example.com",
                "--fr-timer", "1500ms"}, Map.of("EDGE_ROUTING_DB", "/r.db", "EDGE_SIP_LISTEN", "10.0.0.1:5060",
                "EDGE_EDGE_ID", "pod-1", "EDGE_PROBING", "false"));
        assertThat(c.routingDb()).isEqualTo(Path.of("/r.db"));
        assertThat(c.sipListen()).isEqualTo(new HostPort("127.0.0.5", 5070));
        assertThat(c.advertised()).isEqualTo(new HostPort("sip.example.com", 5060));
        assertThat(c.frTimer()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.edgeId()).isEqualTo("pod-1");
        assertThat(c.probing()).isFalse();
    }

    @Test
    void badInputSaysWhatIsWrong() {
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {}, Map.of()))
                .isInstanceOf(EdgeConfig.UsageException.class).hasMessageContaining("--routing-db");
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--routing-db", "x", "--sip-listen", "host:99999"}, Map.of()))
                .hasMessageContaining("port must be 1..65535");
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--routing-db", "x", "--fr-timer", "soon"}, Map.of()))
                .hasMessageContaining("--fr-timer must look like");
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--routing-db", "x", "--colour", "blue"}, Map.of()))
                .hasMessageContaining("unknown option --colour");
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--routing-db"}, Map.of()))
                .hasMessageContaining("needs a value");
        assertThatThrownBy(() -> EdgeConfig.parse(new String[] {"--routing-db", "x", "--probing", "maybe"}, Map.of()))
                .hasMessageContaining("true or false");
    }

    @Test
    void hostPortReadsIpv6InBrackets() {
        assertThat(HostPort.parse("[::1]:5080", 5060)).isEqualTo(new HostPort("::1", 5080));
        assertThat(HostPort.parse("[::1]", 5060)).isEqualTo(new HostPort("::1", 5060));
        assertThat(new HostPort("::1", 5080)).hasToString("[::1]:5080");
    }

    @Test
    void usageListsEveryFlagWithItsVariable() {
        assertThat(EdgeConfig.usage()).contains("--routing-db", "--sip-listen", "--advertised-address", "--admin-listen",
                "EDGE_ADVERTISED_ADDRESS", "--help");
    }
}
