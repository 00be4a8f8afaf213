package io.pbx3sbc.routingdb.model;

import java.util.List;
import java.util.Objects;

/**
 * A backend set: its algorithm and probing (our {@code dispatcher_sets} table) and its destinations
 * (Kamailio's {@code dispatcher} rows with this set id).
 */
public record DispatcherSet(int setId, String name, Algorithm algorithm, Probing probing,
                            List<Destination> destinations) implements Comparable<DispatcherSet> {

    public DispatcherSet {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(probing, "probing");
        name = name == null ? "" : name;
        destinations = destinations.stream().sorted().toList();
        if (setId < 1) {
            throw new IllegalArgumentException("set id must be at least 1, got " + setId);
        }
        for (Destination d : destinations) {
            if (d.setId() != setId) {
                throw new IllegalArgumentException("destination " + d.uri() + " has set id " + d.setId() + ", not " + setId);
            }
        }
        if (destinations.stream().map(Destination::uri).distinct().count() != destinations.size()) {
            throw new IllegalArgumentException("set " + setId + " lists a destination URI twice");
        }
    }

    @Override
    public int compareTo(DispatcherSet o) {
        return Integer.compare(setId, o.setId);
    }
}
