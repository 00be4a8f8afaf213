package io.pbx3sbc.routingdb.compile;

import io.pbx3sbc.routingdb.compile.Problem.Reason;
import io.pbx3sbc.routingdb.compile.Sources.DestinationSource;
import io.pbx3sbc.routingdb.compile.Sources.DomainSource;
import io.pbx3sbc.routingdb.compile.Sources.ProbingSource;
import io.pbx3sbc.routingdb.compile.Sources.SetSource;
import io.pbx3sbc.routingdb.model.Algorithm;
import io.pbx3sbc.routingdb.model.Destination;
import io.pbx3sbc.routingdb.model.DestinationState;
import io.pbx3sbc.routingdb.model.DispatcherSet;
import io.pbx3sbc.routingdb.model.Domain;
import io.pbx3sbc.routingdb.model.DomainNames;
import io.pbx3sbc.routingdb.model.Probing;
import io.pbx3sbc.routingdb.model.RateLimit;
import io.pbx3sbc.routingdb.model.RoutingModel;
import io.pbx3sbc.routingdb.model.SipUri;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Turns SipDomain and DispatcherSet specs into a {@link RoutingModel}. Pure: no I/O, no clock.
 *
 * <p>One bad object never blocks the others: an invalid or conflicting object is left out and a
 * {@link Problem} names it, its field and the reason; everything valid is compiled. Conflicts are
 * settled the same way every time: the oldest object (then the first by namespace/name) keeps the
 * domain or set id, so adding a duplicate never takes a working tenant off the air.
 */
public final class RoutingCompiler {

    /** The compiled model, the objects left out and why, and the generations that went in. */
    public record Compilation(RoutingModel model, List<Problem> problems, Map<String, Long> sourceGenerations) {
        public List<Problem> problemsOf(ObjectRef ref) {
            return problems.stream().filter(p -> p.ref().equals(ref)).toList();
        }
    }

    public Compilation compile(List<DomainSource> domainSources, List<SetSource> setSources) {
        SetPhase sets = compileSets(setSources);
        List<Problem> problems = new ArrayList<>(sets.problems());
        Map<String, Long> generations = new TreeMap<>(sets.generations());

        // Domains: validate, resolve the set reference, settle domain conflicts.
        Map<String, ObjectRef> domainOwner = new HashMap<>();
        List<Domain> domains = new ArrayList<>();
        for (DomainSource d : sorted(domainSources, DomainSource::createdAt, DomainSource::ref)) {
            Domain domain = compileDomain(d, sets, problems);
            if (domain == null) {
                continue;
            }
            ObjectRef owner = domainOwner.putIfAbsent(domain.domain(), d.ref());
            if (owner != null) {
                problems.add(new Problem(d.ref(), "spec.domain", Reason.DomainConflict,
                        "domain " + domain.domain() + " is already claimed by " + owner.name() + "."));
                continue;
            }
            domains.add(domain);
            generations.put(d.ref().toString(), d.generation());
        }
        problems.sort(PROBLEM_ORDER);
        return new Compilation(new RoutingModel(domains, sets.acceptedList()), List.copyOf(problems), generations);
    }

    static final Comparator<Problem> PROBLEM_ORDER = Comparator.comparing(Problem::ref).thenComparing(Problem::field);

    /**
     * The sets' half of a compile, which every domain depends on: the valid sets, the accepted ones (set id
     * conflicts settled, oldest first), their problems and generations, and which set objects exist.
     */
    record SetPhase(Map<ObjectRef, DispatcherSet> valid, Map<ObjectRef, DispatcherSet> accepted,
                    List<Problem> problems, Map<String, Long> generations, java.util.Set<ObjectRef> existing) {
        List<DispatcherSet> acceptedList() {
            return List.copyOf(accepted.values());
        }
    }

    static SetPhase compileSets(List<SetSource> setSources) {
        List<Problem> problems = new ArrayList<>();
        Map<String, Long> generations = new TreeMap<>();
        List<SetSource> setsOldestFirst = sorted(setSources, SetSource::createdAt, SetSource::ref);
        Map<ObjectRef, DispatcherSet> validSets = new HashMap<>();
        for (SetSource s : setsOldestFirst) {
            DispatcherSet set = toSet(s, problems);
            if (set != null) {
                validSets.put(s.ref(), set);
            }
        }
        Map<Integer, ObjectRef> setIdOwner = new HashMap<>();
        Map<ObjectRef, DispatcherSet> acceptedSets = new HashMap<>();
        for (SetSource s : setsOldestFirst) {
            DispatcherSet set = validSets.get(s.ref());
            if (set == null) {
                continue;
            }
            ObjectRef owner = setIdOwner.putIfAbsent(set.setId(), s.ref());
            if (owner != null) {
                problems.add(new Problem(s.ref(), "spec.setId", Reason.SetIdConflict,
                        "set id " + set.setId() + " is already used by " + owner.name() + "."));
                continue;
            }
            acceptedSets.put(s.ref(), set);
            generations.put(s.ref().toString(), s.generation());
        }
        java.util.Set<ObjectRef> existing = new java.util.HashSet<>();
        setSources.forEach(s -> existing.add(s.ref()));
        return new SetPhase(validSets, acceptedSets, List.copyOf(problems), generations, existing);
    }

