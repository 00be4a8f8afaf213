package io.pbx3sbc.edge.sip;

import io.pbx3sbc.edge.Edge;
import io.pbx3sbc.edge.EdgeConfig;
import io.pbx3sbc.edge.sip.tls.TestPki;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kamailio's TLS module (OpenSSL) as the real TLS peer on both sides of the edge, with sipp (which has
 * no TLS) behind it: calls from sipp over UDP that Kamailio carries to the edge over TLS, and calls the
 * edge carries over TLS to a {@code sips:} backend that is Kamailio relaying to sipp. Every call
 * completes, BYE included.
 */
class KamailioTlsIT {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final String EDGE_IP = "127.0.9.1", FRONT_IP = "127.0.9.2", BEHIND_IP = "127.0.9.3", REGISTRAR_IP = "127.0.9.4",
            UAS_IP = "127.0.9.10";

    @TempDir
    static Path work;
    static Edge edge;
    static int edgeUdp, edgeTls, frontUdp, behindTls, uasPort, registrarPort;
    static TestPki pki;
    static LocalProcess registrar;
    static String sipp;
    static final List<LocalProcess> processes = new ArrayList<>();

    /** A Kamailio from hack/kamailio/tls-relay.cfg: every new request to {@code target} over {@code transport}. */
    static LocalProcess kamailio(String name, String ip, int udp, int tls, String target, String transport, TestPki pki)
            throws Exception {
        String kamailio = LocalProcess.requireTool("kamailio", "apt-get install kamailio kamailio-tls-modules (./hack/test.sh does)");
        Path dir = work.resolve(name);
        pki.issue(name, ip, Duration.ofDays(2), "EC").writeTo(dir);
        Files.writeString(dir.resolve("tls.cfg"), """
                [server:default]
                method = TLSv1.2+
                verify_certificate = no
                require_certificate = no
                private_key = %1$s/tls.key
                certificate = %1$s/tls.crt
                ca_list = %2$s

                [client:default]
                method = TLSv1.2+
                verify_certificate = yes
                require_certificate = yes
                private_key = %1$s/tls.key
                certificate = %1$s/tls.crt
                ca_list = %2$s
                """.formatted(dir, work.resolve("ca.crt")));
        String cfg = Files.readString(REPO.resolve("hack/kamailio/tls-relay.cfg"))
                .replace("@LISTEN_IP@", ip).replace("@UDP_PORT@", String.valueOf(udp)).replace("@TLS_PORT@", String.valueOf(tls))
                .replace("@TARGET@", target).replace("@TARGET_TRANSPORT@", transport)
                .replace("@TLS_CFG@", dir.resolve("tls.cfg").toString()).replace("@CHILDREN@", "2");
        Files.writeString(dir.resolve("kamailio.cfg"), cfg);
        LocalProcess p = LocalProcess.start(name, work.resolve(name + ".log"), List.of(kamailio, "-DD", "-E", "-f",
                dir.resolve("kamailio.cfg").toString(), "-P", dir.resolve("kamailio.pid").toString(), "-Y", dir.toString(),
                "-m", "64", "-M", "8", "-x", "tlsf"));
        processes.add(p);
        p.awaitLog("SO_RCVBUF is finally", Duration.ofSeconds(20));
        return p;
    }

