package io.pbx3sbc.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.ArrayList;
import java.util.List;

public class SipDomainStatus {
    @JsonPropertyDescription("The metadata.generation the operator last acted on.")
    public Long observedGeneration;
    @JsonPropertyDescription("Accepted: whether the domain is in the routing database, and why not.")
    public List<Condition> conditions = new ArrayList<>();
    @JsonPropertyDescription("The setId of the referenced DispatcherSet, once resolved.")
    public Integer setId;
    @JsonPropertyDescription("For each EdgeFleet serving this domain, the routing version that carries it.")
    public List<FleetVersion> fleets = new ArrayList<>();

    /** Which version of a fleet's routing database carries the object. */
    public static class FleetVersion {
        @JsonPropertyDescription("EdgeFleet name.")
        public String fleet;
        @JsonPropertyDescription("Routing database version that carries this object.")
        public Long version;
    }
}
