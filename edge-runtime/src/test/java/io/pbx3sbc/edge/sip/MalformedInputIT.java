package io.pbx3sbc.edge.sip;

import io.pbx3sbc.edge.Edge;
import io.pbx3sbc.edge.EdgeConfig;
import io.pbx3sbc.routingdb.RoutingDbBuilder;
import io.pbx3sbc.routingdb.model.Algorithm;
import io.pbx3sbc.routingdb.model.Destination;
import io.pbx3sbc.routingdb.model.DispatcherSet;
import io.pbx3sbc.routingdb.model.Domain;
import io.pbx3sbc.routingdb.model.Probing;
import io.pbx3sbc.routingdb.model.RoutingModel;
import io.pbx3sbc.routingdb.testing.Fixtures;
import io.pbx3sbc.routingdb.testing.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A corpus of broken and torture-style messages (after RFC 4475, plus our own) sent over UDP and TCP
 * at a tenant domain whose only backend is a raw socket: the edge answers none of them, forwards none
 * of them, counts them, and keeps serving valid requests afterwards.
 */
class MalformedInputIT {
    static final String EDGE_IP = "127.0.4.1";
    static final String DOMAIN = "raw.example.com";

    @TempDir
    static Path work;
    static Edge edge;
    static InetSocketAddress edgeAddr;
    static SipWire.UdpPeer backend;

    @BeforeAll
    static void start() throws Exception {
        backend = new SipWire.UdpPeer("127.0.4.30", Ports.free());
        String backendUri = "sip:127.0.4.30:" + backend.address().getPort();
        RoutingModel model = new RoutingModel(List.of(new Domain(DOMAIN, 30, true, "", null)),
                List.of(new DispatcherSet(30, "raw", Algorithm.ROUND_ROBIN, Probing.DEFAULT,
                        List.of(new Destination(30, backendUri, 0, 0, 1, "")))));
        Path db = new RoutingDbBuilder().build(model, Fixtures.version(1), work.resolve("routing.db")).file();
        edgeAddr = new InetSocketAddress(EDGE_IP, Ports.free());
        edge = Edge.start(EdgeConfig.parse(new String[] {"--routing-db", db.toString(),
                "--sip-listen", EDGE_IP + ":" + edgeAddr.getPort(), "--admin-listen", "127.0.0.1:" + Ports.free(), "--admin-detail", "true",
                "--probing", "false"}, Map.of()));
    }

