package io.pbx3sbc.operator.edgefleet;

import io.pbx3sbc.operator.api.v1alpha1.EdgeFleet;
import io.pbx3sbc.operator.status.Reasons;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What an EdgeFleet may ask of the operator, which runs its pods with the fleet's S3 credentials: an
 * edge image from the allowlist, and the host network only in namespaces permitted for it. The chart's
 * ValidatingAdmissionPolicy refuses the same at the API server; the operator checks again, so a
 * cluster without the policy (or an object admitted before it) is refused too, with a condition (pure).
 *
 * @param imagePrefixes          an edge image must start with one of these (e.g. {@code ghcr.io/pbx3sbc/edge-runtime:})
 * @param hostNetworkNamespaces  namespaces whose fleets may use the host network; {@code *} for any
 */
public record AdmissionRules(List<String> imagePrefixes, Set<String> hostNetworkNamespaces) {

    /** Why a fleet is refused: a reason of the Admitted condition and a sentence. */
    public record Refusal(String reason, String message) {
    }

    public AdmissionRules {
        imagePrefixes = List.copyOf(imagePrefixes);
        hostNetworkNamespaces = Set.copyOf(hostNetworkNamespaces);
    }

    /** @param defaultImage what a fleet without an image gets (always allowed) */
    public Optional<Refusal> check(EdgeFleet fleet, String defaultImage) {
        String image = fleet.getSpec().image;
        if (image != null && !image.isBlank() && !image.equals(defaultImage)
                && imagePrefixes.stream().noneMatch(image::startsWith)) {
            return Optional.of(new Refusal(Reasons.IMAGE_NOT_ALLOWED, "Edge image " + image
                    + " is not in the operator's allowlist " + imagePrefixes + "; edges would run it with the fleet's S3"
                    + " credentials. Use an allowed image or ask the cluster admin to allow it (chart value edgeImages.allowed)."));
        }
        String ns = fleet.getMetadata().getNamespace();
        if (Boolean.TRUE.equals(fleet.getSpec().hostNetwork) && !hostNetworkNamespaces.contains("*")
                && !hostNetworkNamespaces.contains(ns)) {
            return Optional.of(new Refusal(Reasons.HOST_NETWORK_NOT_ALLOWED, "hostNetwork is not permitted in namespace "
                    + ns + " (permitted: " + (hostNetworkNamespaces.isEmpty() ? "none" : hostNetworkNamespaces)
                    + "); ask the cluster admin (chart value edgeHostNetwork.namespaces)."));
        }
        return Optional.empty();
    }
}
