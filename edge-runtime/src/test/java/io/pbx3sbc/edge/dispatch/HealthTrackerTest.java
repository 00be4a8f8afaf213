package io.pbx3sbc.edge.dispatch;

import io.pbx3sbc.edge.dispatch.HealthTracker.Transition;
import io.pbx3sbc.routingdb.model.Probing;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class HealthTrackerTest {
    static final String URI = "sip:127.0.0.10:5060";
    // The seed: probing threshold 2 (failures to go down), inactive threshold 2 (successes to come back).
    static final Probing SEED = Probing.DEFAULT;

    @Test
    void aDestinationNeverProbedIsUpSoANewVersionRoutesAtOnce() {
        assertThat(new HealthTracker().isUp(URI)).isTrue();
    }

    @Test
    void goesDownAfterProbingThresholdFailuresAndUpAfterInactiveThresholdSuccesses() {
        HealthTracker h = new HealthTracker();
        assertThat(h.probeResult(URI, SEED, 0)).isEqualTo(Transition.NONE);
        assertThat(h.isUp(URI)).isTrue();
        assertThat(h.probeResult(URI, SEED, 503)).isEqualTo(Transition.WENT_DOWN);
        assertThat(h.isUp(URI)).isFalse();
        assertThat(h.probeResult(URI, SEED, 0)).isEqualTo(Transition.NONE); // logged once, not again
        assertThat(h.probeResult(URI, SEED, 200)).isEqualTo(Transition.NONE);
        assertThat(h.isUp(URI)).isFalse();
        assertThat(h.probeResult(URI, SEED, 200)).isEqualTo(Transition.WENT_UP);
        assertThat(h.isUp(URI)).isTrue();
    }

    @Test
    void aSuccessInBetweenResetsTheFailureCount() {
        HealthTracker h = new HealthTracker();
        h.probeResult(URI, SEED, 0);
        h.probeResult(URI, SEED, 200);
        assertThat(h.probeResult(URI, SEED, 0)).isEqualTo(Transition.NONE);
        assertThat(h.isUp(URI)).isTrue();
    }

    @Test
    void onlyConfiguredReplyCodesCountAsAlive() {
        Probing accepts404 = new Probing("OPTIONS", 30, 1, 1, List.of(200, 404), 5000);
        HealthTracker h = new HealthTracker();
        assertThat(h.probeResult(URI, accepts404, 404)).isEqualTo(Transition.NONE);
        assertThat(h.probeResult(URI, accepts404, 486)).isEqualTo(Transition.WENT_DOWN);
        assertThat(h.snapshot().get(URI).lastReason()).isEqualTo("replied 486, expected 200,404");
    }

    @Test
    void forgetsDestinationsThatLeftEveryVersion() {
        HealthTracker h = new HealthTracker();
        h.probeResult(URI, SEED, 0);
        h.probeResult("sip:127.0.0.11:5060", SEED, 0);
        h.retainOnly(Set.of("sip:127.0.0.11:5060"));
        assertThat(h.snapshot()).containsOnlyKeys("sip:127.0.0.11:5060");
        assertThat(h.isUp(URI)).isTrue();
    }
}
