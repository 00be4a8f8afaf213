package io.pbx3sbc.edge.routing;

import io.pbx3sbc.routingdb.model.SipUri;

/** One destination of a set, parsed once when the table is built, never on the hot path. */
public record Backend(String uri, SipUri address, int priority, int weight, int flags) {
}
