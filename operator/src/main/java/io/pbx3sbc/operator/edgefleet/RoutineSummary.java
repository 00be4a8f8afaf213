package io.pbx3sbc.operator.edgefleet;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * For a fleet with {@code sourceStatus: Exceptions}: which routine status writes (objects carried as
 * expected that have no entry of the fleet yet) are written, and which a bulk leaves to the fleet's own
 * status. A pass with more than {@link #BULK} new routine objects (a first publish, an import, an operator
 * restart) summarises them; a few (a tenant added, a domain edited) are written, so {@code kubectl wait}
 * on a change works. A summarised object whose resourceVersion moves (the user changed it) counts as new
 * again. Pure and in memory: after a restart the next pass summarises the bulk again. One per fleet, used
 * by its reconcile.
 */
final class RoutineSummary {
    /** More new routine writes than this in one pass are a bulk. */
    static final int BULK = 1_000;

    /** SipDomain name to the resourceVersion it had when summarised. */
    private final Map<String, String> summarised = new HashMap<>();

    /**
     * @param routine this pass's routine SipDomains, name to resourceVersion
     * @return the names the fleet's summary stands for, not to be written; every other routine one is.
     *         A read-only view, valid until the next update.
     */
    Set<String> update(Map<String, String> routine) {
        summarised.keySet().retainAll(routine.keySet()); // deleted, or no longer routine (it has an entry now)
        Map<String, String> fresh = routine.entrySet().stream()
                .filter(e -> !e.getValue().equals(summarised.get(e.getKey())))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        if (fresh.size() > BULK) {
            summarised.putAll(fresh);
        } else {
            fresh.keySet().forEach(summarised::remove);
        }
        return Collections.unmodifiableSet(summarised.keySet());
    }
}
