package io.pbx3sbc.edge.sip;

import io.pbx3sbc.edge.HostPort;
import io.pbx3sbc.edge.admin.EdgeMetrics;
import io.pbx3sbc.edge.dispatch.DestinationStats;
import io.pbx3sbc.edge.dispatch.HealthTracker;
import io.pbx3sbc.edge.dispatch.OptionsProber;
import io.pbx3sbc.edge.dispatch.ProbeOutcomes;
import io.pbx3sbc.edge.routing.ActiveTable;
import io.pbx3sbc.edge.routing.DestinationSelector;
import io.pbx3sbc.edge.routing.ProtectionPolicy;
import io.pbx3sbc.edge.routing.RateLimiter;
import io.pbx3sbc.edge.routing.RouteDecision.DropReason;
import io.pbx3sbc.edge.routing.Router;
import io.pbx3sbc.edge.routing.RoutingTable;
import io.pbx3sbc.edge.sip.msg.SipMessage;
import io.pbx3sbc.edge.sip.transport.Peer;
import io.pbx3sbc.edge.sip.txn.TimerWheel;
import io.pbx3sbc.routingdb.ContentHash;
import io.pbx3sbc.routingdb.RoutingDb;
import io.pbx3sbc.routingdb.model.Algorithm;
import io.pbx3sbc.routingdb.model.Destination;
import io.pbx3sbc.routingdb.model.DispatcherSet;
import io.pbx3sbc.routingdb.model.Domain;
import io.pbx3sbc.routingdb.model.Probing;
import io.pbx3sbc.routingdb.model.RoutingModel;
import io.pbx3sbc.routingdb.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The proxy core without sockets: messages in by hand, what it would send recorded, time moved by hand.
 * Timer values are RFC 3261's (T1 500 ms, T2 4 s) and this test's fr 5 s, fr_inv 30 s, wait 5 s.
 */
class RelayEngineTest {
    static final Peer CALLER = Peer.udp("203.0.113.5", 5062);
    static final Peer B1 = Peer.udp("10.0.0.1", 5060);
    static final Peer B2 = Peer.udp("10.0.0.2", 5060);
    static final String EDGE = "192.0.2.1";
    /** Every destination here is an IP address: a lookup would be a bug. */
    static final io.pbx3sbc.edge.dns.BackendResolver IP_ONLY = new io.pbx3sbc.edge.dns.BackendResolver(
            new io.pbx3sbc.edge.dns.BackendResolver.DnsClient() {
                @Override
                public List<Srv> srv(String name) {
                    throw new AssertionError("no DNS in this test: " + name);
                }

                @Override
                public List<Address> addresses(String name) {
                    throw new AssertionError("no DNS in this test: " + name);
                }
            }, System::currentTimeMillis);

    record Sent(String message, Peer to) {
        String firstLine() {
            return message.substring(0, message.indexOf("\r\n"));
        }
    }

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final TimerWheel wheel = new TimerWheel(10, 512, now::get);
    private final List<Sent> sent = new ArrayList<>();
    private final List<String> probedSoon = new ArrayList<>();
    private final DialogTokens tokens = new DialogTokens("test fleet secret, 32 bytes long".getBytes(StandardCharsets.UTF_8), false);
    private final MessageCodec codec = new MessageCodec(reason -> {
        throw new AssertionError("test message malformed: " + reason);
    });
    private final EdgeMetrics metrics = new EdgeMetrics();
    private final RelayEngine engine = engine(1000);

    static ActiveTable tablesOf() {
        RoutingModel model = new RoutingModel(
                List.of(new Domain("t.example.com", 1, true, null, null)),
                List.of(new DispatcherSet(1, "s", Algorithm.PRIORITY, Probing.DEFAULT, List.of(
                        new Destination(1, "sip:10.0.0.1:5060", 0, 10, 1, ""),
                        new Destination(1, "sip:10.0.0.2:5060", 0, 5, 1, "")))));
        ActiveTable tables = new ActiveTable();
        tables.activate(RoutingTable.from(new RoutingDb(Optional.of(Fixtures.version(1)), 1, null, ContentHash.of(model), model)));
        return tables;
    }

    ProbeOutcomes probes() {
        return new ProbeOutcomes() {
            @Override
            public void answered(OptionsProber.Probe probe, int status) {
            }

            @Override
            public void probeSoon(String uri) {
                probedSoon.add(uri);
            }
        };
    }

