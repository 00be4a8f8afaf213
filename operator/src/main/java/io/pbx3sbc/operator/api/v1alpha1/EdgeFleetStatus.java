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
    @JsonPropertyDescription("Edge pods that are Ready.")
    public Integer edgesReady;
    @JsonPropertyDescription("Edges that have staged the candidate.")
    public Integer edgesStaged;
    @JsonPropertyDescription("Ready, Published, Progressing and Degraded, with CamelCase reasons.")
    public List<Condition> conditions = new ArrayList<>();
    @JsonPropertyDescription("What each edge reported last.")
    public List<Edge> edges = new ArrayList<>();
    @JsonPropertyDescription("The last versions and what became of them.")
    public List<HistoryEntry> history = new ArrayList<>();

    public static class Edge {
        @JsonPropertyDescription("Edge id (the pod name).")
        public String name;
        @JsonPropertyDescription("Version it serves.")
        public Long activeVersion;
        @JsonPropertyDescription("Version it has staged next to the active one.")
        public Long stagedVersion;
        @JsonPropertyDescription("Why it last refused a version, if it did.")
        public String lastRejection;
        @JsonPropertyDescription("When it last reported (RFC 3339).")
        public String lastReport;
    }

    public static class HistoryEntry {
        @JsonPropertyDescription("Routing version.")
        public Long version;
        @JsonPropertyDescription("Published, Promoted, Failed, RolledBack or Superseded.")
        public String outcome;
        @JsonPropertyDescription("When (RFC 3339).")
        public String time;
    }
}
