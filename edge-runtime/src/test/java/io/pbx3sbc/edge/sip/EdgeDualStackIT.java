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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** An edge listening on [::] (what a dual-stack fleet runs) takes callers over IPv6 and IPv4 alike, to an IPv6 backend. */
class EdgeDualStackIT {
    @TempDir
    static Path work;
    static Edge edge;
    static int port;
    static SipWire.UdpPeer backend;

    @BeforeAll
    static void start() throws Exception {
        backend = new SipWire.UdpPeer("::1", 0, true);
        RoutingModel model = new RoutingModel(List.of(new Domain("v6.example.com", 1, true, "", null)),
                List.of(new DispatcherSet(1, "v6", Algorithm.ROUND_ROBIN, new Probing("OPTIONS", 1, 1, 1, List.of(200), 1000),
                        List.of(new Destination(1, "sip:[::1]:" + backend.address().getPort(), 0, 1, 1, "")))));
        Path db = new RoutingDbBuilder().build(model, Fixtures.version(1), work.resolve("routing.db")).file();
        port = Ports.free();
        edge = Edge.start(EdgeConfig.parse(new String[] {"--routing-db", db.toString(), "--sip-listen", "[::]:" + port,
                "--advertised-address", "[::1]:" + port, "--admin-listen", "127.0.0.1:" + Ports.free(), "--edge-id", "dual"}, Map.of()));
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

    @ParameterizedTest(name = "a caller on {0}")
    @ValueSource(strings = {"::1", "127.0.0.1"})
    void callersOfEitherFamilyAreRoutedAndAnswered(String callerIp) throws Exception {
        try (SipWire.UdpPeer caller = new SipWire.UdpPeer(callerIp)) {
            InetSocketAddress edgeAt = new InetSocketAddress(callerIp, port);
            caller.send(SipWire.request("INVITE", "sip:100@v6.example.com", "sip:100@v6.example.com", null, 70, null, caller.address(),
                    "UDP", List.of()), edgeAt);
            String atBackend = backend.nextRequest(3000).orElseThrow(() -> new AssertionError("no INVITE at the IPv6 backend"));
            assertThat(SipWire.header(atBackend, "Record-Route")).startsWith("<sip:[::1]:" + port + ";lr;pbxt=");
            backend.send(SipWire.okFor(atBackend), new InetSocketAddress("::1", port));
            assertThat(caller.nextFinal(3000).orElseThrow()).startsWith("SIP/2.0 200");
        }
    }
}
