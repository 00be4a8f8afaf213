package io.pbx3sbc.routingdb.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class SipUriTest {
    @ParameterizedTest
    @CsvSource({
            "sip:10.0.1.10:5060, 10.0.1.10, 5060, udp",
            "sip:10.0.1.10, 10.0.1.10, 5060, udp",
            "sips:pbx.example.com, pbx.example.com, 5061, tls",
            "sip:asterisk-0.pbx.svc.cluster.local:5080;transport=tcp, asterisk-0.pbx.svc.cluster.local, 5080, tcp",
            "sip:[2001:db8::1]:5060, [2001:db8::1], 5060, udp",
    })
    void parsesDestinationUris(String text, String host, int port, String transport) {
        SipUri uri = SipUri.parse(text);
        assertThat(uri.host()).isEqualTo(host);
        assertThat(uri.port()).isEqualTo(port);
        assertThat(uri.transport()).isEqualTo(transport);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.1.10:5060", "http://10.0.1.10/", "sip:", "sip:10.0.1.10:99999",
            "sip:300.1.1.1", "sip:user@10.0.1.10", "sip:10.0.1.10;transport=carrier-pigeon", "sip:host name",
            "sip:10.0.1.10?X-Header=1"})
    void refusesWhatIsNotADestination(String text) {
        assertThat(SipUri.isValid(text)).isFalse();
    }
}
