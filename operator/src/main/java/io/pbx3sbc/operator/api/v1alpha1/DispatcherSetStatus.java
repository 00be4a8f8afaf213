package io.pbx3sbc.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.ArrayList;
import java.util.List;

public class DispatcherSetStatus {
    @JsonPropertyDescription("The metadata.generation the operator last acted on.")
    public Long observedGeneration;
    @JsonPropertyDescription("Accepted: whether the set is in the routing database, and why not.")
    public List<Condition> conditions = new ArrayList<>();
    @JsonPropertyDescription("For each EdgeFleet serving this set, the routing version that carries it.")
    public List<SipDomainStatus.FleetVersion> fleets = new ArrayList<>();
}
