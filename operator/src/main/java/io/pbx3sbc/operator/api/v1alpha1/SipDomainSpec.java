package io.pbx3sbc.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Wire type: Jackson reads and writes the public fields. */
public class SipDomainSpec {
    @Required
    @Size(min = 1, max = 253)
    @Pattern(Api.DOMAIN_PATTERN)
    @PrinterColumn(name = "Domain")
    @JsonPropertyDescription("The tenant's SIP domain, lower case (the Request-URI and To host of its calls), e.g. acme.voip.example.com. Unique across the SipDomains an EdgeFleet serves.")
    public String domain;

    @Required
    @Size(min = 1, max = 253)
    @Pattern(Api.NAME_PATTERN)
    @PrinterColumn(name = "Set")
    @JsonPropertyDescription("Name of the DispatcherSet, in this namespace, whose backends take this domain's calls.")
    public String dispatcherSetRef;

    @Default("true")
    @JsonPropertyDescription("When false the domain stays in the routing database but its calls are dropped silently, like an unknown domain's.")
    public Boolean enabled = true;

    @Size(max = 1024)
    @JsonPropertyDescription("Free text for people; stored in the routing database's comment column.")
    public String comment;

    @JsonPropertyDescription("Optional per-tenant request limit at each edge; requests over it get 503 with Retry-After.")
    public RateLimit rateLimit;

    /** Requests per second and burst, per tenant and edge. */
    public static class RateLimit {
        @Required
        @io.fabric8.generator.annotation.Min(1)
        @io.fabric8.generator.annotation.Max(100000)
        @JsonPropertyDescription("Sustained requests per second allowed for this tenant at one edge.")
        public Integer requestsPerSecond;

        @Required
        @io.fabric8.generator.annotation.Min(1)
        @io.fabric8.generator.annotation.Max(1000000)
        @JsonPropertyDescription("Requests allowed at once above the sustained rate (token bucket depth).")
        public Integer burst;
    }
}
