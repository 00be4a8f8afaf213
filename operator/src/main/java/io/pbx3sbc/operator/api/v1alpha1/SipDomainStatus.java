package io.pbx3sbc.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

public class SipDomainStatus extends SourceStatus {
    @JsonPropertyDescription("The setId of the referenced DispatcherSet, once resolved.")
    public Integer setId;
}
