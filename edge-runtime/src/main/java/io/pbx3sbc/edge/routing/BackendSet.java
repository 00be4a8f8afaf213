package io.pbx3sbc.edge.routing;

import io.pbx3sbc.routingdb.model.Algorithm;
import io.pbx3sbc.routingdb.model.Probing;

import java.util.List;

/** A set's backends in table order (highest priority first), with how to pick and probe them. */
public record BackendSet(int setId, Algorithm algorithm, Probing probing, List<Backend> backends) {
    public BackendSet {
        backends = List.copyOf(backends);
    }
}
