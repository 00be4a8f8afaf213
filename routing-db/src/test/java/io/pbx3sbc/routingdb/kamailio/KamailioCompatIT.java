package io.pbx3sbc.routingdb.kamailio;

import io.pbx3sbc.routingdb.RoutingDbBuilder;
import io.pbx3sbc.routingdb.model.Algorithm;
import io.pbx3sbc.routingdb.model.Destination;
import io.pbx3sbc.routingdb.model.DestinationState;
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

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compatibility claim: a routing.db built by this library is loaded as it is by a real Kamailio
 * 5.6 running the seed's routing logic (sqlops domain lookup, dispatcher ds_select_dst), which routes
 * a call for a known tenant to a sipp backend and ignores one for an unknown or disabled tenant.
 */
class KamailioCompatIT {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final String LOOPBACK = "127.0.0.1";

    @TempDir
    static Path work;
    static int kamailioPort;
    static int backendPort;
    static LocalProcess backend;
    static LocalProcess stateBackend;
    static DatagramSocket disabledTrap;
    static DatagramSocket drainingTrap;
    static LocalProcess kamailio;

    @BeforeAll
    static void start() throws Exception {
        String kamailioBin = LocalProcess.requireTool("kamailio", "apt-get install kamailio kamailio-sqlite-modules (./hack/test.sh does)");
        String sipp = LocalProcess.requireTool("sipp", "apt-get install sip-tester (./hack/test.sh does)");
        kamailioPort = Ports.free();
        backendPort = Ports.free();

        int stateBackendPort = Ports.free();
        disabledTrap = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0));
        drainingTrap = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0));
        RoutingModel model = new RoutingModel(
                List.of(new Domain("tenant1.example.com", 10, true, "routed", null),
                        new Domain("off.example.com", 10, false, "disabled tenant", null),
                        new Domain("maintenance.example.com", 20, true, "a set with a disabled and a draining backend", null)),
                List.of(new DispatcherSet(10, "backends", Algorithm.ROUND_ROBIN, Probing.DEFAULT,
                                List.of(new Destination(10, "sip:" + LOOPBACK + ":" + backendPort, 0, 0, 1, ""))),
                        // Higher priority than the active one: Kamailio would pick them first if it ignored the flags.
                        new DispatcherSet(20, "maintenance", Algorithm.ROUND_ROBIN, Probing.DEFAULT, List.of(
                                new Destination(20, "sip:" + LOOPBACK + ":" + disabledTrap.getLocalPort(), 0, 9, 1, "",
                                        DestinationState.DISABLED),
                                new Destination(20, "sip:" + LOOPBACK + ":" + drainingTrap.getLocalPort(), 0, 8, 1, "",
                                        DestinationState.DRAINING),
                                new Destination(20, "sip:" + LOOPBACK + ":" + stateBackendPort, 0, 0, 1, "")))));
        Path db = new RoutingDbBuilder().build(model, Fixtures.version(1), work.resolve("routing.db")).file();

        // The backend first: Kamailio probes destinations as soon as it starts.
        backend = LocalProcess.start("sipp backend", work.resolve("backend.log"), List.of(sipp,
                "-sf", REPO.resolve("hack/sipp/uas-backend.xml").toString(), "-i", LOOPBACK, "-p", String.valueOf(backendPort),
                "-aa", "-m", "1", "-nostdin", "-timeout", "60s"));
        stateBackend = LocalProcess.start("sipp backend of the maintenance set", work.resolve("state-backend.log"),
                List.of(sipp, "-sf", REPO.resolve("hack/sipp/uas-backend.xml").toString(), "-i", LOOPBACK,
                        "-p", String.valueOf(stateBackendPort), "-aa", "-m", "3", "-nostdin", "-timeout", "60s"));

        String cfg = Files.readString(REPO.resolve("hack/kamailio/seed-routing.cfg"))
                .replace("@LISTEN@", LOOPBACK + ":" + kamailioPort).replace("@DB_PATH@", db.toString())
                .replace("@CHILDREN@", "2").replace("@PING_INTERVAL@", "30");
        Path cfgFile = work.resolve("kamailio.cfg");
        Files.writeString(cfgFile, cfg);
        kamailio = LocalProcess.start("kamailio", work.resolve("kamailio.log"), List.of(kamailioBin,
                "-DD", "-E", "-f", cfgFile.toString(), "-P", work.resolve("kamailio.pid").toString(),
                "-Y", work.toString(), "-m", "64", "-M", "8", "-x", "tlsf"));
        kamailio.awaitLog("SO_RCVBUF is finally", Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() throws Exception {
        if (kamailio != null) {
            kamailio.close();
        }
        if (backend != null) {
            backend.close();
        }
        if (stateBackend != null) {
            stateBackend.close();
        }
        for (DatagramSocket trap : new DatagramSocket[] {disabledTrap, drainingTrap}) {
            if (trap != null) {
                trap.close();
            }
        }
    }

    @Test
    void kamailioSendsNoNewCallToDisabledOrDrainingDestinationsWrittenByOurBuilder() throws Exception {
        String sipp = LocalProcess.requireTool("sipp", "apt-get install sip-tester");
        try (LocalProcess caller = LocalProcess.start("sipp caller", work.resolve("state-caller.log"), List.of(sipp,
                LOOPBACK + ":" + kamailioPort, "-sf", REPO.resolve("hack/sipp/uac-tenant.xml").toString(),
                "-key", "domain", "maintenance.example.com", "-s", "100", "-i", LOOPBACK, "-p", String.valueOf(Ports.free()),
                "-m", "3", "-r", "10", "-nostdin", "-timeout", "20s", "-timeout_error"))) {
            assertThat(caller.awaitExit(Duration.ofSeconds(30))).as("caller: %s%nkamailio: %s", caller.log(), kamailio.log())
                    .isZero();
        }
        assertThat(stateBackend.awaitExit(Duration.ofSeconds(30)))
                .as("the one active backend took all three calls: %s", stateBackend.log()).isZero();
        assertThat(invitesReceived(disabledTrap)).as("INVITEs at the disabled destination").isZero();
        assertThat(invitesReceived(drainingTrap)).as("INVITEs at the draining destination").isZero();
    }

    /** INVITEs waiting on a trap socket (OPTIONS probes are not counted). */
    private static int invitesReceived(DatagramSocket trap) throws Exception {
        trap.setSoTimeout(200);
        int invites = 0;
        byte[] buf = new byte[8192];
        while (true) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                trap.receive(p);
            } catch (SocketTimeoutException empty) {
                return invites;
            }
            if (new String(buf, 0, p.getLength(), StandardCharsets.US_ASCII).startsWith("INVITE ")) {
                invites++;
            }
        }
    }

    @Test
    void routesACallForAKnownTenantToItsBackendAndIgnoresUnknownOnes() throws Exception {
        String sipp = LocalProcess.requireTool("sipp", "apt-get install sip-tester");
        try (LocalProcess caller = LocalProcess.start("sipp caller", work.resolve("caller.log"), List.of(sipp,
                LOOPBACK + ":" + kamailioPort, "-sf", REPO.resolve("hack/sipp/uac-tenant.xml").toString(),
                "-key", "domain", "tenant1.example.com", "-s", "100", "-i", LOOPBACK, "-p", String.valueOf(Ports.free()),
                "-m", "1", "-nostdin", "-timeout", "20s", "-timeout_error"))) {
            assertThat(caller.awaitExit(Duration.ofSeconds(30))).as("caller: %s%nkamailio: %s", caller.log(), kamailio.log())
                    .isZero();
        }
        assertThat(backend.awaitExit(Duration.ofSeconds(30))).as("the backend took exactly one call: %s", backend.log()).isZero();

        // Unknown and disabled tenants: silence, as the seed's door-knocker protection promises.
        assertThat(sendInvite("unknown.example.net", 70)).isEmpty();
        assertThat(sendInvite("off.example.com", 70)).isEmpty();
        assertThat(kamailio.log()).contains("Door-knock blocked: domain=unknown.example.net");
        // The same socket does get answers where they are due, so the silence above means something.
        assertThat(sendInvite("unknown.example.net", 0)).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 483"));
    }

    /** Sends one INVITE over UDP and returns the first reply within 2 s, if any. */
    private static Optional<String> sendInvite(String domain, int maxForwards) throws Exception {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(LOOPBACK), 0))) {
            socket.setSoTimeout(2000);
            int port = socket.getLocalPort();
            String msg = "INVITE sip:100@" + domain + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP " + LOOPBACK + ":" + port + ";branch=z9hG4bK-" + System.nanoTime() + "\r\n"
                    + "Max-Forwards: " + maxForwards + "\r\n"
                    + "From: <sip:probe@" + LOOPBACK + ">;tag=1\r\n"
                    + "To: <sip:100@" + domain + ">\r\n"
                    + "Call-ID: " + System.nanoTime() + "@" + LOOPBACK + "\r\n"
                    + "CSeq: 1 INVITE\r\n"
                    + "Contact: <sip:probe@" + LOOPBACK + ":" + port + ">\r\n"
                    + "Content-Length: 0\r\n\r\n";
            byte[] bytes = msg.getBytes(StandardCharsets.US_ASCII);
            socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getByName(LOOPBACK), kamailioPort));
            byte[] buf = new byte[4096];
            DatagramPacket reply = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(reply);
                return Optional.of(new String(buf, 0, reply.getLength(), StandardCharsets.US_ASCII));
            } catch (SocketTimeoutException silence) {
                return Optional.empty();
            }
        }
    }
}
