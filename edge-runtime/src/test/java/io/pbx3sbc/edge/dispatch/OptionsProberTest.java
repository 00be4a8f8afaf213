package io.pbx3sbc.edge.dispatch;

import io.pbx3sbc.edge.routing.RoutingTable;
import io.pbx3sbc.routingdb.ContentHash;
import io.pbx3sbc.routingdb.RoutingDb;
import io.pbx3sbc.routingdb.model.Algorithm;
import io.pbx3sbc.routingdb.model.Destination;
import io.pbx3sbc.routingdb.model.DispatcherSet;
import io.pbx3sbc.routingdb.model.Domain;
import io.pbx3sbc.routingdb.model.Probing;
import io.pbx3sbc.routingdb.model.RoutingModel;
import io.pbx3sbc.routingdb.testing.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Probe scheduling with a hand-driven clock: no network, no sleeping on the probe interval. */
class OptionsProberTest {
    static final String A = "sip:127.0.0.10:5060";
    static final Probing EVERY_30S = new Probing("OPTIONS", 30, 2, 2, List.of(200), 5000);

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final HealthTracker health = new HealthTracker();
    private final List<OptionsProber.Probe> sent = new ArrayList<>();

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    private OptionsProber prober() {
        var model = new RoutingModel(List.of(new Domain("t.example.com", 1, true, null, null)),
                List.of(new DispatcherSet(1, "s", Algorithm.ROUND_ROBIN, EVERY_30S, List.of(new Destination(1, A, 0, 0, 1, "")))));
        RoutingTable table = RoutingTable.from(new RoutingDb(Optional.of(Fixtures.version(1)), 1, null, ContentHash.of(model), model));
        OptionsProber p = new OptionsProber(() -> table, health, timers, now::get);
        p.setSenderForTest((b, probe) -> {
            sent.add(probe);
            return () -> { };
        });
        return p;
    }

    /** The first probe falls somewhere in the first interval, by URI; after one interval it has been sent. */
    private void firstRound(OptionsProber p) {
        p.tick();
        now.addAndGet(30_000);
        p.tick();
        assertThat(sent).hasSize(1);
    }

    @Test
    void probesAtTheIntervalOnlyAndCountsAnswers() {
        OptionsProber p = prober();
        firstRound(p);
        p.answered(sent.get(0), 200);
        now.addAndGet(10_000);
        p.tick();
        assertThat(sent).as("not due before 30 s").hasSize(1);
        now.addAndGet(20_000);
        p.tick();
        assertThat(sent).hasSize(2);
    }

    @Test
    void aFailedProbeIsConfirmedWithinSecondsAndTheSecondFailureMarksDown() {
        OptionsProber p = prober();
        firstRound(p);
        p.timedOut(sent.get(0));
        assertThat(health.isUp(A)).isTrue();
        now.addAndGet(2_000);
        p.tick();
        assertThat(sent).as("confirmation probe 2 s later, not 30 s").hasSize(2);
        p.answered(sent.get(1), 503);
        assertThat(health.isUp(A)).isFalse();
    }

    @Test
    void anUnansweredRelayMakesTheNextTickProbe() {
        OptionsProber p = prober();
        firstRound(p);
        p.answered(sent.get(0), 200);
        now.addAndGet(1_000);
        p.probeSoon(A);
        p.tick();
        assertThat(sent).hasSize(2);
        p.answered(sent.get(1), 200);
        p.answered(sent.get(1), 200); // a retransmitted answer counts once
        assertThat(health.snapshot().get(A).lastReason()).isEqualTo("replied 200");
    }
}
