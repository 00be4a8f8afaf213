package io.pbx3sbc.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import java.util.ArrayList;
import java.util.List;

public class EdgeFleetStatus {
    @JsonPropertyDescription("The metadata.generation the operator last acted on.")
    public Long observedGeneration;
    @JsonPropertyDescription("Ready, Promoting, Degraded or Paused.")
    public String phase;
    @JsonPropertyDescription("Routing version the edges serve.")
    public Long activeVersion;
    @JsonPropertyDescription("Published version waiting to be promoted, if any.")
    public Long candidateVersion;
    @JsonPropertyDescription("Edge pods that are Ready (from the Deployment or DaemonSet).")
    public Integer edgesReady;
    @JsonPropertyDescription("Live edges: those that reported to the fleet recently.")
    public Integer edgesTotal;
    @JsonPropertyDescription("Live edges that have staged the candidate.")
    public Integer edgesStaged;
    @JsonPropertyDescription("Live edges serving the active version.")
    public Integer edgesActive;
    @JsonPropertyDescription("Live edges whose last report rejects a version (the edges list says which and why).")
    public Integer edgesRejecting;
    @JsonPropertyDescription("The oldest version a live edge serves: where the slowest edge is during a promotion.")
    public Long oldestEdgeVersion;
    @JsonPropertyDescription("SipDomains the newest compile carries.")
    public Integer domains;
    @JsonPropertyDescription("Selected SipDomains and DispatcherSets left out of routing; each one's status says why.")
    public Integer leftOut;
    @JsonPropertyDescription("SipDomain and DispatcherSet status writes still queued. The first publish of many objects"
            + " writes their statuses in the background; refusals and changes are written first.")
    public Integer statusWritesPending;
    @JsonPropertyDescription("Selected SipDomains carried as expected whose own status this fleet"
            + " leaves unwritten (spec.sourceStatus: Exceptions, a bulk of them): domains and leftOut speak for them.")
    public Integer sourcesSummarised;
    @JsonPropertyDescription("Ready, Published, Progressing and Degraded, with CamelCase reasons.")
    public List<Condition> conditions = new ArrayList<>();
    @JsonPropertyDescription("What each edge reported last: at most 50 edges, those that need a look first (not live,"
            + " rejecting a version, not on the active one), then by name.")
    public List<Edge> edges = new ArrayList<>();
    @JsonPropertyDescription("Edges left out of the edges list to keep the status small; the counts above include them.")
    public Integer edgesNotListed;
    @JsonPropertyDescription("The last versions and what became of them.")
    public List<HistoryEntry> history = new ArrayList<>();

    @JsonPropertyDescription("The fleet's signing key and any rotation in progress.")
    public SigningKey signingKey;

    /** The key the fleet signs with; during a rotation, the old one until the edges no longer need it. */
    public static class SigningKey {
        @JsonPropertyDescription("Key id (first 16 hex digits of SHA-256 over the public key).")
        public String keyId;
        @JsonPropertyDescription("Base64 DER public key, so the edges can be told to trust it while it is retired.")
        public String publicKey;
        @JsonPropertyDescription("The Secret holding it.")
        public String secretName;
        @JsonPropertyDescription("None, TrustingNewKey, Resigning or RetiringOldKey (see docs/operations.md).")
        public String rotation;
        @JsonPropertyDescription("Where a rotation stands, for people.")
        public String message;
    }

    public static class Edge {
        @JsonPropertyDescription("Edge id (the pod name).")
        public String name;
        @JsonPropertyDescription("Whether it reported recently; an edge that is not live does not hold promotion back.")
        public Boolean live;
        @JsonPropertyDescription("Version it serves.")
        public Long activeVersion;
        @JsonPropertyDescription("Version it has staged next to the active one.")
        public Long stagedVersion;
        @JsonPropertyDescription("Why it last refused a version, if it did.")
        public String lastRejection;
        @JsonPropertyDescription("When it was last heard from, shown once it is no longer live (RFC 3339).")
        public String lastReport;
    }

    public static class HistoryEntry {
        @JsonPropertyDescription("Routing version.")
        public Long version;
        @JsonPropertyDescription("Published, Pinned, Promoted, or Failed with the reason.")
        public String outcome;
        @JsonPropertyDescription("When (RFC 3339).")
        public String time;
    }
}
