package io.pbx3sbc.edge.sip;

import io.pbx3sbc.edge.sip.msg.SipMessage;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The strict parser and sanity checks, without a network: what gets through and why the rest does not. */
class MessageSanityTest {
    static final String GOOD = "INVITE sip:100@tenant1.example.com SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:a@example.org>;tag=1\r\n"
            + "To: <sip:100@tenant1.example.com>\r\n"
            + "Call-ID: c1\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "Content-Type: application/sdp\r\n"
            + "Content-Length: 5\r\n\r\n"
            + "v=0\r\n";

    private final List<String> reasons = new ArrayList<>();

    private SipMessage parse(String text) throws Exception {
        return new MessageCodec(reasons::add).parse(text.getBytes(StandardCharsets.ISO_8859_1), false);
    }

    @Test
    void aSaneRequestGetsThrough() throws Exception {
        assertThat(parse(GOOD)).isNotNull();
        assertThat(reasons).isEmpty();
    }

    @Test
    void keepalivesAreNeitherMessagesNorMalformed() throws Exception {
        assertThat(parse("\r\n\r\n")).isNull();
        assertThat(reasons).isEmpty();
    }

    private void assertDropped(String broken, String reason) throws Exception {
        assertThat(parse(broken)).as(broken).isNull();
        assertThat(reasons).as(broken).singleElement().asString().contains(reason);
        reasons.clear();
    }

    @Test
    void brokenRequestsAreDroppedWithAReason() throws Exception {
        assertDropped(GOOD.replace("Call-ID: c1\r\n", ""), "missing Call-ID");
        assertDropped(GOOD.replace("CSeq: 1 INVITE\r\n", ""), "missing CSeq");
        assertDropped(GOOD.replace("CSeq: 1 INVITE", "CSeq: 1 BYE"), "");
        assertDropped(GOOD.replace("Content-Length: 5", "Content-Length: 50"), "larger than the body");
        assertDropped(GOOD.replace("From: <sip", "From: \"Bob <sip"), "unterminated quoted display name");
        assertDropped(GOOD.replace("Max-Forwards: 70", "Max-Forwards: many"), "Max-Forwards is not a number");
        assertDropped(GOOD.replace("SIP/2.0/UDP", "SIP/3.0/UDP"), "bad Via protocol");
        assertDropped(GOOD.replace("INVITE sip:100@tenant1.example.com", "INVITE http://tenant1.example.com/"), "");
    }

    @Test
    void telRequestUrisAreLegalSipAndLeftToTheRouter() throws Exception {
        // The router drops them for having no domain; sanity has nothing against them.
        assertThat(parse(GOOD.replace("sip:100@tenant1.example.com SIP", "tel:+15551234 SIP"))).isNotNull();
        assertThat(reasons).isEmpty();
    }

    @Test
    void bodyLengthIsCountedAfterTheBlankLine() {
        assertThat(MessageCodec.bodyLength(GOOD.getBytes(StandardCharsets.ISO_8859_1))).isEqualTo(5);
        assertThat(MessageCodec.bodyLength("X\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1))).isZero();
    }
}
