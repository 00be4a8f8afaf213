package io.pbx3sbc.operator.status;

import io.pbx3sbc.operator.api.v1alpha1.Condition;
import io.pbx3sbc.operator.api.v1alpha1.DispatcherSetSpec;
import io.pbx3sbc.operator.api.v1alpha1.DispatcherSetStatus;
import io.pbx3sbc.routingdb.manifest.EdgeReport;
import io.pbx3sbc.routingdb.manifest.EdgeReport.DestinationHealth;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DestinationHealthStatusesTest {
    private static final String A = "sip:10.0.0.1:5060";
    private static final String B = "sip:10.0.0.2:5060";
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    private static DispatcherSetSpec.Destination dest(String uri, String state) {
        DispatcherSetSpec.Destination d = new DispatcherSetSpec.Destination();
        d.uri = uri;
        d.state = state;
        return d;
    }

    private static DestinationHealth seen(String uri, String state, boolean up, int dialogs) {
        return new DestinationHealth(uri, state, up, NOW.minusSeconds(30), up ? "" : "timeout",
                up ? "replied 200" : "no reply to OPTIONS within 5000 ms", dialogs, 10, 0);
    }

    private static EdgeReport edge(String id, DestinationHealth... destinations) {
        return new EdgeReport(id, 3L, null, "active", null, null, NOW, List.of(destinations));
    }

    private static Condition healthy(DispatcherSetStatus s) {
        return s.conditions.stream().filter(c -> c.type.equals(Reasons.HEALTHY)).findFirst().orElseThrow();
    }

    @Test
    void countsEdgesThatSeeEachDestinationUp() {
        var spec = List.of(dest(A, "active"), dest(B, "active"));
        var entry = DestinationHealthStatuses.fleetEntry("f", spec, List.of(
                edge("e1", seen(A, "active", true, 2), seen(B, "active", false, 0)),
                edge("e2", seen(A, "active", true, 1), seen(B, "active", true, 0))));
        DispatcherSetStatus s = new DispatcherSetStatus();
        assertThat(DestinationHealthStatuses.apply(s, "f", entry, spec, 1, NOW)).isTrue();
        assertThat(s.up).isEqualTo("1/2");
        assertThat(s.destinations.get(0).edgesUp).isEqualTo(2);
        assertThat(s.destinations.get(0).dialogs).isEqualTo(3);
        assertThat(s.destinations.get(1).edgesUp).isEqualTo(1);
        assertThat(s.destinations.get(1).edges).isEqualTo(2);
        assertThat(s.destinations.get(1).reason).isEqualTo("timeout");
        assertThat(healthy(s).status).isEqualTo("True");
        assertThat(healthy(s).reason).isEqualTo(Reasons.DESTINATIONS_DOWN);
        assertThat(healthy(s).message).contains(B + " down on 1 of 2 edges (timeout)");
    }

    @Test
    void saysWhenSomeEdgeHasNoHealthyDestination() {
        var spec = List.of(dest(A, "active"), dest(B, "draining"));
        // On e1 only the draining destination is up: it takes no new call, so new calls get 503 there.
        var entry = DestinationHealthStatuses.fleetEntry("f", spec, List.of(
                edge("e1", seen(A, "active", false, 0), seen(B, "draining", true, 0)),
                edge("e2", seen(A, "active", true, 0), seen(B, "draining", true, 0))));
        DispatcherSetStatus s = new DispatcherSetStatus();
        DestinationHealthStatuses.apply(s, "f", entry, spec, 1, NOW);
        assertThat(healthy(s).status).isEqualTo("False");
        assertThat(healthy(s).reason).isEqualTo(Reasons.NO_HEALTHY_DESTINATION);
        assertThat(healthy(s).message).contains("1 of 2 edges of fleet f (e1)");
    }

    @Test
    void aDrainingDestinationIsDrainedOnlyWhenEveryEdgeAppliesTheDrainAndHasNoDialogLeft() {
        var spec = List.of(dest(A, "active"), dest(B, "draining"));
        DispatcherSetStatus s = new DispatcherSetStatus();
        // e2 has not taken the version with the drain yet: it still reports B active.
        DestinationHealthStatuses.apply(s, "f", DestinationHealthStatuses.fleetEntry("f", spec, List.of(
                edge("e1", seen(A, "active", true, 0), seen(B, "draining", true, 0)),
                edge("e2", seen(A, "active", true, 0), seen(B, "active", true, 0)))), spec, 2, NOW);
        assertThat(s.destinations.get(1).drained).isFalse();
        DestinationHealthStatuses.apply(s, "f", DestinationHealthStatuses.fleetEntry("f", spec, List.of(
                edge("e1", seen(A, "active", true, 0), seen(B, "draining", true, 1)),
                edge("e2", seen(A, "active", true, 0), seen(B, "draining", true, 0)))), spec, 2, NOW);
        assertThat(s.destinations.get(1).drained).isFalse();
        assertThat(s.destinations.get(1).dialogs).isEqualTo(1);
        DispatcherSetStatus before = copyOf(s);
        boolean changed = DestinationHealthStatuses.apply(s, "f", DestinationHealthStatuses.fleetEntry("f", spec, List.of(
                edge("e1", seen(A, "active", true, 0), seen(B, "draining", true, 0)),
                edge("e2", seen(A, "active", true, 0), seen(B, "draining", true, 0)))), spec, 2, NOW);
        assertThat(changed).isTrue();
        assertThat(s.destinations.get(1).drained).isTrue();
        assertThat(DestinationHealthStatuses.transitions(before, s))
                .extracting(DestinationHealthStatuses.Transition::reason).containsExactly(Reasons.DESTINATION_DRAINED);
    }

    @Test
    void dialogCountsOfActiveDestinationsAloneDoNotCauseAWrite() {
        var spec = List.of(dest(A, "active"));
        DispatcherSetStatus s = new DispatcherSetStatus();
        DestinationHealthStatuses.apply(s, "f", DestinationHealthStatuses.fleetEntry("f", spec,
                List.of(edge("e1", seen(A, "active", true, 5)))), spec, 1, NOW);
        assertThat(DestinationHealthStatuses.apply(s, "f", DestinationHealthStatuses.fleetEntry("f", spec,
                List.of(edge("e1", seen(A, "active", true, 7)))), spec, 1, NOW)).isFalse();
        assertThat(DestinationHealthStatuses.apply(s, "f", DestinationHealthStatuses.fleetEntry("f", spec,
                List.of(edge("e1", seen(A, "active", true, 0)))), spec, 1, NOW)).as("reaching zero is news").isTrue();
    }

    @Test
    void disabledDestinationsCountNeitherUpNorDown() {
        var spec = List.of(dest(A, "active"), dest(B, "disabled"));
        DispatcherSetStatus s = new DispatcherSetStatus();
        DestinationHealthStatuses.apply(s, "f", DestinationHealthStatuses.fleetEntry("f", spec, List.of(
                edge("e1", seen(A, "active", true, 0),
                        new DestinationHealth(B, "disabled", false, null, "disabled", "disabled: not probed", 0, 0, 0)))),
                spec, 1, NOW);
        assertThat(s.up).isEqualTo("1/1");
        assertThat(healthy(s).reason).isEqualTo(Reasons.ALL_DESTINATIONS_UP);
    }

    @Test
    void transitionsBecomeEventsOnceEach() {
        var spec = List.of(dest(A, "active"), dest(B, "active"));
        DispatcherSetStatus s = new DispatcherSetStatus();
        DestinationHealthStatuses.apply(s, "f", DestinationHealthStatuses.fleetEntry("f", spec,
                List.of(edge("e1", seen(A, "active", true, 0), seen(B, "active", true, 0)))), spec, 1, NOW);
        DispatcherSetStatus before = copyOf(s);
        DestinationHealthStatuses.apply(s, "f", DestinationHealthStatuses.fleetEntry("f", spec,
                List.of(edge("e1", seen(A, "active", true, 0), seen(B, "active", false, 0)))), spec, 1, NOW);
        var down = DestinationHealthStatuses.transitions(before, s);
        assertThat(down).singleElement().satisfies(t -> {
            assertThat(t.reason()).isEqualTo(Reasons.DESTINATION_DOWN);
            assertThat(t.warning()).isTrue();
            assertThat(t.message()).contains(B, "1 of 1 edges", "timeout");
        });
        assertThat(DestinationHealthStatuses.transitions(copyOf(s), s)).isEmpty();
    }

    @Test
    void withoutReportsHealthIsUnknownAndAFleetThatStopsServingLeavesNoEntry() {
        var spec = List.of(dest(A, "active"));
        DispatcherSetStatus s = new DispatcherSetStatus();
        DestinationHealthStatuses.apply(s, "f", DestinationHealthStatuses.fleetEntry("f", spec, List.of()), spec, 1, NOW);
        assertThat(healthy(s).status).isEqualTo("Unknown");
        assertThat(s.up).isEqualTo("0/1");
        DestinationHealthStatuses.apply(s, "f", null, spec, 1, NOW);
        assertThat(s.fleetHealth).isEmpty();
    }

    private static DispatcherSetStatus copyOf(DispatcherSetStatus s) {
        return io.fabric8.kubernetes.client.utils.Serialization.clone(s);
    }
}
