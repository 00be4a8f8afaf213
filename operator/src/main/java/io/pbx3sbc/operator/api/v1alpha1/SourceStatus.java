package io.pbx3sbc.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.ArrayList;
import java.util.List;

/** Status shared by the kinds an EdgeFleet compiles (SipDomain, DispatcherSet). */
public abstract class SourceStatus {
    @JsonPropertyDescription("The metadata.generation the operator last acted on.")
    public Long observedGeneration;
    @JsonPropertyDescription("Accepted: whether every fleet serving this object carries it in its routing database, and why not.")
    public List<Condition> conditions = new ArrayList<>();
    @JsonPropertyDescription("For each EdgeFleet that selects this object, whether it took it and the routing version that carries it.")
    public List<FleetVersion> fleets = new ArrayList<>();

    /** One fleet's verdict on the object. */
    public static class FleetVersion {
        @JsonPropertyDescription("EdgeFleet name.")
        public String fleet;
        @JsonPropertyDescription("Routing database version that carries this object; empty while it is left out.")
        public Long version;
        @JsonPropertyDescription("Compiled, or why the fleet left the object out (a reason of the Accepted condition).")
        public String reason;
        @JsonPropertyDescription("One sentence for people.")
        public String message;
    }
}
