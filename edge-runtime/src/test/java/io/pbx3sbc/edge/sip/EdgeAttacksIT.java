package io.pbx3sbc.edge.sip;

import io.pbx3sbc.edge.Edge;
import io.pbx3sbc.edge.EdgeConfig;
import io.pbx3sbc.edge.routing.RouteDecision.DropReason;
import io.pbx3sbc.routingdb.RoutingDbBuilder;
import io.pbx3sbc.routingdb.model.Algorithm;
import io.pbx3sbc.routingdb.model.Destination;
import io.pbx3sbc.routingdb.model.DispatcherSet;
import io.pbx3sbc.routingdb.model.Domain;
import io.pbx3sbc.routingdb.model.Probing;
import io.pbx3sbc.routingdb.model.RoutingModel;
import io.pbx3sbc.routingdb.testing.Fixtures;
import io.pbx3sbc.routingdb.testing.LocalProcess;
import io.pbx3sbc.routingdb.testing.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Attacks on the edge written from the outside, with raw UDP and TCP from loopback addresses (one of
 * them the backend's own address), while sipp keeps placing legitimate calls: the edge must relay
 * nothing it should not and keep routing. Limits are set low so each attack trips them in seconds.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EdgeAttacksIT {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final String EDGE_IP = "127.0.8.1";
    static final String DOMAIN = "tenant.example.com";
    static final int FLOOD_LIMIT = 300;

    @TempDir
    static Path work;
    static Edge edge;
    static InetSocketAddress edgeAddr;
    static String sipp;
    static SipWire.UdpPeer backend; // a backend that answers probes; calls go to it
    static SipWire.UdpPeer victim; // a host that is nobody's peer
    static final List<LocalProcess> processes = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        sipp = LocalProcess.requireTool("sipp", "apt-get install sip-tester (./hack/test.sh does)");
        backend = new SipWire.UdpPeer("127.0.8.10", Ports.free(), true);
        victim = new SipWire.UdpPeer("127.0.8.99", Ports.free());
        int sippBackendPort = Ports.free();
        RoutingModel model = new RoutingModel(List.of(new Domain(DOMAIN, 1, true, "", null), new Domain("calls.example.com", 2, true, "", null)),
                List.of(new DispatcherSet(1, "raw", Algorithm.ROUND_ROBIN, new Probing("OPTIONS", 2, 1, 1, List.of(200), 1000),
                                List.of(new Destination(1, "sip:127.0.8.10:" + backend.address().getPort(), 0, 1, 1, ""))),
                        new DispatcherSet(2, "sipp", Algorithm.ROUND_ROBIN, new Probing("OPTIONS", 2, 1, 1, List.of(200), 1000),
                                List.of(new Destination(2, "sip:127.0.8.11:" + sippBackendPort, 0, 1, 1, "")))));
        Path db = new RoutingDbBuilder().build(model, Fixtures.version(1), work.resolve("routing.db")).file();
        Path key = work.resolve("dialog.key");
        Files.writeString(key, "a fleet-wide dialog secret for the attack test\n");
        edgeAddr = new InetSocketAddress(EDGE_IP, Ports.free());
        edge = Edge.start(EdgeConfig.parse(new String[] {"--routing-db", db.toString(),
                "--sip-listen", EDGE_IP + ":" + edgeAddr.getPort(), "--admin-listen", "127.0.0.1:" + Ports.free(),
                "--edge-id", "attacks", "--fr-timer", "2s", "--dialog-key-file", key.toString(),
                "--flood-limit", String.valueOf(FLOOD_LIMIT), "--flood-ban", "5s",
                "--tcp-max-per-source", "20", "--tcp-read-timeout", "1s", "--tcp-idle-timeout", "3s"}, Map.of()));
        LocalProcess uas = LocalProcess.start("backend", work.resolve("backend.log"), List.of(sipp, "-sf",
                REPO.resolve("hack/sipp/uas-backend.xml").toString(), "-i", "127.0.8.11", "-p", String.valueOf(sippBackendPort),
                "-aa", "-nostdin", "-timeout", "180s"));
        processes.add(uas);
        awaitUp("sip:127.0.8.11:" + sippBackendPort);
        awaitUp("sip:127.0.8.10:" + backend.address().getPort());
    }

    @AfterAll
    static void stop() throws Exception {
        for (LocalProcess p : processes) {
            p.close();
        }
        if (edge != null) {
            edge.close();
        }
        backend.close();
        victim.close();
    }

    static void awaitUp(String uri) throws InterruptedException {
        for (int i = 0; i < 100 && !edge.health().isUp(uri); i++) {
            Thread.sleep(100);
        }
        assertThat(edge.health().isUp(uri)).as(uri + " up").isTrue();
    }

    /** Legitimate calls from 127.0.0.1 (not exempt from the flood guard) through the edge to the sipp backend. */
    static LocalProcess calls(String name, int calls, int rate, String transport) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(sipp, EDGE_IP + ":" + edgeAddr.getPort(), "-sf",
                REPO.resolve("hack/sipp/uac-tenant.xml").toString(), "-key", "domain", "calls.example.com", "-s", "100",
                "-i", "127.0.0.1", "-p", String.valueOf(Ports.free()), "-m", String.valueOf(calls), "-r", String.valueOf(rate),
                "-nostdin", "-timeout", "60s", "-timeout_error"));
        if (transport.equals("tcp")) {
            cmd.addAll(List.of("-t", "t1"));
        }
        LocalProcess p = LocalProcess.start(name, work.resolve(name + ".log"), cmd);
        processes.add(p);
        return p;
    }

    static void assertAllCallsCompleted(LocalProcess p) throws InterruptedException {
        assertThat(p.awaitExit(Duration.ofSeconds(90))).as("%s", p.log()).isZero();
        Matcher m = Pattern.compile("Failed call\\s+\\|\\s+\\d+\\s+\\|\\s+(\\d+)").matcher(p.log());
        int failed = -1;
        while (m.find()) {
            failed = Integer.parseInt(m.group(1));
        }
        assertThat(failed).as("failed calls").isZero();
    }

    static String ourVia(String branch) {
        return "Via: SIP/2.0/UDP " + EDGE_IP + ":" + edgeAddr.getPort() + ";branch=" + branch;
    }

    /** A 200 OK whose top Via claims to be the edge's and whose next Via sends it on to the victim. */
    static String reflectedOk(String branch) {
        InetSocketAddress v = victim.address();
        return "SIP/2.0 200 OK\r\n" + ourVia(branch) + "\r\n"
                + "Via: SIP/2.0/UDP " + v.getHostString() + ":" + v.getPort() + ";branch=z9hG4bK-victim;received="
                + v.getHostString() + ";rport=" + v.getPort() + "\r\n"
                + "From: <sip:a@" + DOMAIN + ">;tag=1\r\nTo: <sip:b@" + DOMAIN + ">;tag=2\r\nCall-ID: reflect-" + branch + "\r\n"
                + "CSeq: 1 INVITE\r\nContact: <sip:b@127.0.8.10>\r\nContent-Length: 0\r\n\r\n";
    }

    @Test
    @Order(1)
    void reflectedResponsesGoNowhere() throws Exception {
        long before = edge.metrics().dropCount(DropReason.STRAY_RESPONSE);
        try (SipWire.UdpPeer attacker = new SipWire.UdpPeer("127.0.8.66");
             SipWire.UdpPeer asBackend = new SipWire.UdpPeer("127.0.8.10")) {
            // a branch in the edge's own format with a made-up MAC, and one the edge never makes at all
            for (String branch : List.of("z9hG4bKr0123456789abcdef.0123456789abcdef01234567", "z9hG4bK-anything")) {
                attacker.send(reflectedOk(branch), edgeAddr);
                asBackend.send(reflectedOk(branch), edgeAddr); // from the backend's own IP: no better
                asBackend.send(reflectedOk(branch).replace("SIP/2.0 200 OK", "SIP/2.0 486 Busy Here"), edgeAddr);
            }
            assertThat(victim.next(1500)).as("the victim never hears from the edge").isEmpty();
            assertThat(attacker.next(200)).isEmpty();
        }
        assertThat(edge.metrics().dropCount(DropReason.STRAY_RESPONSE) - before).isEqualTo(6);
    }

    @Test
    @Order(2)
    void spoofedBackendSourcesAndForgedDialogsRelayNothing() throws Exception {
        // A real dialog first, for a genuine Record-Route token.
        String recordRoute;
        String callId;
        try (SipWire.UdpPeer caller = new SipWire.UdpPeer("127.0.0.1")) {
            caller.send(SipWire.request("INVITE", "sip:100@" + DOMAIN, "sip:100@" + DOMAIN, null, 70, "pbx", caller.address(),
                    "UDP", List.of()), edgeAddr);
            String invite = backend.nextRequest(3000).orElseThrow(() -> new AssertionError("backend got no INVITE"));
            recordRoute = SipWire.header(invite, "Record-Route");
            callId = SipWire.header(invite, "Call-ID");
            backend.send(SipWire.okFor(invite), edgeAddr);
            assertThat(caller.nextFinal(3000)).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 200"));
        }
        String victimUri = "sip:x@" + victim.address().getHostString() + ":" + victim.address().getPort();
        String backendUri = "sip:pbx@127.0.8.10:" + backend.address().getPort();
        String unsigned = "Route: <sip:" + EDGE_IP + ":" + edgeAddr.getPort() + ";lr>";
        try (SipWire.UdpPeer asBackend = new SipWire.UdpPeer("127.0.8.10");
             SipWire.UdpPeer outsider = new SipWire.UdpPeer("127.0.8.67")) {
            List<String[]> forged = List.of(
                    // from the backend's IP, our address on top, towards a foreign host (the old source rule let this by)
                    new String[] {"backend ip, no token, to victim", "BYE", victimUri, unsigned, null},
                    // from the backend's IP with the genuine token, but to a host that is not a peer of the dialog
                    new String[] {"backend ip, real token, to victim", "BYE", victimUri, "Route: " + recordRoute, callId},
                    // from outside, towards the backend, without the token (the seed's Kamailio relays this)
                    new String[] {"outsider, no token, to backend", "BYE", backendUri, unsigned, callId},
                    // from outside, with a token lifted from that dialog into another Call-ID
                    new String[] {"outsider, lifted token, to backend", "INVITE", backendUri, "Route: " + recordRoute, null});
            for (String[] f : forged) {
                SipWire.UdpPeer from = f[0].startsWith("backend") ? asBackend : outsider;
                String msg = SipWire.request(f[1], f[2], "sip:100@" + DOMAIN, "t1", 70, "pbx", from.address(), "UDP", List.of(f[3]));
                from.send(f[4] == null ? msg : SipWire.withCallId(msg, f[4]), edgeAddr);
                assertThat(from.nextFinal(2000)).as(f[0]).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 404"));
            }
            // an ACK cannot be answered: it is dropped without a word
            outsider.send(SipWire.withCallId(SipWire.request("ACK", victimUri, "sip:100@" + DOMAIN, "t1", 70, "pbx",
                    outsider.address(), "UDP", List.of("Route: " + recordRoute)), callId), edgeAddr);
            assertThat(outsider.next(500)).isEmpty();
        }
        assertThat(victim.next(1000)).as("the victim never hears from the edge").isEmpty();
        assertThat(backend.nextRequest(500)).as("the backend got none of the forged requests").isEmpty();
    }

    @Test
    @Order(3)
    void aOneSourceFloodIsBannedAndLegitimateCallsGoOnDuringAndAfterIt() throws Exception {
        LocalProcess legit = calls("legit-during-flood", 60, 10, "udp");
        try (java.nio.channels.DatagramChannel flooder = java.nio.channels.DatagramChannel.open()) {
            flooder.bind(new InetSocketAddress("127.0.8.66", 0));
            byte[] options = SipWire.request("OPTIONS", "sip:" + DOMAIN, "sip:" + DOMAIN, null, 70, "flood",
                    (InetSocketAddress) flooder.getLocalAddress(), "UDP", List.of()).getBytes(StandardCharsets.ISO_8859_1);
            long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            int sent = 0;
            while (System.nanoTime() < end) {
                flooder.send(java.nio.ByteBuffer.wrap(options), edgeAddr);
                if (++sent % 50 == 0) {
                    Thread.sleep(1);
                }
            }
            assertThat(sent).as("the flood was a flood").isGreaterThan(FLOOD_LIMIT * 3);
        }
        assertThat(edge.statusText()).contains("\"bannedNow\" : 1");
        assertAllCallsCompleted(legit);
        // the edge answers its own keepalive at once after the flood, from another source
        try (SipWire.UdpPeer phone = new SipWire.UdpPeer("127.0.8.68")) {
            phone.send(SipWire.request("OPTIONS", "sip:" + EDGE_IP + ":" + edgeAddr.getPort(), "sip:" + EDGE_IP, null, 70, "phone",
                    phone.address(), "UDP", List.of()), edgeAddr);
            assertThat(phone.nextFinal(1000)).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 200"));
        }
    }

    @Test
    @Order(4)
    void aThousandIdleTcpConnectionsCostNoThreadAndAreClosedWhileCallsGoOn() throws Exception {
        int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
        List<Socket> idle = new ArrayList<>();
        try {
            for (int ip = 0; ip < 50; ip++) {
                for (int i = 0; i < 20; i++) {
                    Socket s = new Socket();
                    s.bind(new InetSocketAddress("127.0.9." + (ip + 1), 0));
                    s.connect(edgeAddr, 2000);
                    idle.add(s);
                }
            }
            // the 21st from one address is refused: closed at once
            try (Socket extra = new Socket()) {
                extra.bind(new InetSocketAddress("127.0.9.1", 0));
                extra.connect(edgeAddr, 2000);
                extra.setSoTimeout(2000);
                assertThat(extra.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(ManagementFactory.getThreadMXBean().getThreadCount() - threadsBefore)
                    .as("no thread per connection").isLessThan(10);
            LocalProcess legit = calls("legit-with-idle-tcp", 20, 10, "tcp");
            assertAllCallsCompleted(legit);
            // idle for the idle timeout (3 s): every one of them is closed by the edge
            Thread.sleep(4500);
            int closed = 0;
            for (Socket s : idle) {
                s.setSoTimeout(100);
                try {
                    if (s.getInputStream().read() == -1) {
                        closed++;
                    }
                } catch (SocketTimeoutException | java.net.SocketException stillOpenOrReset) {
                    closed += stillOpenOrReset instanceof java.net.SocketException ? 1 : 0;
                }
            }
            assertThat(closed).isEqualTo(1000);
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }

    @Test
    @Order(5)
    void slowlorisAndOversizedMessagesLoseTheirConnection() throws Exception {
        try (Socket slow = new Socket(); Socket big = new Socket()) {
            slow.connect(edgeAddr, 2000);
            OutputStream out = slow.getOutputStream();
            String start = "INVITE sip:100@" + DOMAIN + " SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bK-slow\r\n";
            long begun = System.nanoTime();
            boolean cut = false;
            try {
                for (byte b : (start + "X-Slow: " + "z".repeat(100)).getBytes(StandardCharsets.ISO_8859_1)) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (java.net.SocketException reset) {
                cut = true;
            }
            if (!cut) {
                slow.setSoTimeout(3000);
                cut = slow.getInputStream().read() == -1;
            }
            assertThat(cut).as("a message that never completes is cut off").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - begun)).isLessThan(Duration.ofSeconds(10));

            big.connect(edgeAddr, 2000);
            big.getOutputStream().write(("INVITE sip:100@" + DOMAIN + " SIP/2.0\r\nX-Junk: " + "A".repeat(70_000))
                    .getBytes(StandardCharsets.ISO_8859_1));
            big.getOutputStream().flush();
            big.setSoTimeout(3000);
            InputStream in = big.getInputStream();
            assertThat(in.read()).as("a message over the size limit closes its connection").isEqualTo(-1);
        }
        assertThat(edge.statusText()).contains("\"oversized\" : 1");
        LocalProcess legit = calls("legit-after-slowloris", 10, 10, "udp");
        assertAllCallsCompleted(legit);
    }

    @Test
    @Order(6)
    void keepalivePingsOverTcpGetTheirPong() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(edgeAddr, 2000);
            s.getOutputStream().write("\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            s.setSoTimeout(2000);
            byte[] pong = s.getInputStream().readNBytes(2);
            assertThat(new String(pong, StandardCharsets.ISO_8859_1)).isEqualTo("\r\n");
        }
    }

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }
}
