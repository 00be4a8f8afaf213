package io.pbx3sbc.edge.routing;

import io.pbx3sbc.routingdb.model.Algorithm;
import io.pbx3sbc.routingdb.model.DestinationState;
import io.pbx3sbc.routingdb.model.Probing;
import io.pbx3sbc.routingdb.model.SipUri;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class DestinationSelectorTest {
    private final DestinationSelector selector = new DestinationSelector();

    private static BackendSet set(Algorithm algorithm, int... weights) {
        List<Backend> backends = new java.util.ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            String uri = "sip:127.0.0." + (i + 1) + ":5060";
            backends.add(new Backend(uri, SipUri.parse(uri), 0, weights[i], 0));
        }
        return new BackendSet(1, algorithm, Probing.DEFAULT, backends);
    }

    @Test
    void roundRobinCyclesThroughHealthyBackends() {
        BackendSet s = set(Algorithm.ROUND_ROBIN, 1, 1, 1);
        HealthView secondDown = uri -> !uri.equals("sip:127.0.0.2:5060");
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            counts.merge(selector.select(s, secondDown, "c" + i, Set.of()).uri(), 1, Integer::sum);
        }
        assertThat(counts).containsOnlyKeys("sip:127.0.0.1:5060", "sip:127.0.0.3:5060");
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isEqualTo(50));
    }

    @Test
    void hashOverCallIdSticksToOneBackend() {
        BackendSet s = set(Algorithm.HASH_CALL_ID, 1, 1, 1);
        String first = selector.select(s, HealthView.ALL_UP, "abc@host", Set.of()).uri();
        for (int i = 0; i < 10; i++) {
            assertThat(selector.select(s, HealthView.ALL_UP, "abc@host", Set.of()).uri()).isEqualTo(first);
        }
    }

    @Test
    void weightedFollowsTheWeightsAndNeverPicksWeightZero() {
        BackendSet s = set(Algorithm.WEIGHTED, 3, 1, 0);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            counts.merge(selector.select(s, HealthView.ALL_UP, null, Set.of()).uri(), 1, Integer::sum);
        }
        assertThat(counts).doesNotContainKey("sip:127.0.0.3:5060");
        double ratio = counts.get("sip:127.0.0.1:5060") / (double) counts.get("sip:127.0.0.2:5060");
        assertThat(ratio).isBetween(2.6, 3.4);
    }

    @Test
    void returnsNullWhenEveryBackendIsDownOrTried() {
        BackendSet s = set(Algorithm.PRIORITY, 1, 1);
        assertThat(selector.select(s, uri -> false, "c", Set.of())).isNull();
        assertThat(selector.select(s, HealthView.ALL_UP, "c", Set.of("sip:127.0.0.1:5060", "sip:127.0.0.2:5060"))).isNull();
    }

    @Test
    void hashOverCallIdMovesOnlyTheFailedDestinationsShareWhenOneOfFiveGoesDown() {
        BackendSet s = set(Algorithm.HASH_CALL_ID, 1, 1, 1, 1, 1);
        String failed = "sip:127.0.0.3:5060";
        HealthView oneDown = uri -> !uri.equals(failed);
        int calls = 10_000;
        int moved = 0;
        int onFailed = 0;
        int moduloMoved = 0;
        for (int i = 0; i < calls; i++) {
            String callId = java.util.UUID.nameUUIDFromBytes(("call-" + i).getBytes()).toString() + "@10.0.0.1";
            String before = selector.select(s, HealthView.ALL_UP, callId, Set.of()).uri();
            String after = selector.select(s, oneDown, callId, Set.of()).uri();
            if (!before.equals(after)) {
                moved++;
            }
            if (before.equals(failed)) {
                onFailed++;
            } else {
                assertThat(after).as("a call not on the failed destination stays where it was").isEqualTo(before);
            }
            // What hashCode modulo the healthy destinations (Kamailio's algorithm 0) would have done.
            int h = callId.hashCode();
            int moduloBefore = Math.floorMod(h, 5);
            List<Integer> healthy = List.of(0, 1, 3, 4);
            int moduloAfter = healthy.get(Math.floorMod(h, 4));
            if (moduloBefore != moduloAfter) {
                moduloMoved++;
            }
        }
        assertThat(moved).isEqualTo(onFailed);
        assertThat(moved / (double) calls).as("share moved by rendezvous hashing").isBetween(0.17, 0.23);
        assertThat(moduloMoved / (double) calls).as("share moved by hash modulo").isGreaterThan(0.7);
    }

    @Test
    void hashOverCallIdSpreadsCallsEvenly() {
        BackendSet s = set(Algorithm.HASH_CALL_ID, 1, 1, 1, 1, 1);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            counts.merge(selector.select(s, HealthView.ALL_UP, "call-" + i + "@host", Set.of()).uri(), 1, Integer::sum);
        }
        assertThat(counts).hasSize(5);
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(1700, 2300));
    }

    @Test
    void drainingAndDisabledDestinationsTakeNoNewDialog() {
        List<Backend> backends = List.of(
                backend("sip:127.0.0.1:5060", 9, DestinationState.DRAINING, 0),
                backend("sip:127.0.0.2:5060", 8, DestinationState.DISABLED, 0),
                backend("sip:127.0.0.3:5060", 1, DestinationState.ACTIVE, 0));
        for (Algorithm a : Algorithm.values()) {
            BackendSet s = new BackendSet(1, a, Probing.DEFAULT, backends);
            for (int i = 0; i < 20; i++) {
                assertThat(selector.select(s, HealthView.ALL_UP, "c" + i, Set.of()).uri()).as(a.wireName())
                        .isEqualTo("sip:127.0.0.3:5060");
            }
        }
        BackendSet onlyDraining = new BackendSet(1, Algorithm.PRIORITY, Probing.DEFAULT, backends.subList(0, 2));
        assertThat(selector.select(onlyDraining, HealthView.ALL_UP, "c", Set.of())).isNull();
    }

    @Test
    void priorityTakesTheHighestValueFirstAsKamailiosSerialAlgorithm() {
        BackendSet s = new BackendSet(1, Algorithm.PRIORITY, Probing.DEFAULT, List.of(
                backend("sip:127.0.0.1:5060", 1, DestinationState.ACTIVE, 0),
                backend("sip:127.0.0.2:5060", 10, DestinationState.ACTIVE, 0)).stream()
                .sorted(java.util.Comparator.comparingInt(Backend::priority).reversed()).toList());
        assertThat(selector.select(s, HealthView.ALL_UP, "c", Set.of()).uri()).isEqualTo("sip:127.0.0.2:5060");
    }

    @Test
    void aDestinationFlaggedInactiveStartsDownUntilProbesBringItUp() {
        io.pbx3sbc.edge.dispatch.HealthTracker health = new io.pbx3sbc.edge.dispatch.HealthTracker();
        Backend inactive = backend("sip:127.0.0.1:5060", 0, DestinationState.ACTIVE, DestinationState.KAMAILIO_INACTIVE);
        BackendSet s = new BackendSet(1, Algorithm.ROUND_ROBIN, Probing.DEFAULT, List.of(inactive));
        assertThat(selector.select(s, health, "c", Set.of())).isNull();
        health.probeResult(inactive.uri(), Probing.DEFAULT, 200, true, 1000);
        assertThat(selector.select(s, health, "c", Set.of())).as("one good probe is not enough").isNull();
        health.probeResult(inactive.uri(), Probing.DEFAULT, 200, true, 2000);
        assertThat(selector.select(s, health, "c", Set.of()).uri()).isEqualTo(inactive.uri());
    }

    private static Backend backend(String uri, int priority, DestinationState state, int flags) {
        return new Backend(uri, SipUri.parse(uri), priority, 1, flags, state);
    }
}
