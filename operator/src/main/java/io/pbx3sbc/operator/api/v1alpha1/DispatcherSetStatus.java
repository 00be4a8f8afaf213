package io.pbx3sbc.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.ArrayList;
import java.util.List;

/**
 * Besides the Accepted verdicts: destination health as the edges see it. Each fleet that serves the set
 * owns its entry in {@code fleetHealth} (from its edges' reports); {@code destinations}, {@code up} and
 * the Healthy condition sum them up.
 */
public class DispatcherSetStatus extends SourceStatus {
    @JsonPropertyDescription("Destinations up on every reporting edge / destinations not disabled, e.g. 2/2.")
    public String up;

    @JsonPropertyDescription("Each destination as the edges of every fleet serving this set see it.")
    public List<DestinationHealth> destinations = new ArrayList<>();

    @JsonPropertyDescription("Per fleet: the destinations as that fleet's live edges report them.")
    public List<FleetHealth> fleetHealth = new ArrayList<>();

    /** One destination, summed over the live edges. */
    public static class DestinationHealth {
        @JsonPropertyDescription("Destination URI, as in spec.destinations.")
        public String uri;
        @JsonPropertyDescription("Administrative state from the spec: active, draining or disabled.")
        public String state;
        @JsonPropertyDescription("Live edges that see it up.")
        public Integer edgesUp;
        @JsonPropertyDescription("Live edges that serve it.")
        public Integer edges;
        @JsonPropertyDescription("Dialogs up on it, over all live edges.")
        public Integer dialogs;
        @JsonPropertyDescription("True when it is draining and no live edge has a dialog up on it: it can be stopped.")
        public Boolean drained;
        @JsonPropertyDescription("Why an edge sees it down: timeout (no answer to OPTIONS), reply (an answer not accepted), inactive (flagged, not yet probed up) or disabled.")
        public String reason;
        @JsonPropertyDescription("The last probe outcome on an edge that sees it down, in words.")
        public String message;
        @JsonPropertyDescription("When an edge last saw it go up or down (RFC 3339).")
        public String lastTransitionTime;
    }

    /** One fleet's view, written by that fleet's reconciler only. */
    public static class FleetHealth {
        @JsonPropertyDescription("EdgeFleet name.")
        public String fleet;
        @JsonPropertyDescription("Live edges of the fleet that reported.")
        public Integer edges;
        @JsonPropertyDescription("Live edges on which no active destination of the set is up (new calls get 503 there).")
        public List<String> edgesWithoutHealthyDestination = new ArrayList<>();
        @JsonPropertyDescription("The destinations as this fleet's edges see them.")
        public List<DestinationHealth> destinations = new ArrayList<>();
    }
}
