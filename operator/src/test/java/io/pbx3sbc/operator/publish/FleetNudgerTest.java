package io.pbx3sbc.operator.publish;

import com.sun.net.httpserver.HttpServer;
import io.pbx3sbc.routingdb.manifest.EdgeReport;
import io.pbx3sbc.routingdb.manifest.Nudge;
import io.pbx3sbc.routingdb.manifest.ReleasePointer;
import io.pbx3sbc.routingdb.manifest.SigningKeys;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class FleetNudgerTest {

    static EdgeReport at(String id, String address) {
        return new EdgeReport(id, 1L, null, "active", null, null, Instant.now(), List.of(), 1, 1, null, List.of(), null, address);
    }

    @Test
    void onlyIpLiteralsWithAPortAreCalled() {
        assertThat(FleetNudger.callable("10.1.2.3:9090")).isTrue();
        assertThat(FleetNudger.callable("[fd00::12]:9090")).isTrue();
        assertThat(FleetNudger.callable("metadata.google.internal:80")).as("no name is resolved").isFalse();
        assertThat(FleetNudger.callable("10.1.2.3")).isFalse();
        assertThat(FleetNudger.callable("10.1.2.3:9090/../x")).isFalse();
        assertThat(FleetNudger.callable("user@10.1.2.3:9090")).isFalse();
        assertThat(FleetNudger.callable(null)).isFalse();
    }

    @Test
    void everyEdgeWithAnAddressIsNudgedInParallelAndOnlyThoseThatLookedCount() throws Exception {
        List<byte[]> bodies = new CopyOnWriteArrayList<>();
        HttpServer looked = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        byte[] report = "{\"edgeId\":\"a\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        looked.createContext("/nudge", ex -> {
            bodies.add(ex.getRequestBody().readAllBytes());
            ex.sendResponseHeaders(200, report.length);
            ex.getResponseBody().write(report);
            ex.close();
        });
        HttpServer refuses = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        refuses.createContext("/nudge", ex -> {
            ex.sendResponseHeaders(403, -1);
            ex.close();
        });
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        looked.start();
        refuses.start();
        var keys = SigningKeys.generate();
        Nudge nudge = SigningKeys.sign(Nudge.of(new ReleasePointer("edge", 1L, 2L, List.of(), Instant.now()).withOrder(9, 1),
                Instant.now()), keys);
        try (FleetNudger nudger = new FleetNudger()) {
            FleetNudger.Result r = nudger.nudge(List.of(
                    at("a", "127.0.0.1:" + looked.getAddress().getPort()),
                    at("b", "127.0.0.1:" + refuses.getAddress().getPort()),
                    at("c", "127.0.0.1:" + closedPort),
                    at("d", null),
                    at("e", "localhost:" + looked.getAddress().getPort())), nudge);
            assertThat(r.nudged()).isEqualTo(3);
            assertThat(r.answered()).isEqualTo(1);
            assertThat(r.answers()).containsOnlyKeys("a");
            assertThat(r.answers().get("a")).as("the edge's report, as it answered").isEqualTo(report);
            assertThat(bodies).singleElement().satisfies(b -> assertThat(Nudge.fromJson(b)).isEqualTo(nudge));
        } finally {
            looked.stop(0);
            refuses.stop(0);
        }
    }
}
