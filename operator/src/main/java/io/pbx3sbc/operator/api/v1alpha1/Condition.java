package io.pbx3sbc.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** A status condition, the Kubernetes convention: type, status, CamelCase reason, one-sentence message. */
public class Condition {
    @JsonPropertyDescription("Condition type, e.g. Accepted, Published, Ready, Progressing, Degraded.")
    public String type;
    @JsonPropertyDescription("True, False or Unknown.")
    public String status;
    @JsonPropertyDescription("CamelCase reason for the status, from a fixed set documented in docs/resources.md.")
    public String reason;
    @JsonPropertyDescription("One sentence for people.")
    public String message;
    @JsonPropertyDescription("The metadata.generation this condition was computed from.")
    public Long observedGeneration;
    @JsonPropertyDescription("When the status last changed (RFC 3339).")
    public String lastTransitionTime;
}
