package io.pbx3sbc.edge.routing;

import io.pbx3sbc.routingdb.model.DestinationState;
import io.pbx3sbc.routingdb.model.SipUri;

/**
 * One destination of a set, parsed once when the table is built, never on the hot path.
 *
 * @param flags    Kamailio flag bits besides the administrative state
 * @param hashKey  a 64-bit hash of the URI, fixed per destination, for rendezvous hashing
 */
public record Backend(String uri, SipUri address, int priority, int weight, int flags, DestinationState state,
                      long hashKey) {

    public Backend(String uri, SipUri address, int priority, int weight, int flags) {
        this(uri, address, priority, weight, flags, DestinationState.ACTIVE);
    }

    public Backend(String uri, SipUri address, int priority, int weight, int flags, DestinationState state) {
        this(uri, address, priority, weight, flags, state, RendezvousHash.of(uri));
    }

    /** Kamailio's {@code DS_INACTIVE_DST} in the table: down until probes bring it up. */
    public boolean startsInactive() {
        return (flags & DestinationState.KAMAILIO_INACTIVE) != 0;
    }
}
