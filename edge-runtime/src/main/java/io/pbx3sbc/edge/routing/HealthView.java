package io.pbx3sbc.edge.routing;

/**
 * Which destinations are up, keyed by URI so that health survives a routing version swap.
 * Implemented by the OPTIONS prober; a destination it has never probed counts as up (as Kamailio's
 * dispatcher starts destinations active), so a new version routes at once.
 */
@FunctionalInterface
public interface HealthView {
    boolean isUp(String uri);

    /** The same for a destination of the table, whose flags may say it starts down. */
    default boolean isUp(Backend backend) {
        return isUp(backend.uri());
    }

    HealthView ALL_UP = uri -> true;
}
