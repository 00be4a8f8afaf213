package io.pbx3sbc.edge.sip;

import io.pbx3sbc.edge.Edge;
import io.pbx3sbc.edge.EdgeConfig;
import io.pbx3sbc.edge.sip.tls.StreamPeer;
import io.pbx3sbc.routingdb.RoutingDbBuilder;
import io.pbx3sbc.routingdb.model.Domain;
import io.pbx3sbc.routingdb.model.RoutingModel;
import io.pbx3sbc.routingdb.testing.Fixtures;
import io.pbx3sbc.routingdb.testing.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static io.pbx3sbc.edge.sip.EdgeTlsIT.headers;
import static io.pbx3sbc.edge.sip.EdgeTlsIT.set;
import static io.pbx3sbc.edge.sip.EdgeTlsIT.udpUri;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two edges of one fleet behind one Service name, as the operator runs them: both advertise the Service
 * in Record-Route, each names its own address in Path. A phone registered over TCP on edge A is called
 * by the registrar through A, which holds its connection; the same request sent to edge B gets a clear
 * 430. A phone registered over UDP can be reached through either edge: its flow token carries the
 * binding.
 */
class FleetFlowsIT {
    static final String A_IP = "127.0.11.1", B_IP = "127.0.11.2", SERVICE = "edges.pbx.svc:5060";

    @TempDir
    static Path work;
    static Edge edgeA, edgeB;
    static InetSocketAddress aAddr, bAddr;
    static SipWire.UdpPeer registrar;

    static Edge edge(String ip, int port, Path db, Path key, String id) throws Exception {
        return Edge.start(EdgeConfig.parse(new String[] {"--routing-db", db.toString(),
                "--sip-listen", ip + ":" + port, "--advertised-address", SERVICE, "--path-address", ip + ":" + port,
                "--dialog-key-file", key.toString(), "--admin-listen", "127.0.0.1:" + Ports.free(), "--edge-id", id,
                "--fr-timer", "1s"}, Map.of()));
    }

    @BeforeAll
    static void start() throws Exception {
        registrar = new SipWire.UdpPeer("127.0.11.40", 0, true);
        Path db = new RoutingDbBuilder().build(new RoutingModel(List.of(new Domain("reg.example.com", 40, true, "", null)),
                List.of(set(40, udpUri(registrar)))), Fixtures.version(1), work.resolve("routing.db")).file();
        Path key = Files.writeString(work.resolve("dialog.key"), "the fleet's shared dialog key, 32+ bytes");
        aAddr = new InetSocketAddress(A_IP, Ports.free());
        bAddr = new InetSocketAddress(B_IP, Ports.free());
        edgeA = edge(A_IP, aAddr.getPort(), db, key, "edge-a");
        edgeB = edge(B_IP, bAddr.getPort(), db, key, "edge-b");
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {edgeA, edgeB, registrar}) {
            if (c != null) {
                c.close();
            }
        }
    }

    /** Registers through edge A; returns the Path the registrar got. */
    static String register(String user, InetSocketAddress phone, String transport, Sender send, Receiver answer) throws Exception {
        String register = SipWire.request("REGISTER", "sip:reg.example.com", "sip:" + user + "@reg.example.com", null, 70, null,
                phone, transport, List.of()).replaceFirst("(?m)^Contact: .*$",
                "Contact: <sip:" + user + "@192.168.1.60:5099;transport=" + transport.toLowerCase(java.util.Locale.ROOT) + ">;expires=300");
        send.send(register);
        String atRegistrar = registrar.nextRequest(3000).orElseThrow();
        List<String> path = headers(atRegistrar, "Path");
        assertThat(path).hasSize(1);
        registrar.send(SipWire.okFor(atRegistrar), aAddr);
        assertThat(answer.next()).startsWith("SIP/2.0 200");
        return path.get(0);
    }

    static String callFromRegistrar(String user, String path, String branch, String transport) {
        return "INVITE sip:" + user + "@192.168.1.60:5099;transport=" + transport + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + registrar.address().getHostString() + ":" + registrar.address().getPort() + ";branch=z9hG4bK-" + branch
                + "\r\nRoute: " + path + "\r\nMax-Forwards: 70\r\nFrom: <sip:pbx@reg.example.com>;tag=pbx-" + branch
                + "\r\nTo: <sip:" + user + "@reg.example.com>\r\nCall-ID: " + branch + "@pbx\r\nCSeq: 1 INVITE\r\n"
                + "Contact: <sip:pbx@" + registrar.address().getHostString() + ":" + registrar.address().getPort()
                + ">\r\nContent-Length: 0\r\n\r\n";
    }

    @Test
    void aTcpPhonesPathNamesTheEdgeHoldingItsConnectionAndAnotherEdgeSays430() throws Exception {
        try (StreamPeer phone = StreamPeer.connect("127.0.11.50", aAddr, null)) {
            String path = register("carol", phone.connection().local(), "TCP", m -> phone.connection().send(m),
                    () -> phone.nextFinal(3000).orElseThrow().message());
            assertThat(path).as("edge A's own address, not the Service every edge shares")
                    .startsWith("<sip:F.").endsWith("@" + A_IP + ":" + aAddr.getPort() + ";lr>");

            registrar.send(callFromRegistrar("carol", path, "via-a", "tcp"), aAddr);
            StreamPeer.Received ringing = phone.next(3000).orElseThrow();
            assertThat(ringing.message()).startsWith("INVITE sip:carol@192.168.1.60:5099");
            ringing.on().send(SipWire.okFor(ringing.message()));
            assertThat(registrar.nextFinal(3000).orElseThrow()).startsWith("SIP/2.0 200");

            registrar.send(callFromRegistrar("carol", path, "via-b", "tcp"), bAddr);
            assertThat(registrar.nextFinal(3000).orElseThrow()).as("edge B holds no connection to the phone")
                    .startsWith("SIP/2.0 430");
            assertThat(phone.next(300)).isEmpty();
        }
    }

    @Test
    void aUdpPhoneRegisteredOnOneEdgeIsReachedThroughAnother() throws Exception {
        try (SipWire.UdpPeer phone = new SipWire.UdpPeer("127.0.11.51")) {
            String path = register("dave", phone.address(), "UDP", m -> phone.send(m, aAddr), () -> phone.nextFinal(3000).orElseThrow());
            registrar.send(callFromRegistrar("dave", path, "udp-via-b", "udp"), bAddr);
            String ringing = phone.nextRequest(3000).orElseThrow();
            assertThat(ringing).startsWith("INVITE sip:dave@192.168.1.60:5099");
            phone.send(SipWire.okFor(ringing), bAddr);
            assertThat(registrar.nextFinal(3000).orElseThrow()).startsWith("SIP/2.0 200");
        }
    }

    interface Sender {
        void send(String message) throws Exception;
    }

    interface Receiver {
        String next() throws Exception;
    }
}
