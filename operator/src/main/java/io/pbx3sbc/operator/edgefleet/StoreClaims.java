package io.pbx3sbc.operator.edgefleet;

import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.pbx3sbc.operator.api.v1alpha1.EdgeFleet;
import io.pbx3sbc.operator.naming.FleetNames;
import io.pbx3sbc.operator.status.Reasons;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Which fleet may publish to a store location (pure). Two fleets with the same endpoint, bucket, prefix
 * and name would overwrite each other's release pointer and delete each other's versions: the older one
 * (by creation, then namespace/name) keeps the location, the other is refused. Fleets with different
 * names under one prefix do not collide: each has its own {@code fleets/<name>/}.
 */
final class StoreClaims {
    private StoreClaims() {
    }

    static Optional<AdmissionRules.Refusal> conflict(EdgeFleet fleet, List<EdgeFleet> all) {
        String mine = location(fleet);
        return all.stream()
                .filter(other -> !ResourceID.fromResource(other).equals(ResourceID.fromResource(fleet)))
                .filter(other -> other.getMetadata().getDeletionTimestamp() == null && other.getSpec() != null
                        && other.getSpec().store != null && mine.equals(location(other)))
                .filter(other -> olderThan(other, fleet))
                .findFirst()
                .map(other -> new AdmissionRules.Refusal(Reasons.STORE_CONFLICT, "EdgeFleet " + other.getMetadata().getNamespace()
                        + "/" + other.getMetadata().getName() + " already publishes to " + mine
                        + "; give this fleet another store.prefix or bucket."));
    }

    static String location(EdgeFleet f) {
        var s = f.getSpec().store;
        return String.valueOf(s.endpoint).replaceAll("/+$", "") + "/" + s.bucket + "/" + FleetNames.storePrefix(f)
                + "fleets/" + FleetNames.storeFleet(f) + "/";
    }

    private static boolean olderThan(EdgeFleet a, EdgeFleet b) {
        String ca = a.getMetadata().getCreationTimestamp();
        String cb = b.getMetadata().getCreationTimestamp();
        int c = ca == null || cb == null ? 0 : Instant.parse(ca).compareTo(Instant.parse(cb));
        return c != 0 ? c < 0 : ResourceID.fromResource(a).toString().compareTo(ResourceID.fromResource(b).toString()) < 0;
    }
}
