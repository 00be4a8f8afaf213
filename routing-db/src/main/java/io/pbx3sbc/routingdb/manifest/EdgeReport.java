package io.pbx3sbc.routingdb.manifest;

import java.time.Instant;

/**
 * {@code fleets/<fleet>/edges/<edge-id>.json}: what one edge serves and has staged, written by
 * that edge on every change and as a heartbeat while idle.
 *
 * @param state        {@code staged}, {@code rejected}, {@code active} or {@code starting}
 * @param rejectedVersion the last version this edge refused, with {@code reason}
 */
public record EdgeReport(String edgeId, Long activeVersion, Long stagedVersion, String state,
                         Long rejectedVersion, String reason, Instant reportedAt) {

    public byte[] toJson() {
        return Json.write(this);
    }

    public static EdgeReport fromJson(byte[] json) throws java.io.IOException {
        return Json.read(json, EdgeReport.class);
    }
}
