package io.pbx3sbc.routingdb.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The logical content of a routing database, in canonical order (domains by name, sets by id,
 * destinations by set, priority, URI). Two models with the same content are equal and hash the same,
 * whatever order they were assembled in.
 */
public record RoutingModel(List<Domain> domains, List<DispatcherSet> sets) {

    public RoutingModel {
        domains = domains.stream().sorted().toList();
        sets = sets.stream().sorted().toList();
    }

    public int destinationCount() {
        return sets.stream().mapToInt(s -> s.destinations().size()).sum();
    }

    /** Every destination across all sets, in table order. */
    public List<Destination> destinations() {
        return sets.stream().flatMap(s -> s.destinations().stream()).toList();
    }

    /**
     * What makes this content unfit to route with, one sentence each; empty when it is fit.
     * The builder refuses such a model and the validator refuses such a file.
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        Set<String> seenDomains = new HashSet<>();
        for (Domain d : domains) {
            if (!seenDomains.add(d.domain())) {
                problems.add("domain " + d.domain() + " appears more than once");
            }
        }
        Map<Integer, DispatcherSet> byId = new HashMap<>();
        for (DispatcherSet s : sets) {
            if (byId.put(s.setId(), s) != null) {
                problems.add("set id " + s.setId() + " appears more than once");
            }
        }
        for (Domain d : domains) {
            if (!d.enabled()) {
                continue;
            }
            DispatcherSet set = byId.get(d.setId());
            if (set == null || set.destinations().isEmpty()) {
                problems.add("enabled domain " + d.domain() + " points at set " + d.setId() + ", which has no destination");
            }
        }
        return problems;
    }
}
