package io.pbx3sbc.routingdb.model;

import java.util.Objects;

/**
 * One row of {@code sip_domains} (and, when present, of {@code domain_rate_limits}).
 *
 * @param comment   free text, may be null
 * @param rateLimit may be null: no per-tenant limit
 */
public record Domain(String domain, int setId, boolean enabled, String comment, RateLimit rateLimit)
        implements Comparable<Domain> {

    public Domain {
        Objects.requireNonNull(domain, "domain");
        DomainNames.requireValid(domain);
    }

    @Override
    public int compareTo(Domain other) {
        return domain.compareTo(other.domain);
    }
}
