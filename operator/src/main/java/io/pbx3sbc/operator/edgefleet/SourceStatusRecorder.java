package io.pbx3sbc.operator.edgefleet;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pbx3sbc.operator.api.v1alpha1.DispatcherSet;
import io.pbx3sbc.operator.api.v1alpha1.DispatcherSetSpec;
import io.pbx3sbc.operator.api.v1alpha1.DispatcherSetStatus;
import io.pbx3sbc.operator.api.v1alpha1.SipDomain;
import io.pbx3sbc.operator.api.v1alpha1.SipDomainStatus;
import io.pbx3sbc.operator.api.v1alpha1.SourceStatus;
import io.pbx3sbc.operator.events.EventRecorder;
import io.pbx3sbc.operator.status.DestinationHealthStatuses;
import io.pbx3sbc.operator.status.SourceStatuses;
import io.pbx3sbc.operator.status.SourceStatuses.Verdict;
import io.pbx3sbc.routingdb.compile.ObjectRef;
import io.pbx3sbc.routingdb.compile.Problem;
import io.pbx3sbc.routingdb.compile.RoutingCompiler.Compilation;
import io.pbx3sbc.routingdb.manifest.EdgeReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * What a fleet decided about the SipDomains and DispatcherSets of its namespace, onto their status: the
 * fleet's verdict (carried since version N, or left out and why), a domain's resolved set id, and a
 * set's destination health from the edges' reports. The cached object is checked first, so unchanged
 * objects cost no request; changed ones are written in the background ({@link StatusWriter}), so a
 * reconcile (and the next version) never waits on them.
 */
