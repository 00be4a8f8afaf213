package io.pbx3sbc.edge.sip;

import io.pbx3sbc.edge.Edge;
import io.pbx3sbc.edge.EdgeConfig;
import io.pbx3sbc.edge.sip.tls.StreamPeer;
import io.pbx3sbc.edge.sip.tls.TestPki;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * SIP over TLS through the edge on loopback, with JSSE phones and backends and a test CA: TLS in and
 * UDP out (two Record-Routes), TLS out to a {@code sips:} backend, certificates refused for being
 * expired or untrusted (counted), a rotation of the Secret's files while calls run, and registration
 * through the edge (Path) with the PBX calling the phone back over the phone's own connection.
 */
class EdgeTlsIT {
    static final String EDGE_IP = "127.0.4.1";

    @TempDir
    static Path work;
    static TestPki pki;
    static TestPki stranger;
    static Edge edge;
    static InetSocketAddress udpAddr;
    static InetSocketAddress tlsAddr;
    static String adminBase;
    static Path certDir;
    static SipWire.UdpPeer pbx;
    static SipWire.UdpPeer registrar;
    static SipWire.UdpPeer answering;
    static StreamPeer sipsBackend;
    static StreamPeer expiredBackend;
    static Thread answerer;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static DispatcherSet set(int id, String uri) {
        return new DispatcherSet(id, "set" + id, Algorithm.ROUND_ROBIN, new Probing("OPTIONS", 1, 1, 1, List.of(200), 1000),
                List.of(new Destination(id, uri, 0, 1, 1, "")));
    }

    static String udpUri(SipWire.UdpPeer p) {
        return "sip:" + p.address().getHostString() + ":" + p.address().getPort();
    }

    @BeforeAll
    static void start() throws Exception {
        pki = new TestPki("fleet");
        stranger = new TestPki("stranger");
        certDir = work.resolve("edge-tls");
        pki.issue("edge", EDGE_IP, Duration.ofDays(30), "RSA").writeTo(certDir); // RSA: PKCS#1 as cert-manager writes it
        pki.writeCa(work.resolve("ca/ca.crt"));
        pbx = new SipWire.UdpPeer("127.0.4.10", 0, true);
        registrar = new SipWire.UdpPeer("127.0.4.40", 0, true);
        answering = new SipWire.UdpPeer("127.0.4.50", 0, true);
        sipsBackend = StreamPeer.listen("127.0.4.20", pki.issue("pbx-tls", "127.0.4.20", Duration.ofDays(30), "EC").context(pki.caCertificate()), true);
        Instant past = Instant.now().minus(Duration.ofDays(10));
        expiredBackend = StreamPeer.listen("127.0.4.30", pki.issue("pbx-old", "127.0.4.30", past, past.plus(Duration.ofDays(5)), "EC")
                .context(pki.caCertificate()), false);
        RoutingModel model = new RoutingModel(List.of(
                new Domain("tls.example.com", 10, true, "", null),
                new Domain("secure.example.com", 20, true, "", null),
                new Domain("expired.example.com", 30, true, "", null),
                new Domain("reg.example.com", 40, true, "", null),
                new Domain("busy.example.com", 50, true, "", null)),
                List.of(set(10, udpUri(pbx)),
                        set(20, "sips:127.0.4.20:" + sipsBackend.address().getPort()),
                        set(30, "sip:127.0.4.30:" + expiredBackend.address().getPort() + ";transport=tls"),
                        set(40, udpUri(registrar)),
                        set(50, udpUri(answering))));
        Path db = new RoutingDbBuilder().build(model, Fixtures.version(1), work.resolve("routing.db")).file();
        udpAddr = new InetSocketAddress(EDGE_IP, Ports.free());
        tlsAddr = new InetSocketAddress(EDGE_IP, Ports.free());
        int admin = Ports.free();
        adminBase = "http://127.0.0.1:" + admin;
        edge = Edge.start(EdgeConfig.parse(new String[] {"--routing-db", db.toString(),
                "--sip-listen", EDGE_IP + ":" + udpAddr.getPort(), "--tls-listen", EDGE_IP + ":" + tlsAddr.getPort(),
                "--tls-cert", certDir.resolve("tls.crt").toString(), "--tls-key", certDir.resolve("tls.key").toString(),
                "--tls-backend-ca", work.resolve("ca/ca.crt").toString(), "--tls-client-ca", work.resolve("ca/ca.crt").toString(),
                "--tls-verify-clients", "optional", "--tls-reload-interval", "200ms",
                "--admin-listen", "127.0.0.1:" + admin, "--edge-id", "tls-it", "--fr-timer", "1s", "--fr-inv-timer", "5s"}, Map.of()));
        answerer = new Thread(EdgeTlsIT::answerEverything, "auto-answer");
        answerer.setDaemon(true);
        answerer.start();
    }

