package io.pbx3sbc.operator.compile;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.pbx3sbc.operator.api.v1alpha1.DispatcherSet;
import io.pbx3sbc.operator.api.v1alpha1.DispatcherSetSpec;
import io.pbx3sbc.operator.api.v1alpha1.SipDomain;
import io.pbx3sbc.operator.api.v1alpha1.SipDomainSpec;
import io.pbx3sbc.routingdb.compile.ObjectRef;
import io.pbx3sbc.routingdb.compile.Sources.DestinationSource;
import io.pbx3sbc.routingdb.compile.Sources.DomainSource;
import io.pbx3sbc.routingdb.compile.Sources.ProbingSource;
import io.pbx3sbc.routingdb.compile.Sources.RateLimitSource;
import io.pbx3sbc.routingdb.compile.Sources.SetSource;

import java.time.Instant;
import java.util.List;

/**
 * The custom resources as the routing-db compiler's plain inputs. Pure: the same mapping the CLI does
 * from YAML files, so the operator and {@code ./hack/routing-db build} compile identical databases.
 */
public final class ResourceSources {
    private ResourceSources() {
    }

    public static DomainSource domain(SipDomain r) {
        SipDomainSpec s = r.getSpec();
        SipDomainSpec.RateLimit rl = s.rateLimit;
        return new DomainSource(ref(ObjectRef.SIP_DOMAIN, r.getMetadata()), generation(r.getMetadata()),
                createdAt(r.getMetadata()), s.domain, s.dispatcherSetRef, s.enabled, s.comment,
                rl == null ? null : new RateLimitSource(rl.requestsPerSecond, rl.burst));
    }

    public static SetSource set(DispatcherSet r) {
        DispatcherSetSpec s = r.getSpec();
        List<DestinationSource> destinations = s.destinations == null ? List.of() : s.destinations.stream()
                .map(d -> new DestinationSource(d.uri, d.priority, d.weight, d.flags, d.attrs, d.state)).toList();
        DispatcherSetSpec.Probing p = s.probing;
        return new SetSource(ref(ObjectRef.DISPATCHER_SET, r.getMetadata()), generation(r.getMetadata()),
                createdAt(r.getMetadata()), s.setId, s.algorithm, destinations,
                p == null ? null : new ProbingSource(p.method, p.intervalSeconds, p.probingThreshold, p.inactiveThreshold,
                        p.replyCodes, p.timeoutMillis));
    }

    private static ObjectRef ref(String kind, ObjectMeta m) {
        return new ObjectRef(kind, m.getNamespace() == null ? "default" : m.getNamespace(), m.getName());
    }

    /** As the CLI reads files: an object never stored has generation 1. */
    private static long generation(ObjectMeta m) {
        return m.getGeneration() == null ? 1 : m.getGeneration();
    }

    /** The oldest claimant keeps a contested domain or set id; null (never stored) as in the CLI. */
    private static Instant createdAt(ObjectMeta m) {
        return m.getCreationTimestamp() == null ? null : Instant.parse(m.getCreationTimestamp());
    }
}
