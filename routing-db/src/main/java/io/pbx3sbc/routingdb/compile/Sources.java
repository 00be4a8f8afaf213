package io.pbx3sbc.routingdb.compile;

import java.time.Instant;
import java.util.List;

/**
 * The compiler's inputs: the spec fields of SipDomain and DispatcherSet resources, as plain values.
 * The operator fills them from its custom resources, the command-line tool from YAML files; both
 * then go through the same {@link RoutingCompiler}. Optional fields are null when not set.
 */
public final class Sources {
    private Sources() {
    }

    /** A SipDomain. {@code createdAt} decides who keeps a domain that two objects claim (oldest wins). */
    public record DomainSource(ObjectRef ref, long generation, Instant createdAt, String domain,
                               String dispatcherSetRef, Boolean enabled, String comment, RateLimitSource rateLimit) {
    }

    public record RateLimitSource(Integer requestsPerSecond, Integer burst) {
    }

    /** A DispatcherSet. */
    public record SetSource(ObjectRef ref, long generation, Instant createdAt, Integer setId, String algorithm,
                            List<DestinationSource> destinations, ProbingSource probing) {
    }

    /** {@code state} is {@code active}, {@code draining} or {@code disabled}; null means active. */
    public record DestinationSource(String uri, Integer priority, Integer weight, Integer flags, String attrs,
                                    String state) {
        public DestinationSource(String uri, Integer priority, Integer weight, Integer flags, String attrs) {
            this(uri, priority, weight, flags, attrs, null);
        }
    }

    public record ProbingSource(String method, Integer intervalSeconds, Integer probingThreshold,
                                Integer inactiveThreshold, List<Integer> replyCodes, Integer timeoutMillis) {
    }
}
