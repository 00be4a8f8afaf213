package io.pbx3sbc.edge.routing;

import io.pbx3sbc.routingdb.model.RateLimit;

/** A domain the edge knows; {@code rateLimit} may be null. Disabled tenants are kept to count their drops apart. */
public record Tenant(String domain, int setId, boolean enabled, RateLimit rateLimit) {
}
