package io.pbx3sbc.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PrinterColumn;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

import java.util.ArrayList;
import java.util.List;

/** Wire type: Jackson reads and writes the public fields. */
public class DispatcherSetSpec {
    @Required
    @Min(1)
    @Max(2147483647)
    @PrinterColumn(name = "SetID")
    @JsonPropertyDescription("The set id the routing database (and Kamailio's dispatcher table) uses; unique among the DispatcherSets an EdgeFleet serves.")
    public Integer setId;

    @Default("round-robin")
    @Pattern("^(round-robin|priority|weighted|hash-callid)$")
    @PrinterColumn(name = "Algorithm")
    @JsonPropertyDescription("How a destination is picked among the healthy ones: round-robin, priority (highest first, the others on failure), weighted (by weight) or hash-callid (one Call-ID, one backend).")
    public String algorithm = "round-robin";

    @Required
    @Size(min = 1, max = 10000)
    // Duplicate URIs are reported by the compiler on status: a CEL uniqueness rule over 10,000 items
    // would exceed the API server's rule cost budget.
    @JsonPropertyDescription("The backends. At least one.")
    public List<Destination> destinations = new ArrayList<>();

    @JsonPropertyDescription("OPTIONS health probing of the destinations; defaults are the seed's Kamailio settings.")
    public Probing probing;

    // contains() and not a regex: over 10,000 destinations a regex exceeds the API server's rule cost budget.
    // The compiler refuses every other spelling (upper case) on status.
    @ValidationRule(value = "!self.uri.contains(';transport=sctp') && !self.uri.contains(';transport=ws')",
            message = "the edge reaches backends over udp, tcp or tls only (transport=sctp, ws and wss are not served)")
    @ValidationRule(value = "!self.uri.startsWith('sips:') || !(self.uri.contains(';transport=udp') || self.uri.contains(';transport=tcp'))",
            message = "a sips: URI means TLS: drop its transport parameter, or use sip: with transport=tcp or udp")
    public static class Destination {
        @Required
        @Size(max = 512)
        @Pattern(Api.SIP_URI_PATTERN)
        @JsonPropertyDescription("sip: or sips: URI of the backend, e.g. sip:10.0.1.10:5060 or sip:asterisk-a.pbx.svc:5060;transport=tcp.")
        public String uri;

        @Default("0")
        @Min(0)
        @Max(1000000)
        @JsonPropertyDescription("Higher goes first with the priority algorithm.")
        public Integer priority = 0;

        @Default("1")
        @Min(0)
        @Max(1000000)
        @JsonPropertyDescription("Share of calls with the weighted algorithm; 0 takes calls only when nothing else is left.")
        public Integer weight = 1;

        @Default("active")
        @Pattern("^(active|draining|disabled)$")
        @JsonPropertyDescription("Administrative state: active takes new calls; draining takes no new call but keeps the calls up on it (in-dialog requests) and its probes, and status.destinations says when it has no dialog left; disabled takes nothing and is not probed. Written to the routing database as Kamailio's disabled flag, so a Kamailio reading it honours it too.")
        public String state = "active";

        @Default("0")
        @Min(0)
        @Max(65535)
        @JsonPropertyDescription("Kamailio dispatcher flags, carried as they are. Bit 4 (disabled) means state disabled; bit 1 (inactive) makes the destination start down until probes bring it up. Prefer the state field.")
        public Integer flags = 0;

        @Size(max = 1024)
        @JsonPropertyDescription("Extra Kamailio dispatcher attributes (key=value;...), carried as they are.")
        public String attrs;
    }

    public static class Probing {
        @Default("OPTIONS")
        @Pattern("^OPTIONS$")
        @JsonPropertyDescription("Probe method; only OPTIONS.")
        public String method = "OPTIONS";

        @Default("30")
        @Min(1)
        @Max(3600)
        @JsonPropertyDescription("Seconds between probes of each destination.")
        public Integer intervalSeconds = 30;

        @Default("2")
        @Min(1)
        @Max(100)
        @JsonPropertyDescription("Failed probes in a row that mark a destination down.")
        public Integer probingThreshold = 2;

        @Default("2")
        @Min(1)
        @Max(100)
        @JsonPropertyDescription("Good replies in a row that bring a down destination back.")
        public Integer inactiveThreshold = 2;

        @JsonProperty("replyCodes")
        @Size(min = 1, max = 20)
        @JsonPropertyDescription("Reply codes that count as alive; default [200].")
        public List<Integer> replyCodes;

        @Default("5000")
        @Min(100)
        @Max(60000)
        @JsonPropertyDescription("Milliseconds to wait for a probe's reply.")
        public Integer timeoutMillis = 5000;
    }
}
