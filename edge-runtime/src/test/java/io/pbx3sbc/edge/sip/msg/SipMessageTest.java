package io.pbx3sbc.edge.sip.msg;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SipMessageTest {
    static final String INVITE = "INVITE sip:100@tenant.example.com SIP/2.0\r\n"
            + "v: SIP/2.0/UDP 203.0.113.5:5062;branch=z9hG4bK-1, SIP / 2.0 / TCP [2001:db8::1]:5080;branch=z9hG4bK-0\r\n"
            + "Max-Forwards: 70\r\n"
            + "f: \"Alice \\\"A\\\"\" <sip:alice@tenant.example.com>;tag=a1\r\n"
            + "t: <sip:100@tenant.example.com>\r\n"
            + "i: c1@host\r\n"
            + "CSeq: 7 INVITE\r\n"
            + "m: <sip:alice@203.0.113.5:5062;transport=udp>\r\n"
            + "Route: <sip:192.0.2.1;lr>,\r\n <sip:192.0.2.2;lr>\r\n"
            + "Subject: folded\r\n\tline\r\n"
            + "Content-Type: application/sdp\r\n"
            + "Content-Length: 5\r\n\r\n"
            + "v=0\r\n";

    static SipMessage parse(String s) {
        return SipMessage.parse(s.getBytes(StandardCharsets.ISO_8859_1), false);
    }

    @Test
    void readsWhatTheEdgeNeedsFromCompactFormsListsAndFoldedLines() {
        SipMessage m = parse(INVITE);
        assertThat(m.isRequest()).isTrue();
        assertThat(m.method()).isEqualTo("INVITE");
        assertThat(m.requestUri().hostName()).isEqualTo("tenant.example.com");
        assertThat(m.vias()).hasSize(2);
        assertThat(m.topVia().branch()).isEqualTo("z9hG4bK-1");
        assertThat(m.topVia().port()).isEqualTo(5062);
        assertThat(m.vias().get(1).host()).isEqualTo("[2001:db8::1]");
        assertThat(m.vias().get(1).transport()).isEqualTo("TCP");
        assertThat(m.from().tag()).isEqualTo("a1");
        assertThat(m.to().tag()).isNull();
        assertThat(m.callId()).isEqualTo("c1@host");
        assertThat(m.cseqNumber()).isEqualTo(7);
        assertThat(m.values("Route")).containsExactly("<sip:192.0.2.1;lr>", "<sip:192.0.2.2;lr>");
        assertThat(m.value("Subject")).isEqualTo("folded line");
        assertThat(m.contactUri().portOrDefault()).isEqualTo(5062);
        assertThat(new String(m.body(), StandardCharsets.ISO_8859_1)).isEqualTo("v=0\r\n");
    }

    @Test
    void aRelayedCopyIsEditedWithoutTouchingTheOriginalAndWrittenOutOnce() {
        SipMessage m = parse(INVITE);
        m.setTopVia(m.topVia().received("198.51.100.9", 40000));
        SipMessage out = m.copy();
        out.removeAll("Route");
        out.set("Max-Forwards", "69");
        out.prepend("Record-Route", "<sip:192.0.2.10;lr>");
        out.prepend("Via", ViaHop.ours("UDP", "192.0.2.10", 5060, "z9hG4bKr1").toString());
        String text = new String(out.encode(), StandardCharsets.ISO_8859_1);
        assertThat(text).startsWith("INVITE sip:100@tenant.example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKr1;rport\r\n"
                + "Record-Route: <sip:192.0.2.10;lr>\r\n"
                + "Via: SIP/2.0/UDP 203.0.113.5:5062;branch=z9hG4bK-1;received=198.51.100.9;rport=40000\r\n");
        assertThat(text).contains("Max-Forwards: 69\r\n").doesNotContain("\nRoute:").endsWith("\r\n\r\nv=0\r\n");
        assertThat(m.values("Route")).hasSize(2);
        SipMessage again = SipMessage.parse(out.encode(), false);
        assertThat(again.vias()).hasSize(3);
    }

    @Test
    void answersCancelsAndAcksCarryTheRightHeaders() {
        SipMessage m = parse(INVITE);
        SipMessage r = m.response(486, "Busy Here", "e1").withEmptyBody();
        String text = r.toString();
        assertThat(text).startsWith("SIP/2.0 486 Busy Here\r\nVia: SIP/2.0/UDP 203.0.113.5:5062;branch=z9hG4bK-1\r\n")
                .contains("To: <sip:100@tenant.example.com>;tag=e1\r\n").contains("CSeq: 7 INVITE\r\n").endsWith("Content-Length: 0\r\n\r\n");
        SipMessage cancel = m.cancel();
        assertThat(cancel.toString()).startsWith("CANCEL sip:100@tenant.example.com SIP/2.0\r\n").contains("CSeq: 7 CANCEL\r\n")
                .contains("Route: <sip:192.0.2.1;lr>\r\nRoute: <sip:192.0.2.2;lr>\r\n");
        SipMessage ack = m.ackFor(SipMessage.parse(r.encode(), true));
        assertThat(ack.toString()).contains("To: <sip:100@tenant.example.com>;tag=e1\r\n").contains("CSeq: 7 ACK\r\n");
    }

    /** {name, text to replace, replacement}: each turns the good INVITE into a broken one. */
    static final List<String[]> BROKEN = List.of(
            new String[] {"no Via", "v: SIP/2.0/UDP", "X-V: SIP/2.0/UDP"},
            new String[] {"bad Via protocol", "v: SIP/2.0/UDP", "v: SIP/3.0/UDP"},
            new String[] {"Via transport garbage", "v: SIP/2.0/UDP", "v: SIP/2.0/U@P"},
            new String[] {"Via without host", "SIP/2.0/UDP 203.0.113.5:5062;", "SIP/2.0/UDP ;"},
            new String[] {"Via port out of range", "203.0.113.5:5062;", "203.0.113.5:99999;"},
            new String[] {"CSeq method differs", "CSeq: 7 INVITE", "CSeq: 7 BYE"},
            new String[] {"CSeq too large", "CSeq: 7 INVITE", "CSeq: 99999999999 INVITE"},
            new String[] {"no Call-ID", "i: c1@host", "X-Call: c1"},
            new String[] {"Max-Forwards not a number", "Max-Forwards: 70", "Max-Forwards: lots"},
            new String[] {"Content-Length beyond the body", "Content-Length: 5", "Content-Length: 500"},
            new String[] {"negative Content-Length", "Content-Length: 5", "Content-Length: -5"},
            new String[] {"unterminated quote", "f: \"Alice \\\"A\\\"\" <sip:", "f: \"Bob <sip:"},
            new String[] {"unclosed angle bracket", "t: <sip:100@tenant.example.com>", "t: <sip:100@tenant.example.com"},
            new String[] {"To without host", "t: <sip:100@tenant.example.com>", "t: <sip:@>"},
            new String[] {"Request-URI not sip", "INVITE sip:100@tenant.example.com", "INVITE http://tenant.example.com/"},
            new String[] {"Request-URI without host", "INVITE sip:100@tenant.example.com", "INVITE sip:100@"},
            new String[] {"method with a space", "INVITE sip:100@tenant.example.com SIP/2.0", "INV ITE sip:100@tenant.example.com SIP/2.0"},
            new String[] {"Expires not a number", "Max-Forwards: 70", "Max-Forwards: 70\r\nExpires: soon"},
            new String[] {"quoted URI parameter in Route", "Route: <sip:192.0.2.1;lr>", "Route: <sip:192.0.2.1;lr;bad=\"q\">"});

    @Test
    void brokenMessagesAreRefused() {
        for (String[] b : BROKEN) {
            String broken = INVITE.replace(b[1], b[2]);
            assertThat(broken).as(b[0] + ": the test changes something").isNotEqualTo(INVITE);
            assertThatThrownBy(() -> parse(broken)).as(b[0]).isInstanceOf(MalformedMessageException.class);
        }
    }

    @Test
    void responsesNeedAThreeDigitStatusInRange() {
        String ok = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKr1\r\nFrom: <sip:a@b>;tag=1\r\n"
                + "To: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
        assertThat(parse(ok).status()).isEqualTo(200);
        for (String bad : List.of("SIP/2.0 999999 Weird", "SIP/2.0 099 Low", "SIP/2.0 20 Short")) {
            assertThatThrownBy(() -> parse(ok.replace("SIP/2.0 200 OK", bad))).as(bad).isInstanceOf(MalformedMessageException.class);
        }
    }

    @Test
    void telAndSipsUrisAreUris() {
        assertThat(SipUri.parse("tel:+15551234").isSip()).isFalse();
        assertThat(SipUri.parse("sips:bob@example.com").portOrDefault()).isEqualTo(5061);
        assertThat(SipUri.parse("sip:[2001:db8::2]:5070;transport=TCP").transport()).isEqualTo("tcp");
        assertThat(SipUri.parse("sip:[2001:db8::2]:5070").hostName()).isEqualTo("2001:db8::2");
    }
}
