package io.pbx3sbc.operator.edgefleet;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.pbx3sbc.operator.api.v1alpha1.EdgeFleet;
import io.pbx3sbc.routingdb.store.S3Location;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A fleet's compile inputs in one hash (pure): its spec generation, which objects it selects at which
 * generation, its signing key and store. Equal fingerprints compile to the same database, so the
 * frequent reconciles of a promotion skip the compile and the store listing.
 */
final class InputFingerprint {
    private InputFingerprint() {
    }

    static String of(EdgeFleet fleet, List<? extends HasMetadata> domains, List<? extends HasMetadata> sets, String keyId,
                     S3Location store) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            update(md, "fleet " + fleet.getMetadata().getUid() + " " + fleet.getMetadata().getGeneration());
            update(md, "key " + keyId + " store " + store + " " + store.accessKeyId());
            for (List<? extends HasMetadata> objects : List.of(domains, sets)) {
                update(md, "--");
                objects.stream().map(o -> o.getMetadata().getUid() + " " + o.getMetadata().getGeneration()).sorted()
                        .forEach(line -> update(md, line));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void update(MessageDigest md, String line) {
        md.update(line.getBytes(StandardCharsets.UTF_8));
        md.update((byte) '\n');
    }
}