    @BeforeAll
    static void start() throws Exception {
        sipp = LocalProcess.requireTool("sipp", "apt-get install sip-tester (./hack/test.sh does)");
        pki = new TestPki("interop");
        pki.writeCa(work.resolve("ca.crt"));
        edgeUdp = Ports.free();
        edgeTls = Ports.free();
        frontUdp = Ports.free();
        behindTls = Ports.free();
        uasPort = Ports.free();
        registrarPort = Ports.free();
        LocalProcess uas = LocalProcess.start("sipp uas", work.resolve("uas.log"), List.of(sipp, "-sf",
                REPO.resolve("hack/sipp/uas-backend.xml").toString(), "-i", UAS_IP, "-p", String.valueOf(uasPort), "-aa", "-nostdin",
                "-timeout", "120s"));
        processes.add(uas);
        pki.issue("edge", EDGE_IP, Duration.ofDays(2), "EC").writeTo(work.resolve("edge"));
        Probing probing = new Probing("OPTIONS", 1, 1, 1, List.of(200), 1000);
        RoutingModel model = new RoutingModel(List.of(
                new Domain("front.example.com", 1, true, "", null),
                new Domain("behind.example.com", 2, true, "", null),
                new Domain("reg.example.com", 3, true, "", null)),
                List.of(new DispatcherSet(1, "udp-pbx", Algorithm.ROUND_ROBIN, probing,
                                List.of(new Destination(1, "sip:" + UAS_IP + ":" + uasPort, 0, 1, 1, ""))),
                        new DispatcherSet(2, "tls-pbx", Algorithm.ROUND_ROBIN, probing,
                                List.of(new Destination(2, "sips:" + BEHIND_IP + ":" + behindTls, 0, 1, 1, ""))),
                        new DispatcherSet(3, "registrar", Algorithm.ROUND_ROBIN, probing,
                                List.of(new Destination(3, "sip:" + REGISTRAR_IP + ":" + registrarPort, 0, 1, 1, "")))));
        Path db = new RoutingDbBuilder().build(model, Fixtures.version(1), work.resolve("routing.db")).file();
        edge = Edge.start(EdgeConfig.parse(new String[] {"--routing-db", db.toString(),
                "--sip-listen", EDGE_IP + ":" + edgeUdp, "--tls-listen", EDGE_IP + ":" + edgeTls,
                "--tls-cert", work.resolve("edge/tls.crt").toString(), "--tls-key", work.resolve("edge/tls.key").toString(),
                "--tls-backend-ca", work.resolve("ca.crt").toString(), "--flood-exempt", "127.0.0.0/8",
                "--admin-listen", "127.0.0.1:" + Ports.free(), "--edge-id", "kamailio-tls-it"}, Map.of()));
        kamailio("front", FRONT_IP, frontUdp, Ports.free(), EDGE_IP + ":" + edgeTls, "tls", pki);
        kamailio("behind", BEHIND_IP, Ports.free(), behindTls, UAS_IP + ":" + uasPort, "udp", pki);
        registrar();
        Thread.sleep(2500); // two probe rounds: the sips backend is up
    }

