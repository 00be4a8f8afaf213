package io.pbx3sbc.routingdb.manifest;

import java.time.Duration;
import java.time.Instant;

/**
 * The operator's word to an edge that its fleet's release pointer changed: "look now". An edge acts on
 * it only by reading the pointer at once (the signed pointer in the store stays the only truth), and
 * only when the nudge is signed by a key it trusts for its fleet and is fresh, so nobody else can make
 * the fleet's edges hammer the store. Sent as the body of {@code POST /nudge} on the edge's admin port.
 *
 * @param purpose   always {@code "nudge"}: these signed bytes can never read as a pointer or manifest
 * @param epoch     the pointer's epoch and sequence, for the logs
 * @param issuedAt  when the operator sent it; an edge refuses nudges older or newer than {@link #MAX_AGE}
 * @param signature base64 Ed25519 over {@link #signedBytes()} by the fleet's signing key
 */
public record Nudge(String purpose, String fleet, long epoch, long sequence, Instant issuedAt, String keyId, String signature) {
    public static final String PURPOSE = "nudge";
    /** Clock skew between operator and edges tolerated; a replayed nudge costs one conditional GET at most. */
    public static final Duration MAX_AGE = Duration.ofMinutes(5);

    public static Nudge of(ReleasePointer pointer, Instant now) {
        return new Nudge(PURPOSE, pointer.fleet(), pointer.epoch(), pointer.sequence(), now, null, null);
    }

    public byte[] signedBytes() {
        return Json.write(withSignature(keyId, null));
    }

    public Nudge withSignature(String newKeyId, String newSignature) {
        return new Nudge(purpose, fleet, epoch, sequence, issuedAt, newKeyId, newSignature);
    }

    /** Why this nudge may not steer an edge of {@code expectedFleet} now; null when it may. */
    public String refusal(String expectedFleet, TrustedKeys trusted, Instant now) {
        if (!PURPOSE.equals(purpose) || issuedAt == null) {
            return "not a nudge";
        }
        if (!expectedFleet.equals(fleet)) {
            return "for fleet " + fleet + ", not " + expectedFleet;
        }
        if (Duration.between(issuedAt, now).abs().compareTo(MAX_AGE) > 0) {
            return "issued at " + issuedAt + ", too far from now";
        }
        if (!SigningKeys.verify(this, trusted)) {
            return "not signed by a trusted key";
        }
        return null;
    }

    public byte[] toJson() {
        return Json.write(this);
    }

    public static Nudge fromJson(byte[] json) throws java.io.IOException {
        return Json.read(json, Nudge.class);
    }
}
