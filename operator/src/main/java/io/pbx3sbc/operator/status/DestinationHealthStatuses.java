package io.pbx3sbc.operator.status;

import io.pbx3sbc.operator.api.v1alpha1.DispatcherSetSpec;
import io.pbx3sbc.operator.api.v1alpha1.DispatcherSetStatus;
import io.pbx3sbc.operator.api.v1alpha1.DispatcherSetStatus.DestinationHealth;
import io.pbx3sbc.operator.api.v1alpha1.DispatcherSetStatus.FleetHealth;
import io.pbx3sbc.routingdb.manifest.EdgeReport;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Destination health on a DispatcherSet's status, from the reports of the edges that serve it (pure).
 * Each fleet owns its entry in {@code fleetHealth}; {@code destinations}, {@code up} and the Healthy
 * condition sum the entries up, as the Accepted condition sums the fleets' verdicts.
 *
 * <p>Dialog counts move with every call; a status write for each would load the API server for nothing.
 * So a change is worth a write when a destination goes up or down, its state or reason changes, its
 * dialogs reach zero or leave it, or (exactly) while it drains, which is when someone waits on the count.
 */
public final class DestinationHealthStatuses {
    private DestinationHealthStatuses() {
    }

    /** What users should hear of as an Event. */
    public record Transition(String reason, boolean warning, String message) {
    }

    /**
     * One fleet's entry from its live edges' reports. An edge counts for this set when its report names
     * at least one of the set's destinations (its active table has the set).
     */
    public static FleetHealth fleetEntry(String fleet, List<DispatcherSetSpec.Destination> spec, List<EdgeReport> live) {
        FleetHealth entry = new FleetHealth();
        entry.fleet = fleet;
        Set<String> uris = spec.stream().map(d -> d.uri).collect(Collectors.toSet());
        Set<String> takingNewCalls = spec.stream().filter(d -> "active".equals(stateOf(d))).map(d -> d.uri)
                .collect(Collectors.toSet());
        List<EdgeReport> byEdge = live.stream().sorted(Comparator.comparing(EdgeReport::edgeId)).toList();
        int edges = 0;
        for (EdgeReport r : byEdge) {
            List<EdgeReport.DestinationHealth> mine = r.destinations().stream().filter(d -> uris.contains(d.uri())).toList();
            if (mine.isEmpty()) {
                continue;
            }
            edges++;
            boolean healthy = mine.stream().anyMatch(d -> d.up() && takingNewCalls.contains(d.uri()));
            if (!healthy) {
                entry.edgesWithoutHealthyDestination.add(r.edgeId());
            }
        }
        entry.edges = edges;
        for (DispatcherSetSpec.Destination d : spec) {
            DestinationHealth h = empty(d);
            boolean allDrained = true;
            Instant last = null;
            for (EdgeReport r : byEdge) {
                for (EdgeReport.DestinationHealth e : r.destinations()) {
                    if (!e.uri().equals(d.uri)) {
                        continue;
                    }
                    h.edges++;
                    h.dialogs += e.dialogs();
                    if (e.up()) {
                        h.edgesUp++;
                    } else if (h.reason == null) {
                        h.reason = e.reason();
                        h.message = r.edgeId() + ": " + e.detail();
                    }
                    // Drained means every edge applies the drain already and has no dialog left on it.
                    allDrained &= "draining".equals(e.state()) && e.dialogs() == 0;
                    if (e.since() != null && (last == null || e.since().isAfter(last))) {
                        last = e.since();
                    }
                }
            }
            h.drained = "draining".equals(h.state) && h.edges > 0 && allDrained;
            h.lastTransitionTime = last == null ? null : last.toString();
            entry.destinations.add(h);
        }
        return entry;
    }

    /**
     * Records one fleet's entry (null: the fleet no longer serves the set) and sums up.
     *
     * @return whether the status changed enough to be written (see the class comment)
     */
    public static boolean apply(DispatcherSetStatus status, String fleet, FleetHealth entry,
                                List<DispatcherSetSpec.Destination> spec, long generation, Instant now) {
        List<String> before = shape(status);
        List<FleetHealth> fleets = new ArrayList<>(status.fleetHealth == null ? List.of() : status.fleetHealth);
        fleets.removeIf(f -> fleet.equals(f.fleet));
        if (entry != null) {
            fleets.add(entry);
        }
        fleets.sort(Comparator.comparing(f -> f.fleet));
        status.fleetHealth = fleets;
        status.destinations = sum(fleets, spec);
        long notDisabled = status.destinations.stream().filter(d -> !"disabled".equals(d.state)).count();
        long upEverywhere = status.destinations.stream()
                .filter(d -> !"disabled".equals(d.state) && d.edges > 0 && d.edgesUp.equals(d.edges)).count();
        status.up = upEverywhere + "/" + notDisabled;
        status.conditions = healthy(status, fleets, generation, now);
        return !before.equals(shape(status));
    }

