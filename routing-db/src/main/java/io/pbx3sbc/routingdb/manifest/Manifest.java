package io.pbx3sbc.routingdb.manifest;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * {@code manifest.json} of one published version. The Ed25519 {@code signature} covers the
 * canonical JSON of every other field ({@link #signedBytes()}), so a changed hash, version or
 * fleet fails verification, and the content hash ties the signature to the database rows.
 *
 * @param keyId     which public key verifies it (see {@link SigningKeys#keyId})
 * @param signature base64 Ed25519 signature; null in an unsigned manifest
 */
public record Manifest(String fleet, long version, int schemaVersion, String contentSha256, Counts counts,
                       Instant createdAt, Map<String, Long> sourceGenerations, String keyId, String signature) {

    public record Counts(int domains, int destinations, int sets) {
    }

    public Manifest {
        Objects.requireNonNull(fleet, "fleet");
        Objects.requireNonNull(contentSha256, "contentSha256");
        Objects.requireNonNull(counts, "counts");
        Objects.requireNonNull(createdAt, "createdAt");
        sourceGenerations = sourceGenerations == null ? Map.of() : new TreeMap<>(sourceGenerations);
    }

    /** The bytes the signature covers: this manifest's canonical JSON without the signature. */
    public byte[] signedBytes() {
        return Json.write(withSignature(null));
    }

    public Manifest withSignature(String newSignature) {
        return new Manifest(fleet, version, schemaVersion, contentSha256, counts, createdAt, sourceGenerations,
                keyId, newSignature);
    }

    public byte[] toJson() {
        return Json.write(this);
    }

    public static Manifest fromJson(byte[] json) throws java.io.IOException {
        return Json.read(json, Manifest.class);
    }
}