    RelayEngine engine(int maxTransactions) {
        HostPort edge = new HostPort(EDGE, 5060);
        ActiveTable tables = tablesOf();
        ProbeOutcomes probes = probes();
        return new RelayEngine((bytes, to) -> sent.add(new Sent(new String(bytes, StandardCharsets.ISO_8859_1), to)), wheel,
                new SelfAddress(edge, edge, edge), tokens, tables,
                new Router(ProtectionPolicy.DEFAULT, new DestinationSelector(), new RateLimiter()), new HealthTracker(), metrics,
                new DestinationStats(), probes, new RelayEngine.Settings(5_000, 30_000, 5_000, maxTransactions), IP_ONLY);
    }

    // ---------------------------------------------------------------------------------------------

    static String invite(String branch) {
        return "INVITE sip:100@t.example.com SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 203.0.113.5:5062;branch=" + branch + "\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:200@t.example.com>;tag=f1\r\nTo: <sip:100@t.example.com>\r\n"
                + "Call-ID: call-" + branch + "\r\nCSeq: 1 INVITE\r\nContact: <sip:200@203.0.113.5:5062>\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    static String request(String method, String branch) {
        return invite(branch).replace("INVITE sip:", method + " sip:").replace("CSeq: 1 INVITE", "CSeq: 1 " + method);
    }

    void fromCaller(String text) {
        engine.onRequest(parse(text), CALLER);
    }

    void fromBackend(String text, Peer backend) {
        engine.onResponse(parse(text), backend);
    }

    SipMessage parse(String text) {
        SipMessage m = codec.parse(text.getBytes(StandardCharsets.ISO_8859_1), false);
        assertThat(m).as(text).isNotNull();
        return m;
    }

    /** A backend's answer to the request it got: its Via list, From, To (tagged), Call-ID and CSeq. */
    static String answer(Sent request, int status) {
        StringBuilder sb = new StringBuilder("SIP/2.0 " + status + " X\r\n");
        for (String line : request.message().split("\r\n")) {
            String l = line.toLowerCase(java.util.Locale.ROOT);
            if (l.startsWith("via:") || l.startsWith("from:") || l.startsWith("call-id:") || l.startsWith("cseq:")
                    || l.startsWith("record-route:")) {
                sb.append(line).append("\r\n");
            } else if (l.startsWith("to:")) {
                sb.append(line).append(status > 100 && !line.contains("tag=") ? ";tag=b" : "").append("\r\n");
            }
        }
        return sb.append("Contact: <sip:pbx@").append(request.to().hostAddress()).append(":5060>\r\nContent-Length: 0\r\n\r\n").toString();
    }

    void advanceTo(long millisSinceStart) {
        long target = 1_000_000 + millisSinceStart;
        while (now.get() < target) {
            now.set(Math.min(target, now.get() + 10));
            wheel.advanceTo(now.get());
        }
    }

    List<Sent> to(Peer p) {
        return sent.stream().filter(s -> s.to().equals(p)).toList();
    }

