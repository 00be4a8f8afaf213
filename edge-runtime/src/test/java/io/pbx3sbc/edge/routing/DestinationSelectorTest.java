package io.pbx3sbc.edge.routing;

import io.pbx3sbc.routingdb.model.Algorithm;
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
}
