package io.pbx3sbc.edge.routing;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The edge's active routing table and the one it replaced (kept for an instant rollback).
 * Readers call {@link #current()} once per request; a swap is a single reference write.
 */
public final class ActiveTable {
    private record Slots(RoutingTable active, RoutingTable previous) {
    }

    private final AtomicReference<Slots> slots = new AtomicReference<>(new Slots(null, null));

    /** Null until the first table is loaded (the edge is not ready then). */
    public RoutingTable current() {
        return slots.get().active();
    }

    public Optional<RoutingTable> previous() {
        return Optional.ofNullable(slots.get().previous());
    }

    /**
     * Makes {@code next} active. A table with the active one's version and content is a no-op
     * (returns false); the caller decides which version may be activated (promotion or rollback).
     */
    public boolean activate(RoutingTable next) {
        java.util.Objects.requireNonNull(next, "next");
        while (true) {
            Slots s = slots.get();
            if (s.active() != null && s.active().version() == next.version()
                    && s.active().contentSha256().equals(next.contentSha256())) {
                return false;
            }
            if (slots.compareAndSet(s, new Slots(next, s.active()))) {
                return true;
            }
        }
    }
}
