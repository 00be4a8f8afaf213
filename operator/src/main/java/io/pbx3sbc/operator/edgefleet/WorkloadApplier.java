package io.pbx3sbc.operator.edgefleet;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.pbx3sbc.operator.api.v1alpha1.EdgeFleet;
import io.pbx3sbc.operator.naming.FleetNames;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Writes the desired edge objects. Each carries the hash of what was applied; an object whose hash
 * matches is left alone, so steady-state reconciles write nothing and fields defaulted by the API
 * server never cause a fight. A changed object is replaced with the desired form (the operator owns it).
 */
public final class WorkloadApplier {
    private final KubernetesClient client;

    public WorkloadApplier(KubernetesClient client) {
        this.client = client;
    }

    /** @return how many objects were created or updated */
    public int apply(EdgeFleet fleet, List<HasMetadata> desired) {
        int written = 0;
        for (HasMetadata d : desired) {
            String hash = hash(d);
            Map<String, String> annotations = new HashMap<>(d.getMetadata().getAnnotations() == null
                    ? Map.of() : d.getMetadata().getAnnotations());
            annotations.put(FleetNames.ANNOTATION_APPLIED_HASH, hash);
            d.getMetadata().setAnnotations(annotations);
            HasMetadata existing = client.resource(d).get();
            if (existing == null) {
                client.resource(d).create();
                written++;
            } else if (!hash.equals(annotation(existing))) {
                d.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
                client.resource(d).update();
                written++;
            }
        }
        // Switching hostNetwork swaps the workload kind; remove the one no longer wanted.
        boolean daemonSet = desired.stream().anyMatch(d -> d instanceof DaemonSet);
        String ns = fleet.getMetadata().getNamespace();
        String name = FleetNames.edges(fleet);
        if (daemonSet) {
            client.apps().deployments().inNamespace(ns).withName(name).delete();
        } else {
            client.apps().daemonSets().inNamespace(ns).withName(name).delete();
        }
        return written;
    }

    private static String annotation(HasMetadata o) {
        Map<String, String> a = o.getMetadata().getAnnotations();
        return a == null ? null : a.get(FleetNames.ANNOTATION_APPLIED_HASH);
    }

    static String hash(HasMetadata desired) {
        try {
            byte[] json = Serialization.asJson(desired).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