    /** Events for what changed between two statuses of the same set. */
    public static List<Transition> transitions(DispatcherSetStatus before, DispatcherSetStatus after) {
        List<Transition> out = new ArrayList<>();
        for (DestinationHealth now : after.destinations) {
            DestinationHealth was = before == null || before.destinations == null ? null : before.destinations.stream()
                    .filter(d -> d.uri.equals(now.uri)).findFirst().orElse(null);
            if (now.edges == 0 || "disabled".equals(now.state)) {
                continue;
            }
            boolean upNow = now.edgesUp.equals(now.edges);
            boolean upBefore = was == null || was.edges == null || was.edges == 0 || was.edgesUp.equals(was.edges);
            if (upBefore && !upNow) {
                out.add(new Transition(Reasons.DESTINATION_DOWN, true, now.uri + " is down on "
                        + (now.edges - now.edgesUp) + " of " + now.edges + " edges (" + now.reason + "; " + now.message + ")."));
            } else if (!upBefore && upNow) {
                out.add(new Transition(Reasons.DESTINATION_UP, false, now.uri + " is up on all " + now.edges + " edges."));
            }
            if (Boolean.TRUE.equals(now.drained) && (was == null || !Boolean.TRUE.equals(was.drained))) {
                out.add(new Transition(Reasons.DESTINATION_DRAINED, false, now.uri
                        + " is draining and no edge has a dialog up on it: it can be stopped."));
            }
        }
        return out;
    }

    private static List<DestinationHealth> sum(List<FleetHealth> fleets, List<DispatcherSetSpec.Destination> spec) {
        List<DestinationHealth> out = new ArrayList<>();
        for (DispatcherSetSpec.Destination d : spec) {
            DestinationHealth h = empty(d);
            boolean drained = "draining".equals(h.state);
            String last = null;
            for (FleetHealth f : fleets) {
                for (DestinationHealth e : f.destinations) {
                    if (!e.uri.equals(d.uri)) {
                        continue;
                    }
                    h.edges += e.edges;
                    h.edgesUp += e.edgesUp;
                    h.dialogs += e.dialogs;
                    if (h.reason == null && e.reason != null) {
                        h.reason = e.reason;
                        h.message = e.message;
                    }
                    drained &= e.edges == 0 || Boolean.TRUE.equals(e.drained);
                    if (e.lastTransitionTime != null && (last == null || e.lastTransitionTime.compareTo(last) > 0)) {
                        last = e.lastTransitionTime;
                    }
                }
            }
            h.drained = drained && h.edges > 0;
            h.lastTransitionTime = last;
            out.add(h);
        }
        return out;
    }

    private static List<io.pbx3sbc.operator.api.v1alpha1.Condition> healthy(
            DispatcherSetStatus status, List<FleetHealth> fleets, long generation, Instant now) {
        var current = status.conditions;
        if (fleets.stream().allMatch(f -> f.edges == null || f.edges == 0)) {
            return Conditions.set(current, Reasons.HEALTHY, "Unknown", Reasons.NO_EDGE_REPORTS,
                    "No live edge has reported on this set yet.", generation, now);
        }
        for (FleetHealth f : fleets) {
            if (!f.edgesWithoutHealthyDestination.isEmpty()) {
                return Conditions.set(current, Reasons.HEALTHY, false, Reasons.NO_HEALTHY_DESTINATION,
                        "No active destination is up on " + f.edgesWithoutHealthyDestination.size() + " of " + f.edges
                                + " edges of fleet " + f.fleet + " (" + String.join(", ", first(f.edgesWithoutHealthyDestination))
                                + "): new calls for its domains get 503 there.", generation, now);
            }
        }
        List<String> down = status.destinations.stream()
                .filter(d -> !"disabled".equals(d.state) && d.edges > 0 && d.edgesUp < d.edges)
                .map(d -> d.uri + " down on " + (d.edges - d.edgesUp) + " of " + d.edges + " edges (" + d.reason + ")")
                .toList();
        if (!down.isEmpty()) {
            return Conditions.set(current, Reasons.HEALTHY, true, Reasons.DESTINATIONS_DOWN,
                    "Calls go to the other destinations; " + String.join("; ", first(down)) + ".", generation, now);
        }
        return Conditions.set(current, Reasons.HEALTHY, true, Reasons.ALL_DESTINATIONS_UP,
                "Every destination not disabled is up on every edge.", generation, now);
    }

    private static List<String> first(List<String> items) {
        return items.size() <= 3 ? items : List.of(items.get(0), items.get(1), items.get(2), "and " + (items.size() - 3) + " more");
    }

    /** What decides whether a write is due; exact dialog counts only while draining. */
    private static List<String> shape(DispatcherSetStatus s) {
        List<String> out = new ArrayList<>();
        out.add(String.valueOf(s.up));
        if (s.conditions != null) {
            s.conditions.stream().filter(c -> Reasons.HEALTHY.equals(c.type))
                    .forEach(c -> out.add(c.status + c.reason + c.message + c.observedGeneration));
        }
        Set<String> seen = new HashSet<>();
        List<FleetHealth> fleets = s.fleetHealth == null ? List.of() : s.fleetHealth;
        for (FleetHealth f : fleets) {
            out.add(f.fleet + "/" + f.edges + "/" + f.edgesWithoutHealthyDestination);
            for (DestinationHealth d : f.destinations) {
                seen.add(d.uri);
                out.add(f.fleet + d.uri + d.state + d.edges + "/" + d.edgesUp + d.reason + d.message + d.lastTransitionTime
                        + d.drained + ("draining".equals(d.state) ? d.dialogs : Objects.equals(d.dialogs, 0)));
            }
        }
        return out;
    }

    /** A destination's entry before any edge is counted. */
    private static DestinationHealth empty(DispatcherSetSpec.Destination d) {
        DestinationHealth h = new DestinationHealth();
        h.uri = d.uri;
        h.state = stateOf(d);
        h.edges = 0;
        h.edgesUp = 0;
        h.dialogs = 0;
        return h;
    }

    private static String stateOf(DispatcherSetSpec.Destination d) {
        return d.state == null ? "active" : d.state;
    }
}
