package io.pbx3sbc.e2e;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pbx3sbc.operator.api.v1alpha1.Condition;
import io.pbx3sbc.operator.api.v1alpha1.DispatcherSet;
import io.pbx3sbc.operator.api.v1alpha1.DispatcherSetStatus;
import io.pbx3sbc.routingdb.testing.Await;
import io.pbx3sbc.routingdb.testing.LocalProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Backends as an operator runs them, on the local product with two edges: a stopped backend shows as
 * down in the DispatcherSet's status (and up again when it returns); a destination drained under load
 * takes no new call while every call already up on it ends normally, its status says when no dialog is
 * left, and it is then disabled and re-activated without a failed call.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BackendOperationsIT {
    static final String NS = "default";
    static final int EDGES = 2;
    static final Duration WAIT = Duration.ofSeconds(90);
    static final Path state = Path.of("target/e2e-backends").toAbsolutePath();
    /** pbx-cluster-a probes every 5 s; its secondary takes no call while the primary is up. */
    static final String SECONDARY_A = "sip:127.0.1.11:5060";
    static final String DRAINED = "sip:127.0.1.21:5060;transport=udp";
    static LocalProduct product;
    static KubernetesClient client;

    @BeforeAll
    static void up() throws Exception {
        product = LocalProduct.up(state, EDGES);
        client = product.client();
        product.awaitConverged(client);
    }

    @AfterAll
    static void down() throws Exception {
        if (client != null) {
            client.close();
        }
        if (product != null) {
            product.close();
        }
    }

    static <T> T await(String what, Supplier<T> value, Predicate<T> done) throws InterruptedException {
        return Await.until(what, WAIT, value, done);
    }

    static DispatcherSet set(String name) {
        return client.resources(DispatcherSet.class).inNamespace(NS).withName(name).get();
    }

    static DispatcherSetStatus.DestinationHealth destination(String set, String uri) {
        DispatcherSet s = set(set);
        return s.getStatus() == null ? null : s.getStatus().destinations.stream().filter(d -> d.uri.equals(uri))
                .findFirst().orElse(null);
    }

    static Condition healthy(String set) {
        return set(set).getStatus().conditions.stream().filter(c -> c.type.equals("Healthy")).findFirst().orElse(null);
    }

    static void setState(String set, String uri, String state) {
        LocalProduct.edit(client.resources(DispatcherSet.class).inNamespace(NS).withName(set), s -> {
            s.getSpec().destinations.stream().filter(d -> d.uri.equals(uri)).forEach(d -> d.state = state);
            return s;
        });
    }

    static long requestsTo(int edge, String set, String uri) {
        return product.metric(edge, "pbx3sbc_edge_destination_requests_total{set=\"" + set + "\",uri=\"" + uri + "\"}");
    }

    @Test
    @Order(1)
    void aStoppedBackendShowsDownInTheDispatcherSetStatusAndUpAgainWhenItReturns() throws Exception {
        await("every destination of pbx-cluster-a up on both edges", () -> set("pbx-cluster-a"),
                s -> s.getStatus() != null && "2/2".equals(s.getStatus().up));
        long stopped = System.nanoTime();
        product.stop("sipp-127.0.1.11");
        var down = await("the stopped backend down on both edges", () -> destination("pbx-cluster-a", SECONDARY_A),
                d -> d != null && d.edges == EDGES && d.edgesUp == 0);
        double downAfter = (System.nanoTime() - stopped) / 1e9;
        assertThat(down.reason).isEqualTo("timeout");
        assertThat(down.message).contains("no reply to OPTIONS");
        assertThat(set("pbx-cluster-a").getStatus().up).isEqualTo("1/2");
        assertThat(healthy("pbx-cluster-a").reason).isEqualTo("DestinationsDown");
        // Probe interval 5 s, confirmation 2 s, edge report on the next poll, operator read within 10 s.
        assertThat(downAfter).as("seconds until the status showed it down").isLessThan(30);

        long started = System.nanoTime();
        product.start("sipp-127.0.1.11");
        await("the backend up again on both edges", () -> destination("pbx-cluster-a", SECONDARY_A),
                d -> d != null && d.edgesUp == EDGES);
        double upAfter = (System.nanoTime() - started) / 1e9;
        assertThat(healthy("pbx-cluster-a").reason).isEqualTo("AllDestinationsUp");
        System.out.printf("backend stopped: down in DispatcherSet status after %.1f s; restarted: up after %.1f s%n",
                downAfter, upAfter);
    }

    @Test
    @Order(2)
    void aDestinationDrainedUnderLoadTakesNoNewCallAndLosesNoneThenIsDisabledAndActivatedAgain() throws Exception {
        // Calls of 3 s, so that about 150 are up on each destination when the drain starts.
        Path longCalls = state.resolve("uac-3s.xml");
        Files.writeString(longCalls, Files.readString(LocalProduct.REPO.resolve("hack/sipp/uac-tenant.xml"))
                .replace("<pause milliseconds=\"200\"/>", "<pause milliseconds=\"3000\"/>"));
        int rate = 50; // per edge: 100 calls/s through the fleet
        int calls = rate * 60;
        LocalProcess[] callers = new LocalProcess[EDGES];
        for (int e = 1; e <= EDGES; e++) {
            callers[e - 1] = product.calls("drain-load-" + e, e, "initech.voip.example.com", calls, rate, longCalls);
        }
        await("dialogs up on the destination to drain", () -> set("pbx-cluster-b"), s -> s.getStatus() != null
                && s.getStatus().fleetHealth.stream().anyMatch(f -> f.destinations.stream()
                .anyMatch(d -> d.uri.equals(DRAINED) && d.dialogs > 0)));

        long drainAt = System.nanoTime();
        setState("pbx-cluster-b", DRAINED, "draining");
        var drained = await("no dialog left on the draining destination", () -> destination("pbx-cluster-b", DRAINED),
                d -> d != null && Boolean.TRUE.equals(d.drained) && d.dialogs == 0);
        double drainedAfter = (System.nanoTime() - drainAt) / 1e9;
        assertThat(drained.edges).isEqualTo(EDGES);
        long[] atDrained = {requestsTo(1, "20", DRAINED), requestsTo(2, "20", DRAINED)};

        setState("pbx-cluster-b", DRAINED, "disabled");
        await("the disabled destination taken out on both edges", () -> destination("pbx-cluster-b", DRAINED),
                d -> d != null && d.edgesUp == 0 && "disabled".equals(d.reason));
        long[] atDisabled = {requestsTo(1, "20", DRAINED), requestsTo(2, "20", DRAINED)};
        assertThat(atDisabled).as("no new call reached the destination once it was drained").isEqualTo(atDrained);

        setState("pbx-cluster-b", DRAINED, "active");
        await("the re-activated destination takes calls again", () -> requestsTo(1, "20", DRAINED) + requestsTo(2, "20", DRAINED),
                n -> n > atDisabled[0] + atDisabled[1]);

        for (int e = 1; e <= EDGES; e++) {
            LocalProcess caller = callers[e - 1];
            assertThat(caller.awaitExit(Duration.ofSeconds(150))).as("caller via edge-%s:%n%s", e, caller.log()).isZero();
            int[] counts = LocalProduct.callCounts(caller);
            assertThat(counts[0]).as("successful calls via edge-%s", e).isEqualTo(calls);
            assertThat(counts[1]).as("failed calls via edge-%s", e).isZero();
        }
        System.out.printf("drain under %d calls/s: drained (no dialog left) %.1f s after the spec change; %d calls, 0 failed%n",
                rate * EDGES, drainedAfter, calls * EDGES);
    }
}
