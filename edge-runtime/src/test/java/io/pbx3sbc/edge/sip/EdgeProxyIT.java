package io.pbx3sbc.edge.sip;

import io.pbx3sbc.edge.Edge;
import io.pbx3sbc.edge.EdgeConfig;
import io.pbx3sbc.edge.admin.EdgeMetrics.Outcome;
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

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The edge with real SIP on loopback: sipp as callers and as Asterisk-like backends, raw UDP where sipp
 * cannot say it. One edge serves the whole class; each case uses its own tenant and backends.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EdgeProxyIT {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final String EDGE_IP = "127.0.3.1";
    // sipp backends start after the edge: they begin down and are up within a probe interval of starting.
    static final Probing PROBES = new Probing("OPTIONS", 2, 1, 1, List.of(200), 1000);
    static final Probing FAST_PROBES = new Probing("OPTIONS", 1, 1, 1, List.of(200), 300);

    @TempDir
    static Path work;
    static Edge edge;
    static InetSocketAddress edgeAddr;
    static String sipp;
    // Raw backends that answer health probes themselves: RAW shows what the edge sends; DEAD takes
    // INVITEs and never answers them (alive for OPTIONS, dead for calls).
    static SipWire.UdpPeer rawBackend;
    static SipWire.UdpPeer deadBackend;
    static final List<LocalProcess> processes = new ArrayList<>();
    // Backends, by tenant: each its own address so a misroute cannot hide.
    static final InetSocketAddress A = at("127.0.3.10"), B = at("127.0.3.20"), RAW = at("127.0.3.30"),
            DEAD = at("127.0.3.40"), LIVE = at("127.0.3.41"), D = at("127.0.3.50"), E = at("127.0.3.51"),
            RING = at("127.0.3.60"), GONE = at("127.0.3.70"), TCP_BACKEND = at("127.0.3.80");

    static InetSocketAddress at(String ip) {
        try {
            return new InetSocketAddress(ip, Ports.free());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String uri(InetSocketAddress a) {
        return "sip:" + a.getHostString() + ":" + a.getPort();
    }

    static DispatcherSet set(int id, Algorithm algorithm, Probing probing, InetSocketAddress... backends) {
        List<Destination> ds = new ArrayList<>();
        int priority = backends.length;
        for (InetSocketAddress b : backends) {
            ds.add(new Destination(id, uri(b), 0, priority--, 1, ""));
        }
        return new DispatcherSet(id, "set" + id, algorithm, probing, ds);
    }

    @BeforeAll
    static void start() throws Exception {
        sipp = LocalProcess.requireTool("sipp", "apt-get install sip-tester (./hack/test.sh does)");
        rawBackend = new SipWire.UdpPeer(RAW.getHostString(), RAW.getPort(), true);
        deadBackend = new SipWire.UdpPeer(DEAD.getHostString(), DEAD.getPort(), true);
        RoutingModel model = new RoutingModel(List.of(
                new Domain("tenant1.example.com", 10, true, "", null),
                new Domain("tenant2.example.com", 20, true, "", null),
                new Domain("off.example.com", 10, false, "disabled", null),
                new Domain("raw.example.com", 30, true, "", null),
                new Domain("failover.example.com", 40, true, "", null),
                new Domain("pool.example.com", 50, true, "", null),
                new Domain("ring.example.com", 60, true, "", null),
                new Domain("gone.example.com", 70, true, "", null),
                new Domain("limited.example.com", 10, true, "one call a second", new io.pbx3sbc.routingdb.model.RateLimit(1, 1)),
                new Domain("tcp.example.com", 80, true, "", null)),
                List.of(set(10, Algorithm.ROUND_ROBIN, PROBES, A),
                        set(20, Algorithm.ROUND_ROBIN, PROBES, B),
                        set(30, Algorithm.ROUND_ROBIN, PROBES, RAW),
                        set(40, Algorithm.PRIORITY, PROBES, DEAD, LIVE),
                        set(50, Algorithm.ROUND_ROBIN, FAST_PROBES, D, E),
                        set(60, Algorithm.ROUND_ROBIN, PROBES, RING),
                        set(70, Algorithm.ROUND_ROBIN, FAST_PROBES, GONE),
                        set(80, Algorithm.ROUND_ROBIN, PROBES, TCP_BACKEND)));
        Path db = new RoutingDbBuilder().build(model, Fixtures.version(1), work.resolve("routing.db")).file();
        edgeAddr = new InetSocketAddress(EDGE_IP, Ports.free());
        edge = Edge.start(EdgeConfig.parse(new String[] {"--routing-db", db.toString(),
                "--sip-listen", EDGE_IP + ":" + edgeAddr.getPort(), "--admin-listen", "127.0.0.1:" + Ports.free(), "--admin-detail", "true",
                "--edge-id", "it", "--fr-timer", "1s", "--fr-inv-timer", "5s"}, Map.of()));
    }

    @AfterAll
    static void stop() throws Exception {
        for (LocalProcess p : processes) {
            p.close();
        }
        if (edge != null) {
            edge.close();
        }
        rawBackend.close();
        deadBackend.close();
    }

    /** A sipp backend; no call limit, since sipp counts out-of-dialog OPTIONS (our probes) as calls. */
    static LocalProcess backend(String name, InetSocketAddress at, String scenario) throws Exception {
        LocalProcess p = LocalProcess.start(name, work.resolve(name + ".log"), List.of(sipp, "-sf",
                REPO.resolve("hack/sipp/" + scenario).toString(), "-i", at.getHostString(), "-p", String.valueOf(at.getPort()),
                "-aa", "-nostdin", "-timeout", "120s"));
        processes.add(p);
        awaitAnswering(name, at, p);
        awaitUp(uri(at)); // the edge's prober has seen it too
        return p;
    }

    /** sipp takes a moment to bind; a call sent before that would (rightly) be failed over or time out. */
    static void awaitAnswering(String name, InetSocketAddress at, LocalProcess p) throws Exception {
        try (SipWire.UdpPeer probe = new SipWire.UdpPeer("127.0.0.1")) {
            for (int i = 0; i < 50; i++) {
                probe.send(SipWire.request("OPTIONS", uri(at), uri(at), null, 70, "it", probe.address(), "UDP", List.of()), at);
                if (probe.next(200).isPresent()) {
                    return;
                }
            }
        }
        throw new IllegalStateException(name + " does not answer OPTIONS on " + at + ":\n" + p.log());
    }

    static LocalProcess caller(String name, String domain, String scenario, int calls, int rate) throws Exception {
        LocalProcess p = LocalProcess.start(name, work.resolve(name + ".log"), List.of(sipp,
                EDGE_IP + ":" + edgeAddr.getPort(), "-sf", REPO.resolve("hack/sipp/" + scenario).toString(),
                "-key", "domain", domain, "-s", "100", "-i", "127.0.0.1", "-p", String.valueOf(Ports.free()),
                "-m", String.valueOf(calls), "-r", String.valueOf(rate), "-nostdin", "-timeout", "60s", "-timeout_error",
                "-trace_msg", "-message_file", work.resolve(name + ".messages").toString()));
        processes.add(p);
        return p;
    }

    static int failedCalls(LocalProcess sippRun) {
        Matcher m = Pattern.compile("Failed call\\s+\\|\\s+\\d+\\s+\\|\\s+(\\d+)").matcher(sippRun.log());
        int last = -1;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }

    @Test
    @Order(1)
    void callsRouteToTheSetOfTheirTenant() throws Exception {
        backend("backend-a", A, "uas-backend.xml");
        backend("backend-b", B, "uas-backend.xml");
        LocalProcess c1 = caller("caller-t1", "tenant1.example.com", "uac-tenant.xml", 3, 5);
        LocalProcess c2 = caller("caller-t2", "tenant2.example.com", "uac-tenant.xml", 2, 5);
        assertThat(c1.awaitExit(Duration.ofSeconds(60))).as("caller tenant1: %s", c1.log()).isZero();
        assertThat(c2.awaitExit(Duration.ofSeconds(60))).as("caller tenant2: %s", c2.log()).isZero();
        // Who answered is in the backend's Contact, which the caller then sends its ACK and BYE to.
        String t1 = java.nio.file.Files.readString(work.resolve("caller-t1.messages"));
        String t2 = java.nio.file.Files.readString(work.resolve("caller-t2.messages"));
        assertThat(count(t1, "BYE sip:asterisk@" + A.getHostString() + ":")).isEqualTo(3);
        assertThat(t1).doesNotContain("sip:asterisk@" + B.getHostString());
        assertThat(count(t2, "BYE sip:asterisk@" + B.getHostString() + ":")).isEqualTo(2);
        assertThat(t2).doesNotContain("sip:asterisk@" + A.getHostString());
        assertThat(edge.metrics().requestCount("INVITE", Outcome.FORWARDED)).isGreaterThanOrEqualTo(5);
        // The caller never sees the backend's 100 Trying relayed, only the edge's own (one per INVITE).
        assertThat(t1).contains("Record-Route: <sip:" + EDGE_IP + ":" + edgeAddr.getPort() + ";lr;pbxt=");
    }

    static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    @Order(2)
    void doorKnockersScannersAndMismatchesGetNoAnswer() throws Exception {
        try (SipWire.UdpPeer caller = new SipWire.UdpPeer("127.0.0.1")) {
            InetSocketAddress me = caller.address();
            long unknownBefore = edge.metrics().dropCount(DropReason.UNKNOWN_DOMAIN);
            caller.send(SipWire.request("INVITE", "sip:100@unknown.example.net", "sip:100@unknown.example.net", null, 70,
                    "pbx", me, "UDP", List.of()), edgeAddr);
            caller.send(SipWire.request("INVITE", "sip:100@off.example.com", "sip:100@off.example.com", null, 70,
                    "pbx", me, "UDP", List.of()), edgeAddr);
            caller.send(SipWire.request("INVITE", "sip:100@tenant1.example.com", "sip:100@tenant1.example.com", null, 70,
                    "friendly-scanner", me, "UDP", List.of()), edgeAddr);
            caller.send(SipWire.request("REGISTER", "sip:tenant1.example.com", "sip:100@other.example.com", null, 70,
                    "pbx", me, "UDP", List.of()), edgeAddr);
            caller.send(SipWire.request("OPTIONS", "sip:100@tenant1.example.com", "sip:100@tenant1.example.com", null, 70,
                    "SIPVicious PBX", me, "UDP", List.of()), edgeAddr);
            assertThat(caller.next(1500)).as("door-knockers hear nothing").isEmpty();
            assertThat(edge.metrics().dropCount(DropReason.UNKNOWN_DOMAIN)).isEqualTo(unknownBefore + 1);
            assertThat(edge.metrics().dropCount(DropReason.DISABLED_DOMAIN)).isGreaterThanOrEqualTo(1);
            assertThat(edge.metrics().dropCount(DropReason.SCANNER)).isGreaterThanOrEqualTo(2);
            assertThat(edge.metrics().dropCount(DropReason.DOMAIN_MISMATCH)).isGreaterThanOrEqualTo(1);

            // The same socket is answered where an answer is due, so the silence above means something.
            caller.send(SipWire.request("OPTIONS", "sip:" + EDGE_IP + ":" + edgeAddr.getPort(),
                    "sip:" + EDGE_IP + ":" + edgeAddr.getPort(), null, 70, "lb-check", me, "UDP", List.of()), edgeAddr);
            assertThat(caller.next(2000)).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 200"));
        }
    }

    @Test
    @Order(3)
    void errorRepliesWhereTheyAreDue() throws Exception {
        try (SipWire.UdpPeer caller = new SipWire.UdpPeer("127.0.0.1")) {
            InetSocketAddress me = caller.address();
            caller.send(SipWire.request("INVITE", "sip:100@tenant1.example.com", "sip:100@tenant1.example.com", null, 0,
                    "pbx", me, "UDP", List.of()), edgeAddr);
            assertThat(caller.nextFinal(2000)).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 483"));

            caller.send(SipWire.request("MESSAGE", "sip:100@tenant1.example.com", "sip:100@tenant1.example.com", null, 70,
                    "pbx", me, "UDP", List.of()), edgeAddr);
            assertThat(caller.nextFinal(2000)).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 405")
                    .contains("Allow:"));

            caller.send(SipWire.request("BYE", "sip:100@tenant1.example.com", "sip:100@tenant1.example.com", "x1", 70,
                    "pbx", me, "UDP", List.of("Route: <sip:198.51.100.7;lr>")), edgeAddr);
            assertThat(caller.nextFinal(2000)).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 404"));

            // A tenant over its rate limit (1 request/s, burst 1): of two INVITEs in a row, the first reaches
            // backend A (200), the second gets 503 with Retry-After. Own socket: A retransmits its 200 unacknowledged.
            try (SipWire.UdpPeer limited = new SipWire.UdpPeer("127.0.0.1")) {
                for (int i = 0; i < 2; i++) {
                    limited.send(SipWire.request("INVITE", "sip:100@limited.example.com", "sip:100@limited.example.com",
                            null, 70, "pbx", limited.address(), "UDP", List.of()), edgeAddr);
                }
                List<String> finals = new java.util.ArrayList<>();
                limited.nextFinal(3000).ifPresent(finals::add);
                limited.nextFinal(3000).ifPresent(finals::add);
                assertThat(finals).anySatisfy(r -> assertThat(r).startsWith("SIP/2.0 503").contains("Retry-After: 1"));
                assertThat(finals).anySatisfy(r -> assertThat(r).startsWith("SIP/2.0 200"));
                assertThat(edge.metrics().dropCount(DropReason.RATE_LIMITED)).isEqualTo(1);
            }

            // gone.example.com's only backend never answers probes: once it is marked down, 503.
            awaitDown(uri(GONE));
            caller.send(SipWire.request("INVITE", "sip:100@gone.example.com", "sip:100@gone.example.com", null, 70,
                    "pbx", me, "UDP", List.of()), edgeAddr);
            assertThat(caller.nextFinal(2000)).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 503"));
        }
    }

    @Test
    @Order(4)
    void forgedRoutesAndForeignTargetsAreNeverRelayed() throws Exception {
        SipWire.UdpPeer backend = rawBackend;
        try (SipWire.UdpPeer caller = new SipWire.UdpPeer("127.0.0.1");
             SipWire.UdpPeer victim = new SipWire.UdpPeer("127.0.3.99")) {
            InetSocketAddress me = caller.address();
            String victimUri = "sip:" + victim.address().getHostString() + ":" + victim.address().getPort();

            // An initial request with a pre-loaded Route to the victim goes to the tenant's backend, Route stripped.
            caller.send(SipWire.request("REGISTER", "sip:raw.example.com", "sip:100@raw.example.com", null, 70,
                    "pbx", me, "UDP", List.of("Route: <" + victimUri + ";lr>")), edgeAddr);
            String relayed = backend.nextRequest(3000).orElseThrow(() -> new AssertionError("backend got nothing"));
            assertThat(relayed).startsWith("REGISTER sip:raw.example.com SIP/2.0").doesNotContain("Route: <" + victimUri);
            assertThat(SipWire.header(relayed, "Max-Forwards")).isEqualTo("69");
            assertThat(SipWire.header(relayed, "Via")).contains(EDGE_IP + ":" + edgeAddr.getPort());
            backend.send(SipWire.okFor(relayed), new InetSocketAddress(EDGE_IP, edgeAddr.getPort()));
            assertThat(caller.nextFinal(3000)).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 200"));

            // An INVITE is record-routed with the edge's address and a token signed for this dialog.
            caller.send(SipWire.request("INVITE", "sip:100@raw.example.com", "sip:100@raw.example.com", null, 70,
                    "pbx", me, "UDP", List.of()), edgeAddr);
            String invite = backend.nextRequest(3000).orElseThrow(() -> new AssertionError("backend got no INVITE"));
            String recordRoute = SipWire.header(invite, "Record-Route");
            assertThat(recordRoute).startsWith("<sip:" + EDGE_IP + ":" + edgeAddr.getPort() + ";lr;pbxt=");
            String callId = SipWire.header(invite, "Call-ID");
            backend.send(SipWire.okFor(invite), edgeAddr);
            assertThat(caller.nextFinal(3000)).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 200"));
            String signedRoute = "Route: " + recordRoute;
            // In-dialog requests carry the dialog's tags: the caller's From tag, the backend's To tag (okFor's b1).
            String fromTag = SipWire.header(invite, "From").replaceAll(".*;tag=", "");
            java.util.function.UnaryOperator<String> inDialog = m -> SipWire.withCallId(m, callId)
                    .replaceFirst("(?m)^From: (.*);tag=.*$", "From: $1;tag=" + fromTag);

            // Our address on top without a token (the seed's Kamailio would relay this): refused.
            caller.send(inDialog.apply(SipWire.request("BYE", uri(RAW), "sip:100@raw.example.com", "b1", 70, "pbx", me,
                    "UDP", List.of("Route: <sip:" + EDGE_IP + ":" + edgeAddr.getPort() + ";lr>"))), edgeAddr);
            assertThat(caller.nextFinal(2000)).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 404"));
            // A token lifted from another dialog (another Call-ID): refused.
            caller.send(SipWire.request("BYE", uri(RAW), "sip:100@raw.example.com", "b1", 70, "pbx", me, "UDP",
                    List.of(signedRoute)), edgeAddr);
            assertThat(caller.nextFinal(2000)).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 404"));
            // The right token with the tags of neither side: refused.
            caller.send(SipWire.withCallId(SipWire.request("BYE", uri(RAW), "sip:100@raw.example.com", "t9", 70, "pbx", me,
                    "UDP", List.of(signedRoute)), callId), edgeAddr);
            assertThat(caller.nextFinal(2000)).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 404"));
            // In-dialog with a foreign Route on top: refused.
            caller.send(SipWire.request("BYE", "sip:100@raw.example.com", "sip:100@raw.example.com", "t9", 70, "pbx", me,
                    "UDP", List.of("Route: <" + victimUri + ";lr>")), edgeAddr);
            assertThat(caller.nextFinal(2000)).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 404"));
            assertThat(backend.nextRequest(300)).as("the backend got none of the forged requests").isEmpty();
            // Our signed Route with a Request-URI at the victim: the dialog decides where it goes (its backend), never the URI.
            caller.send(inDialog.apply(SipWire.request("BYE", victimUri, "sip:100@raw.example.com", "b1", 70, "pbx", me,
                    "UDP", List.of(signedRoute))), edgeAddr);
            String redirected = backend.nextRequest(3000).orElseThrow(() -> new AssertionError("backend got no BYE"));
            assertThat(redirected).startsWith("BYE " + victimUri);
            backend.send(SipWire.okFor(redirected), edgeAddr);
            assertThat(caller.nextFinal(3000)).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 200"));
            assertThat(victim.next(1000)).as("the victim never hears from the edge").isEmpty();
            assertThat(backend.nextRequest(300)).as("the backend got none of the forged requests").isEmpty();

            // In-dialog along the signed Route towards the dialog's backend: relayed there.
            caller.send(inDialog.apply(SipWire.request("BYE", uri(RAW), "sip:100@raw.example.com", "b1", 70, "pbx", me,
                    "UDP", List.of(signedRoute))), edgeAddr);
            String bye = backend.nextRequest(3000).orElseThrow(() -> new AssertionError("backend got no BYE"));
            assertThat(bye).startsWith("BYE " + uri(RAW)).doesNotContain("Route:");
            backend.send(SipWire.okFor(bye), edgeAddr);
            assertThat(caller.nextFinal(3000)).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 200"));
        }
    }

    @Test
    @Order(5)
    void anInviteThatTimesOutOnADeadBackendIsRetriedOnALiveOne() throws Exception {
        // DEAD has the higher priority, answers its probes and swallows INVITEs; LIVE is a sipp backend.
        backend("backend-live", LIVE, "uas-backend.xml");
        long failoversBefore = edge.metrics().failoverCount();
        LocalProcess c = caller("caller-failover", "failover.example.com", "uac-tenant.xml", 2, 1);
        assertThat(c.awaitExit(Duration.ofSeconds(60))).as("caller: %s", c.log()).isZero();
        assertThat(java.nio.file.Files.readString(work.resolve("caller-failover.messages")))
                .contains("BYE sip:asterisk@" + LIVE.getHostString() + ":");
        assertThat(edge.metrics().failoverCount()).isGreaterThan(failoversBefore);
        assertThat(deadBackend.nextRequest(1000)).as("the INVITE went to DEAD first")
                .hasValueSatisfying(r -> assertThat(r).startsWith("INVITE sip:100@failover.example.com"));
    }

    @Test
    @Order(6)
    void killingABackendMidLoadMovesNewCallsToTheOther() throws Exception {
        LocalProcess d = backend("backend-d", D, "uas-backend.xml");
        LocalProcess e = backend("backend-e", E, "uas-backend.xml");
        awaitUp(uri(D));
        awaitUp(uri(E));
        LocalProcess load = caller("caller-pool-1", "pool.example.com", "uac-tenant.xml", 60, 10);
        Thread.sleep(2000);
        e.close(); // E dies with calls in flight
        assertThat(load.awaitExit(Duration.ofSeconds(90))).isIn(0, 1);
        // Only calls established on E before it died can fail (their BYE has nowhere to go);
        // every INVITE sent to E after that is retried on D.
        assertThat(failedCalls(load)).as("failed calls while E died: %s", load.log()).isBetween(0, 3);
        awaitDown(uri(E));
        LocalProcess after = caller("caller-pool-2", "pool.example.com", "uac-tenant.xml", 30, 10);
        assertThat(after.awaitExit(Duration.ofSeconds(60))).as("after E is marked down: %s", after.log()).isZero();
        assertThat(failedCalls(after)).isZero();
        d.close();
    }

    @Test
    @Order(7)
    void aCancelledCallIsCancelledAtTheBackend() throws Exception {
        LocalProcess ring = backend("backend-ring", RING, "uas-ringing.xml");
        LocalProcess c = caller("caller-cancel", "ring.example.com", "uac-cancel.xml", 1, 1);
        // The 487 comes only from the backend, after it received the relayed CANCEL (the edge would say 408).
        assertThat(c.awaitExit(Duration.ofSeconds(30))).as("caller: %s%nbackend: %s", c.log(), ring.log()).isZero();
        assertThat(java.nio.file.Files.readString(work.resolve("caller-cancel.messages"))).contains("SIP/2.0 487");
    }

    @Test
    @Order(8)
    void aCallOverTcpRoutesToAUdpBackend() throws Exception {
        backend("backend-tcp", TCP_BACKEND, "uas-backend.xml");
        LocalProcess c = LocalProcess.start("caller-tcp", work.resolve("caller-tcp.log"), List.of(sipp,
                EDGE_IP + ":" + edgeAddr.getPort(), "-t", "t1", "-sf", REPO.resolve("hack/sipp/uac-tenant.xml").toString(),
                "-key", "domain", "tcp.example.com", "-s", "100", "-i", "127.0.0.1", "-p", String.valueOf(Ports.free()),
                "-m", "2", "-r", "2", "-nostdin", "-timeout", "30s", "-timeout_error",
                "-trace_msg", "-message_file", work.resolve("caller-tcp.messages").toString()));
        processes.add(c);
        assertThat(c.awaitExit(Duration.ofSeconds(40))).as("TCP caller: %s", c.log()).isZero();
        assertThat(java.nio.file.Files.readString(work.resolve("caller-tcp.messages")))
                // one entry per side: UDP towards the backend, TCP towards the caller (RFC 3261 §16.6 double Record-Route)
                .containsPattern("Record-Route: <sip:" + EDGE_IP + ":" + edgeAddr.getPort() + ";lr;pbxt=[^;>]+>")
                .containsPattern("Record-Route: <sip:" + EDGE_IP + ":" + edgeAddr.getPort() + ";transport=tcp;lr;pbxt=[^;>]+>")
                .contains("BYE sip:asterisk@" + TCP_BACKEND.getHostString());
    }

    @Test
    @Order(9)
    void adminEndpointsTellTheTruth() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + edge.adminPort();
        assertThat(get(http, base + "/healthz").statusCode()).isEqualTo(200);
        assertThat(get(http, base + "/readyz").statusCode()).isEqualTo(200);
        String status = get(http, base + "/status").body();
        assertThat(status).contains("\"version\" : 1").contains(uri(GONE)).contains("\"up\" : false");
        String metrics = get(http, base + "/metrics").body();
        assertThat(metrics).contains("pbx3sbc_edge_sip_drops_total{reason=\"unknown_domain\"}")
                .contains("pbx3sbc_edge_tenant_requests_total{domain=\"tenant1.example.com\",outcome=\"forwarded\"}")
                .contains("pbx3sbc_edge_destination_up{set=\"70\",uri=\"" + uri(GONE) + "\"} 0")
                .contains("pbx3sbc_edge_destination_state{set=\"70\",uri=\"" + uri(GONE) + "\"} 0")
                .containsPattern("pbx3sbc_edge_destination_requests_total\\{set=\"\\d+\",uri=\"[^\"]+\"} [1-9]")
                .contains("pbx3sbc_edge_destination_dialogs{set=\"70\",uri=\"" + uri(GONE) + "\"} 0")
                .contains("pbx3sbc_edge_routing_version 1")
                .doesNotContain("unknown.example.net"); // senders never choose label values
    }

    @Test
    @Order(10)
    void drainingAnswersKeepalivesWith503AndTurnsNotReady() throws Exception {
        edge.drain(Duration.ofSeconds(5));
        try (SipWire.UdpPeer lb = new SipWire.UdpPeer("127.0.0.1")) {
            lb.send(SipWire.request("OPTIONS", "sip:" + EDGE_IP + ":" + edgeAddr.getPort(),
                    "sip:" + EDGE_IP + ":" + edgeAddr.getPort(), null, 70, "lb-check", lb.address(), "UDP", List.of()), edgeAddr);
            assertThat(lb.next(2000)).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 503"));
            lb.send(SipWire.request("INVITE", "sip:100@tenant1.example.com", "sip:100@tenant1.example.com", null, 70,
                    "pbx", lb.address(), "UDP", List.of()), edgeAddr);
            assertThat(lb.nextFinal(2000)).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 503")
                    .contains("Retry-After"));
        }
        HttpClient http = HttpClient.newHttpClient();
        assertThat(get(http, "http://127.0.0.1:" + edge.adminPort() + "/readyz").statusCode()).isEqualTo(503);
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void awaitDown(String uri) throws InterruptedException {
        awaitHealth(uri, false);
    }

    private static void awaitUp(String uri) throws InterruptedException {
        awaitHealth(uri, true);
    }

    private static void awaitHealth(String uri, boolean up) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            var s = edge.health().snapshot().get(uri);
            if (s != null && s.up() == up) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(uri + " not " + (up ? "up" : "down") + " within 15 s: " + edge.health().snapshot());
    }
}