    /** Kamailio's registrar from hack/kamailio/registrar.cfg: keeps Contact and Path, calls through the Path. */
    static void registrar() throws Exception {
        Path dir = work.resolve("registrar");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("kamailio.cfg"), Files.readString(REPO.resolve("hack/kamailio/registrar.cfg"))
                .replace("@LISTEN_IP@", REGISTRAR_IP).replace("@UDP_PORT@", String.valueOf(registrarPort)).replace("@CHILDREN@", "2"));
        LocalProcess p = LocalProcess.start("registrar", work.resolve("registrar.log"), List.of(
                LocalProcess.requireTool("kamailio", "apt-get install kamailio (./hack/test.sh does)"), "-DD", "-E", "-f",
                dir.resolve("kamailio.cfg").toString(), "-P", dir.resolve("kamailio.pid").toString(), "-Y", dir.toString(),
                "-m", "64", "-M", "8"));
        processes.add(p);
        p.awaitLog("SO_RCVBUF is finally", Duration.ofSeconds(20));
        registrar = p;
    }

    @AfterAll
    static void stop() throws Exception {
        for (LocalProcess p : processes) {
            p.close();
        }
        if (edge != null) {
            edge.close();
        }
    }

    static LocalProcess calls(String name, String target, String domain) throws Exception {
        LocalProcess c = LocalProcess.start(name, work.resolve(name + ".log"), List.of(sipp, target, "-sf",
                REPO.resolve("hack/sipp/uac-tenant.xml").toString(), "-key", "domain", domain, "-s", "100", "-i", "127.0.0.1",
                "-p", String.valueOf(Ports.free()), "-m", "20", "-r", "10", "-nostdin", "-timeout", "60s", "-timeout_error"));
        processes.add(c);
        return c;
    }

    /**
     * A phone behind a NAT registers over TLS through the edge to Kamailio's registrar, which stores the
     * Path the edge added. A call for the phone reaches Kamailio, which sends it to the phone's Contact (an
     * address nobody can reach) through that Path: the edge carries it over the phone's own TLS connection,
     * and the phone's answer goes back the same way. Once the phone has hung up its connection, Kamailio's
     * next call gets 430 Flow Failed.
     */
    @Test
    void kamailiosRegistrarCallsAPhoneRegisteredOverTlsThroughThePathTheEdgeAdded() throws Exception {
        java.net.InetSocketAddress edgeTlsAt = new java.net.InetSocketAddress(EDGE_IP, edgeTls);
        java.net.InetSocketAddress registrarAt = new java.net.InetSocketAddress(REGISTRAR_IP, registrarPort);
        Thread.sleep(1500); // the registrar's first probe answered: its destination is up
        try (io.pbx3sbc.edge.sip.tls.StreamPeer phone = io.pbx3sbc.edge.sip.tls.StreamPeer.connect("127.0.9.30", edgeTlsAt,
                TestPki.trusting(pki.caCertificate()));
             SipWire.UdpPeer caller = new SipWire.UdpPeer("127.0.9.31")) {
            String register = SipWire.request("REGISTER", "sip:reg.example.com", "sip:alice@reg.example.com", null, 70, null,
                    phone.connection().local(), "TLS", List.of())
                    .replaceFirst("(?m)^Contact: .*$", "Contact: <sip:alice@192.168.1.50:5099;transport=tls>;expires=300")
                    .replaceFirst("(?m)^From: .*$", "From: <sip:alice@reg.example.com>;tag=reg1");
            phone.connection().send(register);
            assertThat(phone.nextFinal(5000).orElseThrow().message()).as("the registrar's answer, over TLS").startsWith("SIP/2.0 200");

            String invite = SipWire.request("INVITE", "sip:alice@reg.example.com", "sip:alice@reg.example.com", null, 70, null,
                    caller.address(), "UDP", List.of());
            caller.send(invite, registrarAt);
            io.pbx3sbc.edge.sip.tls.StreamPeer.Received ringing = phone.next(5000).orElseThrow();
            assertThat(ringing.message()).as("what Kamailio sent through the Path").startsWith("INVITE sip:alice@192.168.1.50:5099");
            assertThat(SipWire.header(ringing.message(), "Route")).isNull();
            assertThat(registrar.log()).as("Kamailio's lookup took the stored Path")
                    .contains("calling sip:alice@192.168.1.50:5099;transport=tls through sip:F.");
            ringing.on().send(SipWire.okFor(ringing.message()));
            assertThat(caller.nextFinal(5000).orElseThrow()).as("the phone's answer, back through edge and registrar")
                    .startsWith("SIP/2.0 200");

            phone.close();
            Thread.sleep(300);
            caller.send(SipWire.request("INVITE", "sip:alice@reg.example.com", "sip:alice@reg.example.com", null, 70, null,
                    caller.address(), "UDP", List.of()), registrarAt);
            assertThat(caller.nextFinal(5000).orElseThrow()).as("the flow is gone").startsWith("SIP/2.0 430");
        }
    }

    @Test
    void callsThatKamailioCarriesToTheEdgeOverTlsReachAUdpBackendAndHangUp() throws Exception {
        LocalProcess c = calls("front-calls", FRONT_IP + ":" + frontUdp, "front.example.com");
        assertThat(c.awaitExit(Duration.ofSeconds(60))).as("sipp -> UDP -> Kamailio -> TLS -> edge -> UDP -> sipp:\n%s", c.log()).isZero();
    }

    @Test
    void callsTheEdgeCarriesOverTlsToAKamailioBackendComplete() throws Exception {
        LocalProcess c = calls("behind-calls", EDGE_IP + ":" + edgeUdp, "behind.example.com");
        assertThat(c.awaitExit(Duration.ofSeconds(60))).as("sipp -> UDP -> edge -> TLS -> Kamailio -> UDP -> sipp:\n%s", c.log()).isZero();
    }
}
