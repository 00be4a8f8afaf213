package io.pbx3sbc.operator.status;

import io.pbx3sbc.operator.api.v1alpha1.Condition;
import io.pbx3sbc.operator.api.v1alpha1.SourceStatus;
import io.pbx3sbc.operator.api.v1alpha1.SourceStatus.FleetVersion;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The status of a SipDomain or DispatcherSet from the verdicts of the fleets that select it (pure).
 * Each fleet owns its own entry in {@code status.fleets}; the Accepted condition sums them up: True
 * when every fleet carries the object, else the first refusal's reason, NotSelectedByAnyFleet when no
 * fleet selects it.
 */
public final class SourceStatuses {
    private SourceStatuses() {
    }

    /**
     * One fleet's verdict: the version carrying the object, or the reason it was left out. A carried
     * object keeps the version that first carried its current generation ("since version N"), so a new
     * version rewrites only the statuses of the objects that changed, not all 100,000.
     */
    public record Verdict(String fleet, Long version, String reason, String message) {
        public static Verdict carried(String fleet, long version) {
            return new Verdict(fleet, version, Reasons.COMPILED, message(fleet, version));
        }

        private static String message(String fleet, long version) {
            return "carried since routing version " + version + " of fleet " + fleet;
        }

        public static Verdict refused(String fleet, String reason, String message) {
            return new Verdict(fleet, null, reason, message);
        }

        public boolean accepted() {
            return Reasons.COMPILED.equals(reason);
        }
    }

    /**
     * A write that tells nobody anything new: an object no entry of this fleet speaks of yet, carried as
     * expected (the bulk of a fleet's first publish). Refusals, changes and removals are not routine.
     */
    public static boolean routine(SourceStatus status, String fleet, Verdict verdict) {
        return verdict != null && verdict.accepted()
                && (status == null || status.fleets == null || status.fleets.stream().noneMatch(f -> fleet.equals(f.fleet)));
    }

    /**
     * Whether {@link #apply} would change {@code status}; cheap and without copying, so a fleet of 100,000
     * domains costs no request for the ones whose verdict stands.
     */
    public static boolean wouldChange(SourceStatus status, String fleet, Verdict verdict, long generation) {
        if (status == null) {
            return verdict != null;
        }
        if (!Objects.equals(status.observedGeneration, generation) || status.conditions == null
                || status.conditions.stream().noneMatch(c -> Reasons.ACCEPTED.equals(c.type))) {
            return true;
        }
        FleetVersion entry = status.fleets == null ? null
                : status.fleets.stream().filter(f -> fleet.equals(f.fleet)).findFirst().orElse(null);
        if (entry == null || verdict == null) {
            return entry != null || verdict != null;
        }
        if (stillCarried(entry, verdict)) {
            return false;
        }
        return !Objects.equals(entry.version, verdict.version()) || !Objects.equals(entry.reason, verdict.reason())
                || !Objects.equals(entry.message, verdict.message());
    }

    /** Records {@code verdict} (null: the fleet no longer selects the object). @return whether the status changed */
    public static boolean apply(SourceStatus status, String fleet, Verdict verdict, long generation, Instant now) {
        List<FleetVersion> fleets = new ArrayList<>(status.fleets == null ? List.of() : status.fleets);
        FleetVersion previous = fleets.stream().filter(f -> fleet.equals(f.fleet)).findFirst().orElse(null);
        if (verdict != null && previous != null && Objects.equals(status.observedGeneration, generation)
                && stillCarried(previous, verdict)) {
            verdict = new Verdict(fleet, previous.version, previous.reason, previous.message);
        }
        fleets.removeIf(f -> fleet.equals(f.fleet));
        if (verdict != null) {
            FleetVersion e = new FleetVersion();
            e.fleet = verdict.fleet();
            e.version = verdict.version();
            e.reason = verdict.reason();
            e.message = verdict.message();
            fleets.add(e);
        }
        fleets.sort(Comparator.comparing(f -> f.fleet));
        boolean changed = !sameEntries(status.fleets, fleets) || !Objects.equals(status.observedGeneration, generation);
        status.fleets = fleets;
        status.observedGeneration = generation;
        var conditions = accepted(status.conditions, fleets, generation, now);
        changed |= conditions != status.conditions;
        status.conditions = conditions;
        return changed;
    }

    private static List<Condition> accepted(
            List<Condition> current, List<FleetVersion> fleets, long generation, Instant now) {
        if (fleets.isEmpty()) {
            return Conditions.set(current, Reasons.ACCEPTED, false, Reasons.NOT_SELECTED,
                    "No EdgeFleet in this namespace selects this object, so no edge routes it.", generation, now);
        }
        for (FleetVersion f : fleets) {
            if (!Reasons.COMPILED.equals(f.reason)) {
                return Conditions.set(current, Reasons.ACCEPTED, false, f.reason,
                        "Fleet " + f.fleet + " left it out: " + f.message, generation, now);
            }
        }
        String carried = fleets.stream().map(f -> f.fleet + " v" + f.version).collect(Collectors.joining(", "));
        return Conditions.set(current, Reasons.ACCEPTED, true, Reasons.COMPILED,
                "Compiled into the routing database of " + carried + ".", generation, now);
    }

    /** Carried before and still carried (the generation is checked by the caller): the earlier version stands. */
    private static boolean stillCarried(FleetVersion entry, Verdict verdict) {
        return verdict.accepted() && Reasons.COMPILED.equals(entry.reason) && entry.version != null;
    }

    private static boolean sameEntries(List<FleetVersion> a, List<FleetVersion> b) {
        if (a == null || a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            FleetVersion x = a.get(i);
            FleetVersion y = b.get(i);
            if (!Objects.equals(x.fleet, y.fleet) || !Objects.equals(x.version, y.version)
                    || !Objects.equals(x.reason, y.reason) || !Objects.equals(x.message, y.message)) {
                return false;
            }
        }
        return true;
    }
}