    /** The busy.example.com backend: answers every request 200 at once. */
    static void answerEverything() {
        while (true) {
            try {
                var m = answering.nextRequest(60_000);
                if (m.isPresent() && !m.get().startsWith("ACK ") && !m.get().startsWith("SIP/2.0")) {
                    answering.send(SipWire.okFor(m.get()), udpAddr);
                }
            } catch (InterruptedException | IOException e) {
                return;
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
        if (answerer != null) {
            answerer.interrupt();
        }
        for (AutoCloseable c : new AutoCloseable[] {pbx, registrar, answering, sipsBackend, expiredBackend}) {
            if (c != null) {
                c.close();
            }
        }
    }

    static SSLContext phoneTls() throws Exception {
        return TestPki.trusting(pki.caCertificate());
    }

    static List<String> headers(String message, String name) {
        List<String> out = new ArrayList<>();
        for (String line : message.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                out.add(line.substring(colon + 1).trim());
            }
        }
        return out;
    }

    static String tag(String headerValue) {
        Matcher m = Pattern.compile(";tag=([^;>\\s]+)").matcher(headerValue);
        return m.find() ? m.group(1) : null;
    }

    static double metric(String name, String labels) throws Exception {
        String body = HTTP.send(HttpRequest.newBuilder(URI.create(adminBase + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + (labels == null ? "" : "{" + labels + "}")) + " (\\S+)$").matcher(body);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    static String invite(String domain, InetSocketAddress from, String transport) {
        return SipWire.request("INVITE", "sip:100@" + domain, "sip:100@" + domain, null, 70, null, from, transport, List.of());
    }

    @Test
    void aTlsCallGoesToAUdpBackendWithOneRecordRouteEachSideAndTheBackendsByeComesBackOverTls() throws Exception {
        try (StreamPeer phone = StreamPeer.connect("127.0.4.100", tlsAddr, phoneTls())) {
            phone.connection().send(invite("tls.example.com", phone.connection().local(), "TLS"));
            String atPbx = pbx.nextRequest(3000).orElseThrow();
            assertThat(atPbx).startsWith("INVITE sip:100@tls.example.com");
            List<String> rr = headers(atPbx, "Record-Route");
            assertThat(rr).hasSize(2);
            assertThat(rr.get(0)).as("the backend's side: UDP").startsWith("<sip:" + EDGE_IP + ":" + udpAddr.getPort() + ";lr;pbxt=");
            assertThat(rr.get(1)).as("the phone's side: TLS").startsWith("<sip:" + EDGE_IP + ":" + tlsAddr.getPort() + ";transport=tls;lr;pbxt=");
            assertThat(headers(atPbx, "Via").get(0)).startsWith("SIP/2.0/UDP ");

            pbx.send(SipWire.okFor(atPbx), udpAddr);
            String ok = phone.nextFinal(3000).orElseThrow().message();
            assertThat(ok).startsWith("SIP/2.0 200");
            assertThat(headers(ok, "Record-Route")).hasSize(2);

            // The PBX hangs up along its route set (top entry first); the phone's Contact is never dialled.
            String callerTag = tag(headers(atPbx, "From").get(0));
            String bye = "BYE sip:tester@192.168.1.77:5061;transport=tls SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP " + pbx.address().getHostString() + ":" + pbx.address().getPort() + ";branch=z9hG4bK-pbxbye1\r\n"
                    + "Route: " + rr.get(0) + ", " + rr.get(1) + "\r\nMax-Forwards: 70\r\n"
                    + "From: <sip:100@tls.example.com>;tag=b1\r\nTo: <sip:tester@example.org>;tag=" + callerTag + "\r\n"
                    + "Call-ID: " + headers(atPbx, "Call-ID").get(0) + "\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n";
            pbx.send(bye, udpAddr);
            StreamPeer.Received atPhone = phone.next(3000).orElseThrow();
            assertThat(atPhone.message()).startsWith("BYE sip:tester@192.168.1.77:5061;transport=tls SIP/2.0");
            assertThat(headers(atPhone.message(), "Via").get(0)).startsWith("SIP/2.0/TLS " + EDGE_IP + ":" + tlsAddr.getPort());
            atPhone.on().send(SipWire.okFor(atPhone.message()));
            assertThat(pbx.nextFinal(3000).orElseThrow()).startsWith("SIP/2.0 200");
        }
    }

    @Test
    void aCallToASipsBackendGoesOverTlsCheckedAgainstTheBackendCa() throws Exception {
        try (SipWire.UdpPeer caller = new SipWire.UdpPeer("127.0.4.101")) {
            caller.send(invite("secure.example.com", caller.address(), "UDP"), udpAddr);
            StreamPeer.Received at = sipsBackend.next(5000).orElseThrow();
            assertThat(at.message()).startsWith("INVITE sip:100@secure.example.com");
            assertThat(headers(at.message(), "Via").get(0)).startsWith("SIP/2.0/TLS ");
            assertThat(headers(at.message(), "Record-Route")).hasSize(2);
            SSLSocket s = (SSLSocket) at.on().socket();
            X509Certificate shown = (X509Certificate) s.getSession().getPeerCertificates()[0];
            assertThat(shown.getSubjectX500Principal().getName()).as("the edge shows its certificate to a backend that asks").contains("edge");
            at.on().send(SipWire.okFor(at.message()));
            assertThat(caller.nextFinal(3000).orElseThrow()).startsWith("SIP/2.0 200");
        }
    }

    @Test
    void aBackendWithAnExpiredCertificateIsRefusedCountedAndNeverSentACall() throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (metric("pbx3sbc_edge_tls_handshake_failures_total", "direction=\"outbound\"") < 1 && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(metric("pbx3sbc_edge_tls_handshake_failures_total", "direction=\"outbound\"")).isGreaterThanOrEqualTo(1);
        try (SipWire.UdpPeer caller = new SipWire.UdpPeer("127.0.4.102")) {
            caller.send(invite("expired.example.com", caller.address(), "UDP"), udpAddr);
            assertThat(caller.nextFinal(5000).orElseThrow()).matches("(?s)SIP/2.0 (503|408) .*");
        }
        assertThat(expiredBackend.next(200)).as("no message ever reached it").isEmpty();
    }

    @Test
    void clientCertificatesAreCheckedWhenShown() throws Exception {
        double before = metric("pbx3sbc_edge_tls_handshake_failures_total", "direction=\"inbound\"");
        String options = "OPTIONS sip:" + EDGE_IP + ":" + tlsAddr.getPort() + " SIP/2.0\r\n";
        // a trunk with a certificate of the fleet's CA: taken
        SSLContext trunk = pki.issue("trunk-a", "127.0.4.103", Duration.ofDays(30), "EC").context(pki.caCertificate());
        try (StreamPeer t = StreamPeer.connect("127.0.4.103", tlsAddr, trunk)) {
            t.connection().send(SipWire.request("OPTIONS", "sip:" + EDGE_IP + ":" + tlsAddr.getPort(), "sip:" + EDGE_IP, null, 70, null,
                    t.connection().local(), "TLS", List.of()));
            assertThat(t.next(3000).orElseThrow().message()).startsWith("SIP/2.0 200");
        }
        assertThat(options).isNotEmpty();
        // a certificate of another CA, and an expired one of ours: refused in the handshake
        SSLContext foreign = stranger.issue("intruder", "127.0.4.104", Duration.ofDays(30), "EC").context(pki.caCertificate());
        Instant past = Instant.now().minus(Duration.ofDays(10));
        SSLContext expired = pki.issue("lapsed", "127.0.4.105", past, past.plus(Duration.ofDays(1)), "EC").context(pki.caCertificate());
        for (SSLContext refused : List.of(foreign, expired)) {
            assertThatThrownBy(() -> {
                try (StreamPeer t = StreamPeer.connect("127.0.4.104", tlsAddr, refused)) {
                    // TLS 1.3: the client learns of the refusal on its first read
                    t.connection().send(SipWire.request("OPTIONS", "sip:" + EDGE_IP + ":" + tlsAddr.getPort(), "sip:" + EDGE_IP, null,
                            70, null, t.connection().local(), "TLS", List.of()));
                    if (t.next(2000).isEmpty()) {
                        throw new SSLException("no answer: refused");
                    }
                }
            }).isInstanceOf(IOException.class);
        }
        long deadline = System.currentTimeMillis() + 3000;
        while (metric("pbx3sbc_edge_tls_handshake_failures_total", "direction=\"inbound\"") < before + 2 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(metric("pbx3sbc_edge_tls_handshake_failures_total", "direction=\"inbound\"")).isEqualTo(before + 2);
    }

    @Test
    void aRotatedCertificateReachesNewConnectionsWhileCallsRunAndNoneFails() throws Exception {
        X509Certificate first = servedCertificate();
        // a call that stays up across the rotation, on its own connection
        StreamPeer longCall = StreamPeer.connect("127.0.4.110", tlsAddr, phoneTls());
        longCall.connection().send(invite("busy.example.com", longCall.connection().local(), "TLS"));
        String ok = longCall.nextFinal(3000).orElseThrow().message();
        assertThat(ok).startsWith("SIP/2.0 200");

        AtomicInteger done = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread calls = new Thread(() -> {
            for (int i = 0; i < 40; i++) {
                try (StreamPeer phone = StreamPeer.connect("127.0.4.111", tlsAddr, phoneTls())) {
                    phone.connection().send(invite("busy.example.com", phone.connection().local(), "TLS"));
                    var answer = phone.nextFinal(3000);
                    if (answer.isEmpty() || !answer.get().message().startsWith("SIP/2.0 200")) {
                        failures.add("call " + i + ": " + answer.map(StreamPeer.Received::message).orElse("no answer"));
                    }
                } catch (Exception e) {
                    failures.add("call " + i + ": " + e);
                }
                done.incrementAndGet();
            }
        });
        calls.start();
        while (done.get() < 10) {
            Thread.sleep(20);
        }
        TestPki.Issued next = pki.issue("edge-rotated", EDGE_IP, Duration.ofDays(60), "EC");
        next.writeTo(certDir);
        long deadline = System.currentTimeMillis() + 5000;
        while (metric("pbx3sbc_edge_tls_certificate_reloads_total", "result=\"loaded\"") < 1 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        calls.join(60_000);
        assertThat(failures).as("calls during the rotation").isEmpty();
        assertThat(done.get()).isEqualTo(40);
        assertThat(servedCertificate().getSerialNumber()).isEqualTo(next.certificate().getSerialNumber()).isNotEqualTo(first.getSerialNumber());

        // the call set up before the rotation still ends over its old connection
        String bye = "BYE sip:100@busy.example.com SIP/2.0\r\nVia: SIP/2.0/TLS " + longCall.connection().local().getHostString() + ":"
                + longCall.connection().local().getPort() + ";branch=z9hG4bK-longbye\r\nRoute: " + headers(ok, "Record-Route").get(1)
                + ", " + headers(ok, "Record-Route").get(0) + "\r\nMax-Forwards: 70\r\n" + "From: " + headers(ok, "From").get(0)
                + "\r\nTo: " + headers(ok, "To").get(0) + "\r\nCall-ID: " + headers(ok, "Call-ID").get(0)
                + "\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n";
        longCall.connection().send(bye);
        assertThat(longCall.nextFinal(3000).orElseThrow().message()).startsWith("SIP/2.0 200");
        longCall.close();

        // a half-written pair (the key of another certificate) is refused; the rotated one stays
        double refusedBefore = metric("pbx3sbc_edge_tls_certificate_reloads_total", "result=\"refused\"");
        Files.writeString(certDir.resolve("tls.key"), pki.issue("other", EDGE_IP, Duration.ofDays(1), "EC").keyPem());
        deadline = System.currentTimeMillis() + 5000;
        while (metric("pbx3sbc_edge_tls_certificate_reloads_total", "result=\"refused\"") < refusedBefore + 1
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertThat(metric("pbx3sbc_edge_tls_certificate_reloads_total", "result=\"refused\"")).isEqualTo(refusedBefore + 1);
        assertThat(servedCertificate().getSerialNumber()).isEqualTo(next.certificate().getSerialNumber());
        next.writeTo(certDir); // whole again, for the other tests
    }

    static X509Certificate servedCertificate() throws Exception {
        try (SSLSocket s = (SSLSocket) phoneTls().getSocketFactory().createSocket(tlsAddr.getAddress(), tlsAddr.getPort())) {
            s.startHandshake();
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }

    /**
     * A phone behind a NAT registers over a stream (its Contact names an address and port nobody can
     * reach); the registrar calls it on its Contact with the Path the edge added, and the call reaches the
     * phone over the connection it registered on. Once that connection is gone: 430 Flow Failed.
     */
    @ParameterizedTest(name = "over {0}")
    @ValueSource(strings = {"TLS", "TCP"})
    void aPhoneRegisteredThroughTheEdgeIsCalledBackOverItsOwnConnection(String transport) throws Exception {
        boolean tls = transport.equals("TLS");
        InetSocketAddress edgeAt = tls ? tlsAddr : udpAddr;
        StreamPeer phone = StreamPeer.connect("127.0.4.120", edgeAt, tls ? phoneTls() : null);
        String contact = "<sip:alice@192.168.1.50:5099;transport=" + transport.toLowerCase(java.util.Locale.ROOT) + ">";
        String register = SipWire.request("REGISTER", "sip:reg.example.com", "sip:alice@reg.example.com", null, 70, null,
                phone.connection().local(), transport, List.of()).replaceFirst("(?m)^Contact: .*$", "Contact: " + contact + ";expires=300");
        phone.connection().send(register);
        String atRegistrar = registrar.nextRequest(3000).orElseThrow();
        assertThat(atRegistrar).startsWith("REGISTER sip:reg.example.com");
        List<String> path = headers(atRegistrar, "Path");
        assertThat(path).hasSize(1);
        assertThat(path.get(0)).startsWith("<sip:F.").endsWith("@" + EDGE_IP + ":" + udpAddr.getPort() + ";lr>");
        registrar.send(SipWire.okFor(atRegistrar).replace("Content-Length: 0", "Path: " + path.get(0) + "\r\nContent-Length: 0"), udpAddr);
        assertThat(phone.nextFinal(3000).orElseThrow().message()).startsWith("SIP/2.0 200");

        // Asterisk calls the registered Contact through the Path
        String call = "INVITE sip:alice@192.168.1.50:5099;transport=" + transport.toLowerCase(java.util.Locale.ROOT) + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + registrar.address().getHostString() + ":" + registrar.address().getPort()
                + ";branch=z9hG4bK-pbx" + transport + "\r\nRoute: " + path.get(0) + "\r\nMax-Forwards: 70\r\n"
                + "From: <sip:pbx@reg.example.com>;tag=pbx1\r\nTo: <sip:alice@reg.example.com>\r\nCall-ID: back-" + transport
                + "\r\nCSeq: 1 INVITE\r\nContact: <sip:pbx@" + registrar.address().getHostString() + ":" + registrar.address().getPort()
                + ">\r\nContent-Length: 0\r\n\r\n";
        registrar.send(call, udpAddr);
        StreamPeer.Received ringing = phone.next(3000).orElseThrow();
        assertThat(ringing.message()).startsWith("INVITE sip:alice@192.168.1.50:5099");
        assertThat(headers(ringing.message(), "Route")).isEmpty();
        ringing.on().send(SipWire.okFor(ringing.message()));
        assertThat(registrar.nextFinal(3000).orElseThrow()).startsWith("SIP/2.0 200");

        phone.close();
        Thread.sleep(300);
        registrar.send(call.replace("z9hG4bK-pbx", "z9hG4bK-again").replace("back-", "gone-"), udpAddr);
        assertThat(registrar.nextFinal(3000).orElseThrow()).startsWith("SIP/2.0 430");
    }
}
