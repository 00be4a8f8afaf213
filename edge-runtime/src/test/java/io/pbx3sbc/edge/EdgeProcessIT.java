package io.pbx3sbc.edge;

import io.pbx3sbc.edge.sip.SipWire;
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
import org.junit.jupiter.api.Test;
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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The edge as it runs in a pod, started by {@code hack/edge.sh}: 100,000 domains and 10,000 probed
 * destinations in a 256 MiB heap (the process exits on an OutOfMemoryError, so surviving is the proof),
 * a call routed, and SIGTERM draining before exit.
 */
class EdgeProcessIT {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path work;

    /** 100k tenants over 100 sets of 100 loopback destinations each (nothing listens there: probes fail). */
    static RoutingModel large(InetSocketAddress realBackend) {
        List<DispatcherSet> sets = new ArrayList<>();
        for (int s = 1; s <= 100; s++) {
            List<Destination> ds = new ArrayList<>();
            for (int d = 0; d < 100; d++) {
                int n = (s - 1) * 100 + d;
                ds.add(new Destination(s, "sip:127.60." + (n >> 8) + "." + (n & 255) + ":5060", 0, d, 1, ""));
            }
            sets.add(new DispatcherSet(s, "set-" + s, Algorithm.ROUND_ROBIN, Probing.DEFAULT, ds));
        }
        sets.add(new DispatcherSet(1000, "real", Algorithm.ROUND_ROBIN, Probing.DEFAULT, List.of(new Destination(1000,
                "sip:" + realBackend.getHostString() + ":" + realBackend.getPort(), 0, 0, 1, ""))));
        List<Domain> domains = new ArrayList<>(100_001);
        for (int i = 0; i < 100_000; i++) {
            domains.add(new Domain("tenant" + i + ".voip.example.com", 1 + i % 100, true, null, null));
        }
        domains.add(new Domain("real.example.com", 1000, true, null, null));
        return new RoutingModel(domains, sets);
    }

    @Test
    void servesOneHundredThousandDomainsIn256MiBAndDrainsOnSigterm() throws Exception {
        try (SipWire.UdpPeer backend = new SipWire.UdpPeer("127.0.5.30");
             SipWire.UdpPeer caller = new SipWire.UdpPeer("127.0.0.1")) {
            InetSocketAddress backendAddr = backend.address();
            Path db = new RoutingDbBuilder().build(large(backendAddr), Fixtures.version(7), work.resolve("routing.db")).file();
            int sipPort = Ports.free();
            int adminPort = Ports.free();
            try (LocalProcess edge = LocalProcess.start("edge", work.resolve("edge.log"), List.of(
                    REPO.resolve("hack/edge.sh").toString(), "--routing-db", db.toString(),
                    "--sip-listen", "127.0.5.1:" + sipPort, "--admin-listen", "127.0.0.1:" + adminPort,
                    "--edge-id", "big", "--drain-timeout", "20s"),
                    Map.of("EDGE_JAVA_OPTS", "-Xms64m -Xmx256m -XX:+ExitOnOutOfMemoryError"))) {
                HttpClient http = HttpClient.newHttpClient();
                awaitReady(http, adminPort, edge);
                Thread.sleep(7000); // the first probe round to all 10,000 destinations times out meanwhile

                InetSocketAddress edgeSip = new InetSocketAddress("127.0.5.1", sipPort);
                caller.send(SipWire.request("INVITE", "sip:100@real.example.com", "sip:100@real.example.com", null, 70,
                        "pbx", caller.address(), "UDP", List.of()), edgeSip);
                String relayed = backend.nextRequest(5000).orElseThrow(() -> new AssertionError("backend got no INVITE"));
                assertThat(relayed).startsWith("INVITE sip:100@real.example.com SIP/2.0");

                String status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/status")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(status).contains("\"domains\" : 100001").contains("\"version\" : 7");
                // Without --admin-detail the admin port says nothing of who the tenants are or where their PBXes are.
                assertThat(status).doesNotContain(backendAddr.getAddress().getHostAddress()).doesNotContain("real.example.com");
                assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort
                        + "/lookup?domain=real.example.com")).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                        .isEqualTo(403);
                assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body()).doesNotContain("pbx3sbc_edge_tenant_requests_total");
                System.out.println("edge with 100k domains, /status jvm: "
                        + status.substring(status.indexOf("\"jvm\""), status.indexOf('}', status.indexOf("\"jvm\"")) + 1));

                // SIGTERM with the INVITE still open: the edge drains, so the backend's answer still reaches the caller.
                edge.terminate();
                Thread.sleep(500);
                backend.send(SipWire.okFor(relayed), edgeSip);
                String answer = caller.nextFinal(5000).orElseThrow(() -> new AssertionError(
                        "the caller got no final answer while the edge drained:\n" + edge.log()));
                assertThat(answer).startsWith("SIP/2.0 200");
                assertThat(edge.awaitExit(Duration.ofSeconds(30))).as(edge.log()).isEqualTo(143);
                assertThat(edge.log()).contains("draining").contains("drained: no open transactions")
                        .doesNotContain("OutOfMemoryError");
            }
        }
    }

    private static void awaitReady(HttpClient http, int adminPort, LocalProcess edge) throws Exception {
        long deadline = System.currentTimeMillis() + 90_000;
        while (System.currentTimeMillis() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/readyz")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // admin port not open yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("edge not ready within 90 s:\n" + edge.log());
    }
}