    List<String> linesTo(Peer p) {
        return to(p).stream().map(Sent::firstLine).toList();
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * Timer A towards a silent backend (UDP): retransmissions at 0.5, 1.5 and 3.5 s, then at fr (5 s) the
     * next destination; the silent one is handed to the prober.
     */
    @ParameterizedTest(name = "at {0} ms: {1} INVITEs to B1, {2} to B2")
    @CsvSource({"0,1,0", "499,1,0", "510,2,0", "1510,3,0", "3510,4,0", "4990,4,0", "5010,4,1", "5600,4,2"})
    void anUnansweredInviteIsRetransmittedThenFailedOverAtTheFrTimer(long at, int toB1, int toB2) {
        fromCaller(invite("z9hG4bK-a"));
        advanceTo(at);
        assertThat(to(B1)).hasSize(toB1).allMatch(s -> s.firstLine().startsWith("INVITE"));
        assertThat(to(B2)).hasSize(toB2);
        assertThat(linesTo(CALLER)).containsExactly("SIP/2.0 100 Trying");
        assertThat(probedSoon).isEqualTo(at > 5000 ? List.of("sip:10.0.0.1:5060") : List.of());
    }

    @Test
    void theRelayedInviteIsRecordRoutedWithASignedTokenAndOurSignedBranch() {
        fromCaller(invite("z9hG4bK-b"));
        String out = to(B1).get(0).message();
        assertThat(out).contains("Record-Route: <sip:" + EDGE + ":5060;lr;pbxt=");
        assertThat(out).contains("Max-Forwards: 69");
        String via = out.lines().filter(l -> l.startsWith("Via:")).findFirst().orElseThrow();
        String branch = via.replaceAll("^.*?branch=([^;,]+).*$", "$1");
        assertThat(tokens.isOurBranch(branch, "203.0.113.5:5062")).isTrue();
        assertThat(out).contains("received=203.0.113.5").contains("rport=5062");
    }

    @Test
    void aRingingInviteIsCancelledAtFrInvAndTheCallerGets408RetransmittedUntilItsAck() {
        fromCaller(invite("z9hG4bK-c"));
        Sent leg = to(B1).get(0);
        fromBackend(answer(leg, 180), B1);
        advanceTo(29_000);
        assertThat(to(B1)).as("timer A stopped at the provisional").hasSize(1);
        assertThat(linesTo(CALLER)).containsExactly("SIP/2.0 100 Trying", "SIP/2.0 180 X");
        advanceTo(30_010);
        assertThat(linesTo(B1)).containsExactly("INVITE sip:100@t.example.com SIP/2.0", "CANCEL sip:100@t.example.com SIP/2.0");
        assertThat(linesTo(CALLER)).last().isEqualTo("SIP/2.0 408 Request Timeout");
        // timer G: 408 again at +0.5 s and +1.5 s until the ACK
        advanceTo(31_600);
        assertThat(linesTo(CALLER).stream().filter(l -> l.startsWith("SIP/2.0 408"))).hasSize(3);
        fromCaller(request("ACK", "z9hG4bK-c").replace("To: <sip:100@t.example.com>", "To: <sip:100@t.example.com>;tag=x"));
        advanceTo(40_000);
        assertThat(linesTo(CALLER).stream().filter(l -> l.startsWith("SIP/2.0 408"))).as("the ACK ended timer G").hasSize(3);
        assertThat(engine.transactions()).as("removed after timer I").isZero();
        assertThat(engine.openTransactions()).isZero();
    }

    @Test
    void a2xxGoesToTheCallerWithItsOwnViaListAndTheRelayLingersOnlyTheWaitTime() {
        fromCaller(invite("z9hG4bK-d"));
        fromBackend(answer(to(B1).get(0), 200), B1);
        Sent ok = to(CALLER).get(1);
        assertThat(ok.firstLine()).isEqualTo("SIP/2.0 200 X");
        assertThat(ok.message()).contains("Via: SIP/2.0/UDP 203.0.113.5:5062;branch=z9hG4bK-d;received=203.0.113.5;rport=5062")
                .doesNotContain(EDGE + ":5060;branch");
        assertThat(engine.openTransactions()).isZero();
        fromCaller(invite("z9hG4bK-d")); // a late retransmission is absorbed in silence
        assertThat(to(CALLER)).hasSize(2);
        assertThat(to(B1)).hasSize(1);
        advanceTo(5_010);
        assertThat(engine.transactions()).isZero();
        assertThat(engine.clientBranches()).isZero();
    }

    @Test
    void aRetransmitted2xxAfterTheRelayIsGoneIsForwardedOnlyOnOurBranch() {
        fromCaller(invite("z9hG4bK-e"));
        String ok = answer(to(B1).get(0), 200);
        fromBackend(ok, B1);
        advanceTo(6_000);
        assertThat(engine.transactions()).isZero();
        fromBackend(ok, B1); // RFC 6026: 2xx retransmissions go on statelessly
        assertThat(linesTo(CALLER).stream().filter(l -> l.startsWith("SIP/2.0 200"))).hasSize(2);

        // A forged response: our Via on top, but a branch we did not make, or our branch with the next Via changed.
        String forgedBranch = ok.replaceFirst("branch=z9hG4bKr[^;\\r]+", "branch=z9hG4bKr0011223344556677.000000000000000000000000");
        String redirected = ok.replace("received=203.0.113.5", "received=198.51.100.66");
        fromBackend(forgedBranch, B1);
        fromBackend(redirected, B1);
        fromBackend(ok.replace("SIP/2.0 200 X", "SIP/2.0 486 X"), B1); // a stray non-2xx has nowhere to go
        assertThat(sent.stream().filter(s -> s.to().hostAddress().equals("198.51.100.66"))).isEmpty();
        assertThat(linesTo(CALLER).stream().filter(l -> l.startsWith("SIP/2.0"))).hasSize(3); // 100, 200, 200 again
        assertThat(metrics.dropCount(DropReason.STRAY_RESPONSE)).isEqualTo(3);
    }

    @Test
    void a5xxIsAckedHopByHopAndTheNextDestinationTried() {
        fromCaller(invite("z9hG4bK-f"));
        fromBackend(answer(to(B1).get(0), 503), B1);
        assertThat(linesTo(B1)).containsExactly("INVITE sip:100@t.example.com SIP/2.0", "ACK sip:100@t.example.com SIP/2.0");
        assertThat(linesTo(B2)).containsExactly("INVITE sip:100@t.example.com SIP/2.0");
        fromBackend(answer(to(B1).get(0), 503), B1); // B1 missed our ACK: it gets it again, the caller hears nothing
        assertThat(linesTo(B1)).hasSize(3).last().isEqualTo("ACK sip:100@t.example.com SIP/2.0");
        fromBackend(answer(to(B2).get(0), 486), B2);
        assertThat(linesTo(CALLER)).containsExactly("SIP/2.0 100 Trying", "SIP/2.0 486 X");
    }

    /** Timer E for a non-INVITE over UDP: doubling from T1, capped at T2 (0.5, 1.5, 3.5, 7.5... s) until fr. */
    @ParameterizedTest(name = "at {0} ms: {1} REGISTERs to B1")
    @CsvSource({"0,1", "510,2", "1510,3", "3510,4", "4990,4"})
    void anUnansweredNonInviteIsRetransmittedUpToT2(long at, int toB1) {
        fromCaller(request("REGISTER", "z9hG4bK-g"));
        advanceTo(at);
        assertThat(to(B1)).hasSize(toB1);
        assertThat(to(CALLER)).as("no 100 Trying for a non-INVITE").isEmpty();
    }

    @Test
    void aRetransmittedNonInviteGetsTheLastAnswerAgainWithoutReachingTheBackend() {
        fromCaller(request("REGISTER", "z9hG4bK-h"));
        fromBackend(answer(to(B1).get(0), 200), B1);
        fromCaller(request("REGISTER", "z9hG4bK-h"));
        assertThat(to(B1)).hasSize(1);
        assertThat(linesTo(CALLER)).containsExactly("SIP/2.0 200 X", "SIP/2.0 200 X");
        assertThat(engine.absorbedRetransmissions()).isEqualTo(1);
    }

    @Test
    void aCancelBeforeAnyProvisionalWaitsForOneThenGoesToTheBackend() {
        fromCaller(invite("z9hG4bK-i"));
        fromCaller(request("CANCEL", "z9hG4bK-i"));
        assertThat(linesTo(CALLER)).containsExactly("SIP/2.0 100 Trying", "SIP/2.0 200 OK");
        assertThat(linesTo(B1)).containsExactly("INVITE sip:100@t.example.com SIP/2.0");
        fromBackend(answer(to(B1).get(0), 180), B1);
        assertThat(linesTo(B1)).last().isEqualTo("CANCEL sip:100@t.example.com SIP/2.0");
        fromBackend(answer(to(B1).get(0), 487), B1);
        assertThat(linesTo(CALLER)).last().isEqualTo("SIP/2.0 487 X");
        assertThat(to(B2)).as("a cancelled call is not failed over").isEmpty();
    }

    @Test
    void aCancelForNothingGets481() {
        fromCaller(request("CANCEL", "z9hG4bK-none"));
        assertThat(linesTo(CALLER)).containsExactly("SIP/2.0 481 Call/Transaction Does Not Exist");
    }

    @Test
    void refusalsAreStatelessAndARetransmissionIsSimplyAnsweredAgain() {
        String message = request("MESSAGE", "z9hG4bK-j");
        fromCaller(message);
        fromCaller(message);
        assertThat(linesTo(CALLER)).containsExactly("SIP/2.0 405 Method Not Allowed", "SIP/2.0 405 Method Not Allowed");
        // the same To tag each time, so the caller sees one answer
        assertThat(to(CALLER).get(0).message()).isEqualTo(to(CALLER).get(1).message());
        assertThat(engine.transactions()).isZero();
        assertThat(wheel.pending()).isZero();
    }

    @Test
    void beyondMaxTransactionsNewRequestsGet503AndNothingIsKept() {
        RelayEngine small = engine(1);
        small.onRequest(parse(invite("z9hG4bK-k1")), CALLER);
        small.onRequest(parse(invite("z9hG4bK-k2")), CALLER);
        assertThat(linesTo(CALLER)).containsExactly("SIP/2.0 100 Trying", "SIP/2.0 503 Service Unavailable");
        assertThat(small.transactions()).isEqualTo(1);
        assertThat(metrics.dropCount(DropReason.OVERLOAD)).isEqualTo(1);
    }

    @Test
    void inDialogRequestsFollowOnlyTheSignedRouteToTheDialogsOtherSide() {
        fromCaller(invite("z9hG4bK-l"));
        String rr = to(B1).get(0).message().lines().filter(l -> l.startsWith("Record-Route:")).findFirst().orElseThrow()
                .substring("Record-Route: ".length());
        fromBackend(answer(to(B1).get(0), 200), B1);
        String bye = "BYE sip:pbx@10.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 203.0.113.5:5062;branch=z9hG4bK-bye\r\n"
                + "Route: " + rr + "\r\nMax-Forwards: 70\r\nFrom: <sip:200@t.example.com>;tag=f1\r\n"
                + "To: <sip:100@t.example.com>;tag=b\r\nCall-ID: call-z9hG4bK-l\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n";
        sent.clear();
        fromCaller(bye.replace("call-z9hG4bK-l", "call-other")); // token of another dialog
        fromCaller(bye.replace(";pbxt=", ";x=")); // no token at all
        fromCaller(bye.replace("tag=f1", "tag=zz").replace("tag=b", "tag=yy")); // tags of neither side
        assertThat(linesTo(CALLER)).containsExactly("SIP/2.0 404 Not Here", "SIP/2.0 404 Not Here", "SIP/2.0 404 Not Here");
        assertThat(sent).allMatch(s -> s.to().equals(CALLER));
        assertThat(metrics.dropCount(DropReason.UNSIGNED_ROUTE)).isEqualTo(3);
        // a Request-URI naming someone else changes nothing: the request goes to the dialog's recorded hop
        fromCaller(bye.replace("sip:pbx@10.0.0.1:5060", "sip:victim@198.51.100.66:5060").replace("z9hG4bK-bye", "z9hG4bK-bye2"));
        fromCaller(bye);
        assertThat(linesTo(B1)).containsExactly("BYE sip:victim@198.51.100.66:5060 SIP/2.0", "BYE sip:pbx@10.0.0.1:5060 SIP/2.0");
        assertThat(to(B1).get(1).message()).doesNotContain("Route:");
        assertThat(sent).noneMatch(s -> s.to().hostAddress().equals("198.51.100.66"));
    }

    @Test
    void aByeFromTheBackendGoesToTheCallersSourceAddressNotItsContact() {
        Peer natted = Peer.udp("198.51.100.20", 40001); // the caller's NAT: its Contact says 203.0.113.5:5062
        engine.onRequest(parse(invite("z9hG4bK-n")), natted);
        String rr = to(B1).get(0).message().lines().filter(l -> l.startsWith("Record-Route:")).findFirst().orElseThrow()
                .substring("Record-Route: ".length());
        fromBackend(answer(to(B1).get(0), 200), B1);
        sent.clear();
        engine.onRequest(parse("BYE sip:200@203.0.113.5:5062 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-bb\r\n"
                + "Route: " + rr + "\r\nMax-Forwards: 70\r\nFrom: <sip:100@t.example.com>;tag=b\r\n"
                + "To: <sip:200@t.example.com>;tag=f1\r\nCall-ID: call-z9hG4bK-n\r\nCSeq: 1 BYE\r\nContent-Length: 0\r\n\r\n"), B1);
        assertThat(linesTo(natted)).containsExactly("BYE sip:200@203.0.113.5:5062 SIP/2.0");
    }

    @Test
    void aRegisterGetsOurPathAndTheBackendsInviteOnItReachesThePhonesFlow() {
        Peer phone = new Peer(Peer.Transport.TCP, new java.net.InetSocketAddress("198.51.100.30", 43210));
        engine.onRequest(parse(request("REGISTER", "z9hG4bK-r").replace("INVITE sip:100@", "REGISTER sip:")), phone);
        String path = to(B1).get(0).message().lines().filter(l -> l.startsWith("Path:")).findFirst().orElseThrow()
                .substring("Path: ".length());
        assertThat(path).startsWith("<sip:F.").endsWith("@" + EDGE + ":5060;lr>");
        String invite = "INVITE sip:200@192.168.1.10:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-pi\r\n"
                + "Route: " + path + "\r\nMax-Forwards: 70\r\nFrom: <sip:pbx@t.example.com>;tag=p1\r\n"
                + "To: <sip:200@t.example.com>\r\nCall-ID: pbx-call\r\nCSeq: 1 INVITE\r\nContact: <sip:pbx@10.0.0.1:5060>\r\n"
                + "Content-Length: 0\r\n\r\n";
        sent.clear();
        engine.onRequest(parse(invite), B1);
        assertThat(linesTo(B1)).containsExactly("SIP/2.0 100 Trying");
        assertThat(linesTo(phone)).containsExactly("INVITE sip:200@192.168.1.10:5060 SIP/2.0");
        String toPhone = to(phone).get(0).message();
        assertThat(toPhone).doesNotContain("F.").contains("Record-Route: <sip:" + EDGE + ":5060;transport=tcp;lr;pbxt=")
                .contains("Record-Route: <sip:" + EDGE + ":5060;lr;pbxt=");
        // a stranger (not a backend) cannot use the Path to reach the phone: silence
        sent.clear();
        engine.onRequest(parse(invite.replace("z9hG4bK-pi", "z9hG4bK-px")), CALLER);
        assertThat(sent).isEmpty();
        assertThat(metrics.dropCount(DropReason.UNSIGNED_ROUTE)).isEqualTo(1);
        // nor a forged flow
        engine.onRequest(parse(invite.replace("z9hG4bK-pi", "z9hG4bK-py").replace("<sip:F.", "<sip:F.x")), B1);
        assertThat(sent).isEmpty();
    }

    @Test
    void aFlowThatIsGoneGets430() {
        List<Sent> flowSends = new ArrayList<>();
        RelayEngine noFlows = new RelayEngine(new io.pbx3sbc.edge.sip.transport.Wire() {
            @Override
            public boolean send(byte[] bytes, Peer to) {
                sent.add(new Sent(new String(bytes, StandardCharsets.ISO_8859_1), to));
                return true;
            }

            @Override
            public boolean sendOnFlow(byte[] bytes, Peer to) {
                if (to.transport() == Peer.Transport.TCP && to.hostAddress().equals("198.51.100.30")) {
                    flowSends.add(new Sent(new String(bytes, StandardCharsets.ISO_8859_1), to));
                    return false; // the phone's connection closed
                }
                return send(bytes, to);
            }
        }, wheel, new SelfAddress(new HostPort(EDGE, 5060), new HostPort(EDGE, 5060), new HostPort(EDGE, 5060)), tokens, tablesOf(),
                new Router(ProtectionPolicy.DEFAULT, new DestinationSelector(), new RateLimiter()), new HealthTracker(), metrics,
                new DestinationStats(), probes(), new RelayEngine.Settings(5_000, 30_000, 5_000, 100), IP_ONLY);
        String flow = tokens.flowToken(new DialogTokens.Flow(new DialogTokens.Hop(Peer.Transport.TCP, true, "198.51.100.30", 43210),
                "t.example.com"));
        noFlows.onRequest(parse("INVITE sip:200@192.168.1.10:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-g\r\n"
                + "Route: <sip:" + flow + "@" + EDGE + ":5060;lr>\r\nMax-Forwards: 70\r\nFrom: <sip:pbx@t.example.com>;tag=p1\r\n"
                + "To: <sip:200@t.example.com>\r\nCall-ID: gone\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"), B1);
        assertThat(flowSends).hasSize(1);
        assertThat(linesTo(B1)).containsExactly("SIP/2.0 100 Trying", "SIP/2.0 430 Flow Failed");
    }
}
