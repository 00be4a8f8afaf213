package io.pbx3sbc.routingdb.manifest;

import java.time.Instant;
import java.util.List;

/**
 * {@code fleets/<fleet>/release.json}: which version edges serve ({@code active}) and which they
 * should stage ({@code candidate}), plus recent history. Written only by the operator (leader).
 *
 * @param active    null before the first promotion
 * @param candidate null when nothing is being rolled out
 */
public record ReleasePointer(String fleet, Long active, Long candidate, List<HistoryEntry> history, Instant updatedAt) {

    /** One version's outcome, e.g. {@code published}, {@code active}, {@code failed: reason}, {@code superseded}. */
    public record HistoryEntry(long version, String contentSha256, String outcome, Instant at) {
    }

    public ReleasePointer {
        history = history == null ? List.of() : List.copyOf(history);
    }

    public byte[] toJson() {
        return Json.write(this);
    }

    public static ReleasePointer fromJson(byte[] json) throws java.io.IOException {
        return Json.read(json, ReleasePointer.class);
    }
}