    @AfterAll
    static void stop() {
        if (edge != null) {
            edge.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    /** Name to message; each would be routed to the backend if the edge took it for a valid request. */
    static Map<String, byte[]> corpus(InetSocketAddress from, String transport) {
        String via = "Via: SIP/2.0/" + transport + " " + from.getHostString() + ":" + from.getPort() + ";branch=z9hG4bK-m";
        String ruri = "sip:100@" + DOMAIN;
        String common = "From: <sip:a@example.org>;tag=1\r\nTo: <" + ruri + ">\r\nMax-Forwards: 70\r\n";
        Map<String, String> m = new LinkedHashMap<>();
        m.put("request line only", "INVITE " + ruri + " SIP/2.0\r\n\r\n");
        m.put("no Call-ID", "INVITE " + ruri + " SIP/2.0\r\n" + via + "1\r\n" + common + "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
        m.put("no CSeq", "INVITE " + ruri + " SIP/2.0\r\n" + via + "2\r\n" + common + "Call-ID: m2\r\nContent-Length: 0\r\n\r\n");
        m.put("no Via", "INVITE " + ruri + " SIP/2.0\r\n" + common + "Call-ID: m3\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
        m.put("no From", "INVITE " + ruri + " SIP/2.0\r\n" + via + "4\r\nTo: <" + ruri + ">\r\nCall-ID: m4\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
        m.put("CSeq method differs", "INVITE " + ruri + " SIP/2.0\r\n" + via + "5\r\n" + common + "Call-ID: m5\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n");
        m.put("CSeq number too large", "INVITE " + ruri + " SIP/2.0\r\n" + via + "6\r\n" + common + "Call-ID: m6\r\nCSeq: 99999999999 INVITE\r\nContent-Length: 0\r\n\r\n");
        m.put("unknown SIP version", "INVITE " + ruri + " SIP/7.0\r\n" + via + "7\r\n" + common + "Call-ID: m7\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
        m.put("Content-Length beyond the body", "INVITE " + ruri + " SIP/2.0\r\n" + via + "8\r\n" + common + "Call-ID: m8\r\nCSeq: 1 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: 500\r\n\r\nv=0\r\n");
        m.put("negative Content-Length", "INVITE " + ruri + " SIP/2.0\r\n" + via + "9\r\n" + common + "Call-ID: m9\r\nCSeq: 1 INVITE\r\nContent-Length: -5\r\n\r\n");
        m.put("Via without host", "INVITE " + ruri + " SIP/2.0\r\nVia: SIP/2.0/UDP ;branch=z9hG4bK-x\r\n" + common + "Call-ID: m10\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
        m.put("Request-URI not SIP", "INVITE http://" + DOMAIN + "/ SIP/2.0\r\n" + via + "11\r\n" + common + "Call-ID: m11\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
        m.put("Request-URI without host", "INVITE sip:100@ SIP/2.0\r\n" + via + "12\r\n" + common + "Call-ID: m12\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
        m.put("unterminated quote in From", "INVITE " + ruri + " SIP/2.0\r\n" + via + "13\r\nFrom: \"Bob <sip:b@example.org>;tag=1\r\nTo: <" + ruri + ">\r\nCall-ID: m13\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
        m.put("Max-Forwards not a number", "INVITE " + ruri + " SIP/2.0\r\n" + via + "14\r\nFrom: <sip:a@example.org>;tag=1\r\nTo: <" + ruri + ">\r\nMax-Forwards: lots\r\nCall-ID: m14\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
        m.put("Expires not a number", "REGISTER sip:" + DOMAIN + " SIP/2.0\r\n" + via + "15\r\nFrom: <sip:a@" + DOMAIN + ">;tag=1\r\nTo: <sip:a@" + DOMAIN + ">\r\nCall-ID: m15\r\nCSeq: 1 REGISTER\r\nExpires: soon\r\nContent-Length: 0\r\n\r\n");
        m.put("broken To URI", "INVITE " + ruri + " SIP/2.0\r\n" + via + "16\r\nFrom: <sip:a@example.org>;tag=1\r\nTo: <sip:@>\r\nCall-ID: m16\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
        m.put("NUL bytes in a header", "INVITE " + ruri + " SIP/2.0\r\n" + via + "17\r\n" + common + "Call-ID: m\0\0" + "17\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
        m.put("garbage in Via transport", "INVITE " + ruri + " SIP/2.0\r\nVia: SIP/2.0/U@P " + from.getHostString() + ";branch=z9hG4bK-18\r\n" + common + "Call-ID: m18\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
        m.put("bad Via protocol version", "INVITE " + ruri + " SIP/2.0\r\nVia: SIP/3.0/" + transport + " " + from.getHostString() + ":" + from.getPort() + ";branch=z9hG4bK-19\r\n" + common + "Call-ID: m19\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
        m.put("method with spaces", "INV ITE " + ruri + " SIP/2.0\r\n" + via + "20\r\n" + common + "Call-ID: m20\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
        m.put("stray response", "SIP/2.0 200 OK\r\n" + via + "21\r\n" + common + "Call-ID: m21\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
        m.put("status code out of range", "SIP/2.0 999999 Weird\r\n" + via + "22\r\n" + common + "Call-ID: m22\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n");
        m.put("HTTP request", "GET / HTTP/1.1\r\nHost: " + DOMAIN + "\r\n\r\n");
        Map<String, byte[]> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.getBytes(StandardCharsets.ISO_8859_1)));
        byte[] noise = new byte[900];
        new Random(4475).nextBytes(noise);
        out.put("random bytes", noise);
        out.put("oversized header", ("INVITE " + ruri + " SIP/2.0\r\n" + via + "23\r\n" + common + "Call-ID: m23\r\nCSeq: 1 INVITE\r\nX-Junk: "
                + "A".repeat(70_000) + "\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        return out;
    }

    @Test
    void malformedUdpIsNeitherAnsweredNorForwardedAndTheEdgeKeepsServing() throws Exception {
        try (SipWire.UdpPeer caller = new SipWire.UdpPeer("127.0.0.1")) {
            long malformedBefore = edge.metrics().malformedCount();
            List<String> answered = new ArrayList<>();
            int sent = 0;
            for (var e : corpus(caller.address(), "UDP").entrySet()) {
                if (e.getValue().length > 65_000) {
                    continue; // cannot be one datagram; covered over TCP
                }
                caller.send(e.getValue(), edgeAddr);
                sent++;
                caller.next(300).ifPresent(reply -> answered.add(e.getKey() + " -> " + reply.lines().findFirst().orElse("")));
            }
            assertThat(answered).as("malformed messages must get no answer").isEmpty();
            assertThat(backend.nextRequest(500)).as("and must never reach a backend").isEmpty();
            // Counted as malformed: all but the two stray responses (dropped as answers to nothing) and the
            // unknown SIP version and NUL-byte cases, which JAIN-SIP's transport discards before parsing.
            assertThat(edge.metrics().malformedCount() - malformedBefore).isGreaterThanOrEqualTo(sent - 4);

            assertValidTrafficStillServed(caller);
        }
    }

    @Test
    void malformedTcpIsNeitherAnsweredNorForwarded() throws Exception {
        InetSocketAddress from = new InetSocketAddress("127.0.0.1", 5060);
        List<String> answered = new ArrayList<>();
        for (var e : corpus(from, "TCP").entrySet()) {
            SipWire.overTcp(e.getValue(), edgeAddr, 300)
                    .ifPresent(reply -> answered.add(e.getKey() + " -> " + reply.lines().findFirst().orElse("")));
        }
        assertThat(answered).as("malformed messages over TCP must get no answer").isEmpty();
        assertThat(backend.nextRequest(500)).isEmpty();
        // A valid keepalive over TCP still gets its 200.
        String options = SipWire.request("OPTIONS", "sip:" + EDGE_IP + ":" + edgeAddr.getPort(),
                "sip:" + EDGE_IP + ":" + edgeAddr.getPort(), null, 70, "lb", from, "TCP", List.of());
        assertThat(SipWire.overTcp(options.getBytes(StandardCharsets.ISO_8859_1), edgeAddr, 3000))
                .hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 200"));
    }

    private static void assertValidTrafficStillServed(SipWire.UdpPeer caller) throws Exception {
        caller.send(SipWire.request("OPTIONS", "sip:" + EDGE_IP + ":" + edgeAddr.getPort(),
                "sip:" + EDGE_IP + ":" + edgeAddr.getPort(), null, 70, "lb", caller.address(), "UDP", List.of()), edgeAddr);
        assertThat(caller.next(2000)).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 200"));
        caller.send(SipWire.request("INVITE", "sip:100@" + DOMAIN, "sip:100@" + DOMAIN, null, 70, "pbx",
                caller.address(), "UDP", List.of()), edgeAddr);
        String invite = backend.nextRequest(3000).orElseThrow(() -> new AssertionError("a valid INVITE was not relayed"));
        assertThat(invite).startsWith("INVITE sip:100@" + DOMAIN);
        backend.send(SipWire.okFor(invite), edgeAddr);
        assertThat(caller.nextFinal(3000)).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 200"));
    }
}
