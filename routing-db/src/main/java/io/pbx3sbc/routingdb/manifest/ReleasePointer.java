package io.pbx3sbc.routingdb.manifest;

import java.time.Instant;
import java.util.List;

/**
 * {@code fleets/<fleet>/release.json}: which version edges serve ({@code active}) and which they
 * should stage ({@code candidate}), plus recent history. Written only by the operator (leader), signed
 * like a manifest: edges activate nothing a pointer names unless its signature holds for a trusted key,
 * it is this fleet's, and its {@code (epoch, sequence)} is not older than the newest they accepted. A
 * bucket writer without the key can neither forge a pointer nor roll the fleet back by replaying an
 * old one; a rollback by {@code pinnedVersion} is a new pointer with a higher sequence.
 *
 * @param active    null before the first promotion
 * @param candidate null when nothing is being rolled out
 * @param updatedAt when the pointer was issued
 * @param sequence  grows by one with every pointer the operator writes
 * @param epoch     the writing operator's leadership term (its leader lease's acquisition time, epoch
 *                  millis): a stale leader's pointers sort below the current leader's
 * @param keyId     which public key verifies it
 * @param signature base64 Ed25519 signature over {@link #signedBytes()}; null when unsigned
 */
public record ReleasePointer(String fleet, Long active, Long candidate, List<HistoryEntry> history, Instant updatedAt,
                             long sequence, long epoch, String keyId, String signature) {

    /** How many history entries a pointer keeps (the newest). */
    public static final int HISTORY_KEPT = 20;

    /** One version's outcome, e.g. {@code published}, {@code active}, {@code failed: reason}, {@code superseded}. */
    public record HistoryEntry(long version, String contentSha256, String outcome, Instant at) {
    }

    public ReleasePointer {
        history = history == null ? List.of() : List.copyOf(history);
    }

    /** An unsigned pointer with sequence 0 (what a fleet starts from before its first write). */
    public ReleasePointer(String fleet, Long active, Long candidate, List<HistoryEntry> history, Instant updatedAt) {
        this(fleet, active, candidate, history, updatedAt, 0, 0, null, null);
    }

    /** The same content with other versions and history; sequence, epoch and signature are the writer's to set. */
    public ReleasePointer with(Long newActive, Long newCandidate, List<HistoryEntry> newHistory, Instant now) {
        return new ReleasePointer(fleet, newActive, newCandidate, newHistory, now, sequence, epoch, null, null);
    }

    /** Whether {@code (epoch, sequence)} of this pointer is older than the given one. */
    public boolean olderThan(long otherEpoch, long otherSequence) {
        return epoch < otherEpoch || (epoch == otherEpoch && sequence < otherSequence);
    }

    /** The bytes the signature covers: the canonical JSON without the signature. */
    public byte[] signedBytes() {
        return Json.write(withSignature(keyId, null));
    }

    public ReleasePointer withSignature(String newKeyId, String newSignature) {
        return new ReleasePointer(fleet, active, candidate, history, updatedAt, sequence, epoch, newKeyId, newSignature);
    }

    public ReleasePointer withOrder(long newSequence, long newEpoch) {
        return new ReleasePointer(fleet, active, candidate, history, updatedAt, newSequence, newEpoch, null, null);
    }

    public byte[] toJson() {
        return Json.write(this);
    }

    public static ReleasePointer fromJson(byte[] json) throws java.io.IOException {
        return Json.read(json, ReleasePointer.class);
    }
}