final class SourceStatusRecorder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SourceStatusRecorder.class);

    private final EventRecorder events;
    private final Clock clock;
    private final StatusWriter statusWriter;
    private final Map<String, Long> loggedVersions = new java.util.concurrent.ConcurrentHashMap<>();
    /** Per namespace/fleet with sourceStatus: Exceptions, the routine verdicts its status stands for. */
    private final Map<String, RoutineSummary> summaries = new java.util.concurrent.ConcurrentHashMap<>();

    SourceStatusRecorder(EventRecorder events, Clock clock, int writers) {
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.statusWriter = new StatusWriter(writers);
    }

    /** Writes queued and not yet done. */
    int backlog() {
        return statusWriter.backlog();
    }

    /** Writes for one fleet's sources queued and not yet done. */
    int backlog(String namespace, String fleet) {
        return statusWriter.backlog(key -> { // Kind/namespace/name/fleet: names hold no "/"
            String[] parts = key.split("/");
            return parts.length == 4 && parts[1].equals(namespace) && parts[3].equals(fleet);
        });
    }

    /** Urgent writes (refusals, changes, health) queued and not yet done. */
    int urgentBacklog() {
        return statusWriter.urgentBacklog();
    }

    /** The fleet is gone: its entries leave every object's status. */
    void forget(KubernetesClient client, String namespace, String fleetName, List<SipDomain> allDomains,
                List<DispatcherSet> allSets) {
        summaries.remove(namespace + "/" + fleetName);
        for (SipDomain d : allDomains) {
            editVerdict(client, d, SipDomain.class, fleetName, null, null);
        }
        for (DispatcherSet s : allSets) {
            editSet(client, s, fleetName, null, null);
        }
    }

    /**
     * Each object the fleet selects gets the fleet's verdict (and a set, its destination health); objects it
     * no longer selects lose this fleet's entry. With {@code summarise} (sourceStatus: Exceptions) a bulk of
     * routine verdicts is left to the fleet's own status ({@link RoutineSummary}).
     *
     * @param allDomains all SipDomains of the fleet's namespace; {@code domains} the selected ones (same for sets)
     * @return how many objects the fleet's status summarises instead
     */
    int record(KubernetesClient client, String namespace, String fleetName, List<SipDomain> allDomains, List<DispatcherSet> allSets,
               List<SipDomain> domains, List<DispatcherSet> sets, Compilation compilation, long version,
               List<EdgeReport> live, boolean summarise) {
        Map<ObjectRef, Problem> problems = compilation.problems().stream()
                .collect(Collectors.toMap(Problem::ref, Function.identity(), (a, b) -> a));
        Set<String> selectedDomains = domains.stream().map(d -> d.getMetadata().getName()).collect(Collectors.toSet());
        Set<String> selectedSets = sets.stream().map(s -> s.getMetadata().getName()).collect(Collectors.toSet());
        Map<String, Integer> setIds = sets.stream().filter(s -> !problems.containsKey(ref(ObjectRef.DISPATCHER_SET, s)))
                .collect(Collectors.toMap(s -> s.getMetadata().getName(), s -> s.getSpec().setId));
        Map<SipDomain, Verdict> verdicts = new java.util.IdentityHashMap<>();
        for (SipDomain d : allDomains) {
            boolean selected = selectedDomains.contains(d.getMetadata().getName());
            verdicts.put(d, selected ? verdict(fleetName, problems.get(ref(ObjectRef.SIP_DOMAIN, d)), version) : null);
        }
        String fleetKey = namespace + "/" + fleetName;
        Set<String> summarised = Set.of();
        if (summarise) {
            summarised = summaries.computeIfAbsent(fleetKey, k -> new RoutineSummary()).update(routine(verdicts, fleetName));
        } else {
            summaries.remove(fleetKey);
        }
        for (SipDomain d : allDomains) {
            Verdict v = verdicts.get(d);
            if (!summarised.contains(d.getMetadata().getName())) {
                editVerdict(client, d, SipDomain.class, fleetName, v, v == null ? null : setIds.get(d.getSpec().dispatcherSetRef));
            }
        }
        for (DispatcherSet s : allSets) { // sets are few and carry destination health: never summarised
            boolean selected = selectedSets.contains(s.getMetadata().getName());
            Verdict v = selected ? verdict(fleetName, problems.get(ref(ObjectRef.DISPATCHER_SET, s)), version) : null;
            editSet(client, s, fleetName, v, v == null || !v.accepted() ? null
                    : DestinationHealthStatuses.fleetEntry(fleetName, destinations(s), live));
        }
        int refused = compilation.problems().size();
        // Once per version and fleet, not at every reconcile: their statuses say it for as long as it holds.
        if (refused > 0 && !Long.valueOf(version).equals(loggedVersions.put(fleetName, version))) {
            LOG.info("{} objects left out of routing version {}: {}", refused, version,
                    compilation.problems().stream().limit(5).map(Problem::toString).collect(Collectors.joining("; ")));
        }
        return summarised.size();
    }

    /** The SipDomains whose write would be routine (carried as expected, no entry of this fleet yet), by resourceVersion. */
    private static Map<String, String> routine(Map<SipDomain, Verdict> verdicts, String fleet) {
        Map<String, String> routine = new java.util.HashMap<>();
        verdicts.forEach((d, v) -> {
            if (SourceStatuses.routine(d.getStatus(), fleet, v)) {
                routine.put(d.getMetadata().getName(), String.valueOf(d.getMetadata().getResourceVersion()));
            }
        });
        return routine;
    }

    private static List<DispatcherSetSpec.Destination> destinations(DispatcherSet s) {
        return s.getSpec() == null || s.getSpec().destinations == null ? List.of() : s.getSpec().destinations;
    }

    /**
     * A DispatcherSet gets this fleet's verdict and its edges' view of the destinations in one write,
     * queued only when one of them changes the status; health transitions become Events.
     */
    private void editSet(KubernetesClient client, DispatcherSet cached, String fleet, Verdict verdict,
                         DispatcherSetStatus.FleetHealth health) {
        long generation = cached.getMetadata().getGeneration() == null ? 1 : cached.getMetadata().getGeneration();
        DispatcherSetStatus current = cached.getStatus();
        Instant now = clock.instant();
        UnaryOperator<DispatcherSet> edit = r -> {
            DispatcherSetStatus s = r.getStatus();
            if (s == null) {
                s = new DispatcherSetStatus();
                r.setStatus(s);
            }
            SourceStatuses.apply(s, fleet, verdict, generation, now);
            DestinationHealthStatuses.apply(s, fleet, health, destinations(r), generation, now);
            return r;
        };
        DispatcherSet preview = edit.apply(client.getKubernetesSerialization().clone(cached));
        boolean healthChanged = current == null
                || DestinationHealthStatuses.apply(client.getKubernetesSerialization().clone(current), fleet, health,
                destinations(cached), generation, now);
        if (!SourceStatuses.wouldChange(current, fleet, verdict, generation) && !healthChanged) {
            return;
        }
        for (DestinationHealthStatuses.Transition t : DestinationHealthStatuses.transitions(current, preview.getStatus())) {
            if (t.warning()) {
                events.warning(cached, t.reason(), t.message());
            } else {
                events.normal(cached, t.reason(), t.message());
            }
        }
        var resource = client.resources(DispatcherSet.class).inNamespace(cached.getMetadata().getNamespace())
                .withName(cached.getMetadata().getName());
        statusWriter.submit("DispatcherSet/" + cached.getMetadata().getNamespace() + "/" + cached.getMetadata().getName()
                + "/" + fleet, () -> write(client, cached, resource, edit), true);
    }

    private static ObjectRef ref(String kind, HasMetadata r) {
        return new ObjectRef(kind, r.getMetadata().getNamespace(), r.getMetadata().getName());
    }

    private static Verdict verdict(String fleet, Problem problem, long version) {
        return problem == null ? Verdict.carried(fleet, version)
                : Verdict.refused(fleet, problem.reason().name(), problem.message());
    }

    /**
     * Queues the verdict's write when it changes the status (and, for a SipDomain, the resolved setId);
     * the cached object is checked first so unchanged objects cost no request.
     */
    private <R extends HasMetadata> void editVerdict(KubernetesClient client, R cached, Class<R> kind, String fleet,
                                                     Verdict verdict, Integer setId) {
        long generation = cached.getMetadata().getGeneration() == null ? 1 : cached.getMetadata().getGeneration();
        SourceStatus current = statusOf(kind, cached);
        boolean setIdChanged = current instanceof SipDomainStatus d && !Objects.equals(d.setId, setId);
        if (!SourceStatuses.wouldChange(current, fleet, verdict, generation) && !setIdChanged) {
            return;
        }
        UnaryOperator<R> edit = r -> {
            SourceStatus s = statusOf(kind, r);
            if (s == null) {
                s = newStatus(kind, r);
            }
            SourceStatuses.apply(s, fleet, verdict, generation, clock.instant());
            if (s instanceof SipDomainStatus d) {
                d.setId = setId;
            }
            return r;
        };
        var resource = client.resources(kind).inNamespace(cached.getMetadata().getNamespace())
                .withName(cached.getMetadata().getName());
        statusWriter.submit(kind.getSimpleName() + "/" + cached.getMetadata().getNamespace() + "/"
                + cached.getMetadata().getName() + "/" + fleet, () -> write(client, cached, resource, edit),
                !SourceStatuses.routine(current, fleet, verdict));
    }

    private static <R extends HasMetadata> void write(KubernetesClient client, R cached,
                                                      io.fabric8.kubernetes.client.dsl.Resource<R> resource,
                                                      UnaryOperator<R> edit) {
        try {
            // One request: the status computed from the cached object, replaced under its resourceVersion.
            // Another writer in between (a second fleet) costs a re-read.
            client.resource(edit.apply(client.getKubernetesSerialization().clone(cached))).updateStatus();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                resource.editStatus(edit);
            } else if (e.getCode() != 404) {
                throw e;
            }
        }
    }

    private static SourceStatus statusOf(Class<?> kind, HasMetadata r) {
        return kind == SipDomain.class ? ((SipDomain) r).getStatus() : ((DispatcherSet) r).getStatus();
    }

    private static SourceStatus newStatus(Class<?> kind, HasMetadata r) {
        if (kind == SipDomain.class) {
            SipDomain d = (SipDomain) r;
            d.setStatus(new SipDomainStatus());
            return d.getStatus();
        }
        DispatcherSet s = (DispatcherSet) r;
        s.setStatus(new io.pbx3sbc.operator.api.v1alpha1.DispatcherSetStatus());
        return s.getStatus();
    }

    @Override
    public void close() {
        statusWriter.close();
    }
}
