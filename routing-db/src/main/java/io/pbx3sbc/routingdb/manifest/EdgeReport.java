package io.pbx3sbc.routingdb.manifest;

import java.time.Instant;
import java.util.List;

/**
 * {@code fleets/<fleet>/edges/<edge-id>.json}: what one edge serves and has staged, and how it sees the
 * destinations of its active table, written by that edge on every change and as a heartbeat while idle.
 *
 * @param state           {@code staged}, {@code rejected}, {@code active} or {@code starting}
 * @param rejectedVersion the last version this edge refused, with {@code reason}
 * @param destinations    the destinations of the active table as this edge sees them (empty from edges
 *                        older than this field)
 * @param pointerEpoch    epoch of the newest release pointer this edge accepted
 * @param pointerSequence sequence of that pointer: the operator's next pointer must be newer
 * @param pointerRefused  why the last pointer read was refused (rollback, foreign fleet, bad signature); null when accepted
 * @param trustedKeyIds   the signing keys this edge trusts now (a key rotation waits for them)
 * @param lastKnownGoodKeyId the key that signs this edge's last known good copy's manifest
 * @param nudgeAddress    {@code ip:port} where the edge takes signed nudges ({@code POST /nudge}); null when
 *                        it takes none. Only ever told "look now": nothing sent there is trusted beyond that
 */
public record EdgeReport(String edgeId, Long activeVersion, Long stagedVersion, String state,
                         Long rejectedVersion, String reason, Instant reportedAt, List<DestinationHealth> destinations,
                         long pointerEpoch, long pointerSequence, String pointerRefused, List<String> trustedKeyIds,
                         String lastKnownGoodKeyId, String nudgeAddress) {

    public EdgeReport {
        destinations = destinations == null ? List.of() : List.copyOf(destinations);
        trustedKeyIds = trustedKeyIds == null ? List.of() : List.copyOf(trustedKeyIds);
    }

    public EdgeReport(String edgeId, Long activeVersion, Long stagedVersion, String state, Long rejectedVersion,
                      String reason, Instant reportedAt, List<DestinationHealth> destinations, long pointerEpoch,
                      long pointerSequence, String pointerRefused) {
        this(edgeId, activeVersion, stagedVersion, state, rejectedVersion, reason, reportedAt, destinations, pointerEpoch,
                pointerSequence, pointerRefused, List.of(), null, null);
    }

    public EdgeReport(String edgeId, Long activeVersion, Long stagedVersion, String state, Long rejectedVersion,
                      String reason, Instant reportedAt) {
        this(edgeId, activeVersion, stagedVersion, state, rejectedVersion, reason, reportedAt, List.of());
    }

    public EdgeReport(String edgeId, Long activeVersion, Long stagedVersion, String state, Long rejectedVersion,
                      String reason, Instant reportedAt, List<DestinationHealth> destinations) {
        this(edgeId, activeVersion, stagedVersion, state, rejectedVersion, reason, reportedAt, destinations, 0, 0, null);
    }

    /**
     * One destination as one edge sees it.
     *
     * @param state    the administrative state the edge applies: active, draining or disabled
     * @param up       whether the edge's probes consider it up (a disabled destination is not probed: up false)
     * @param since    when it last went up or down on this edge; null when never probed
     * @param reason   why it is down: {@code timeout} (no answer to OPTIONS), {@code reply} (an answer not
     *                 accepted) or {@code disabled}; empty when up
     * @param detail   the last probe's outcome in words
     * @param dialogs  dialogs up on it through this edge
     * @param requests initial requests this edge sent it
     * @param failovers requests this edge moved away from it after a timeout or 5xx
     */
    public record DestinationHealth(String uri, String state, boolean up, Instant since, String reason, String detail,
                                    int dialogs, long requests, long failovers) {
    }

    public byte[] toJson() {
        return Json.write(this);
    }

    public static EdgeReport fromJson(byte[] json) throws java.io.IOException {
        return Json.read(json, EdgeReport.class);
    }
}