    private static <T> List<T> sorted(List<T> items, Function<T, Instant> createdAt, Function<T, ObjectRef> ref) {
        return items.stream().sorted(Comparator
                .comparing(createdAt, Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(ref)).toList();
    }

    private static DispatcherSet toSet(SetSource s, List<Problem> problems) {
        int before = problems.size();
        if (s.setId() == null || s.setId() < 1) {
            problems.add(invalid(s.ref(), "spec.setId", "setId must be a positive integer, got " + s.setId() + "."));
        }
        Algorithm algorithm = Algorithm.ROUND_ROBIN;
        if (s.algorithm() != null) {
            try {
                algorithm = Algorithm.fromWireName(s.algorithm());
            } catch (IllegalArgumentException e) {
                problems.add(invalid(s.ref(), "spec.algorithm", e.getMessage() + "."));
            }
        }
        Probing probing = toProbing(s.ref(), s.probing(), problems);
        List<DestinationSource> sources = s.destinations() == null ? List.of() : s.destinations();
        if (sources.isEmpty()) {
            problems.add(invalid(s.ref(), "spec.destinations", "a set needs at least one destination."));
        }
        List<Destination> destinations = new ArrayList<>();
        int setId = s.setId() == null ? 0 : s.setId();
        for (int i = 0; i < sources.size(); i++) {
            DestinationSource d = sources.get(i);
            String field = "spec.destinations[" + i + "]";
            try {
                SipUri.parse(d.uri());
            } catch (IllegalArgumentException e) {
                problems.add(invalid(s.ref(), field + ".uri", e.getMessage() + "."));
                continue;
            }
            try {
                DestinationState state = d.state() == null ? null : DestinationState.fromWireName(d.state());
                if (state != null && state != DestinationState.DISABLED
                        && (orZero(d.flags()) & DestinationState.KAMAILIO_DISABLED) != 0) {
                    problems.add(invalid(s.ref(), field + ".flags", "flags carry Kamailio's disabled bit (4) while state is "
                            + state.wireName() + "; drop the bit and say the state with the state field."));
                    continue;
                }
                destinations.add(new Destination(setId, d.uri(), orZero(d.flags()), orZero(d.priority()),
                        d.weight() == null ? Destination.DEFAULT_WEIGHT : d.weight(), d.attrs(), state));
            } catch (IllegalArgumentException e) {
                problems.add(invalid(s.ref(), field, e.getMessage() + "."));
            }
        }
        if (destinations.stream().map(Destination::uri).distinct().count() != destinations.size()) {
            problems.add(invalid(s.ref(), "spec.destinations", "a destination URI is listed twice."));
        }
        if (problems.size() != before) {
            return null;
        }
        return new DispatcherSet(setId, s.ref().name(), algorithm, probing, destinations);
    }

    private static Probing toProbing(ObjectRef ref, ProbingSource p, List<Problem> problems) {
        if (p == null) {
            return Probing.DEFAULT;
        }
        Probing d = Probing.DEFAULT;
        try {
            return new Probing(p.method() == null ? d.method() : p.method(),
                    p.intervalSeconds() == null ? d.intervalSeconds() : p.intervalSeconds(),
                    p.probingThreshold() == null ? d.probingThreshold() : p.probingThreshold(),
                    p.inactiveThreshold() == null ? d.inactiveThreshold() : p.inactiveThreshold(),
                    p.replyCodes() == null || p.replyCodes().isEmpty() ? d.replyCodes() : p.replyCodes(),
                    p.timeoutMillis() == null ? d.timeoutMillis() : p.timeoutMillis());
        } catch (IllegalArgumentException e) {
            problems.add(invalid(ref, "spec.probing", e.getMessage() + "."));
            return d;
        }
    }

    /** One domain against the compiled sets, before conflicts with other domains; null (and a problem) when left out. */
    static Domain compileDomain(DomainSource d, SetPhase sets, List<Problem> problems) {
        if (!DomainNames.isValid(d.domain())) {
            problems.add(invalid(d.ref(), "spec.domain", "'" + d.domain() + "' is not a lower-case domain name."));
            return null;
        }
        RateLimit rateLimit = null;
        if (d.rateLimit() != null) {
            try {
                rateLimit = new RateLimit(orZero(d.rateLimit().requestsPerSecond()),
                        d.rateLimit().burst() == null ? orZero(d.rateLimit().requestsPerSecond()) : d.rateLimit().burst());
            } catch (IllegalArgumentException e) {
                problems.add(invalid(d.ref(), "spec.rateLimit", e.getMessage() + "."));
                return null;
            }
        }
        if (d.dispatcherSetRef() == null || d.dispatcherSetRef().isBlank()) {
            problems.add(invalid(d.ref(), "spec.dispatcherSetRef", "dispatcherSetRef is required."));
            return null;
        }
        ObjectRef setRef = new ObjectRef(ObjectRef.DISPATCHER_SET, d.ref().namespace(), d.dispatcherSetRef());
        DispatcherSet set = sets.accepted().get(setRef);
        if (set == null) {
            if (!sets.existing().contains(setRef)) {
                problems.add(new Problem(d.ref(), "spec.dispatcherSetRef", Reason.DispatcherSetNotFound,
                        "DispatcherSet " + d.dispatcherSetRef() + " does not exist in namespace " + d.ref().namespace() + "."));
            } else {
                problems.add(new Problem(d.ref(), "spec.dispatcherSetRef", Reason.DispatcherSetInvalid,
                        "DispatcherSet " + d.dispatcherSetRef() + (sets.valid().containsKey(setRef)
                                ? " lost its set id to another set." : " is invalid.")));
            }
            return null;
        }
        return new Domain(d.domain(), set.setId(), d.enabled() == null || d.enabled(), d.comment(), rateLimit);
    }

    private static Problem invalid(ObjectRef ref, String field, String message) {
        return new Problem(ref, field, Reason.InvalidSpec, message);
    }

    private static int orZero(Integer v) {
        return v == null ? 0 : v;
    }
}
