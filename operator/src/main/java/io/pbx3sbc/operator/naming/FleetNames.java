package io.pbx3sbc.operator.naming;

import io.pbx3sbc.operator.api.v1alpha1.EdgeFleet;

import java.util.Map;

/** The one place that names what the operator derives from an EdgeFleet, and labels it. */
public final class FleetNames {
    public static final String LABEL_FLEET = "pbx3sbc.io/fleet";
    public static final String LABEL_NAME = "app.kubernetes.io/name";
    public static final String LABEL_INSTANCE = "app.kubernetes.io/instance";
    public static final String LABEL_COMPONENT = "app.kubernetes.io/component";
    public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
    /** Hash of the desired object the operator last applied; equal hash, no write. */
    public static final String ANNOTATION_APPLIED_HASH = "pbx3sbc.io/applied-hash";
    /** On edge pod templates: the hash of the edge configuration, so a change rolls the pods. */
    public static final String ANNOTATION_CONFIG_HASH = "pbx3sbc.io/config-hash";

    public static final int SIP_PORT = 5060;
    public static final int ADMIN_PORT = 9090;

    private FleetNames() {
    }

    /** Deployment or DaemonSet, and the SIP Service: the fleet's own name plus "-edge". */
    public static String edges(EdgeFleet f) {
        return f.getMetadata().getName() + "-edge";
    }

    public static String adminService(EdgeFleet f) {
        return edges(f) + "-admin";
    }

    public static String config(EdgeFleet f) {
        return edges(f) + "-config";
    }

    /** The public keys the edges trust, a ConfigMap mounted as a file (not hashed into the pod template). */
    public static String trust(EdgeFleet f) {
        return edges(f) + "-trust";
    }

    public static String serviceAccount(EdgeFleet f) {
        return edges(f);
    }

    public static String disruptionBudget(EdgeFleet f) {
        return edges(f);
    }

    /** The edges' shared secret for signed Via branches and Record-Route ("<fleet>-edge-dialog-key"). */
    public static String dialogKeySecret(EdgeFleet f) {
        return edges(f) + "-dialog-key";
    }

    /** The signing key Secret: the spec's, or "<fleet>-signing-key". */
    public static String signingKeySecret(EdgeFleet f) {
        String ref = f.getSpec().signingKeySecretRef;
        return ref == null || ref.isBlank() ? f.getMetadata().getName() + "-signing-key" : ref;
    }

    /** The fleet's name in S3 and in the routing database. */
    public static String storeFleet(EdgeFleet f) {
        return f.getMetadata().getName();
    }

    /** Key prefix in the bucket: the spec's, else the namespace, so equal fleet names in two namespaces never share keys. */
    public static String storePrefix(EdgeFleet f) {
        String p = f.getSpec().store.prefix;
        return p == null || p.isBlank() ? f.getMetadata().getNamespace() + "/" : p;
    }

    public static Map<String, String> selectorLabels(EdgeFleet f) {
        return Map.of(LABEL_NAME, "pbx3sbc-edge", LABEL_INSTANCE, f.getMetadata().getName());
    }

    public static Map<String, String> labels(EdgeFleet f) {
        return Map.of(LABEL_NAME, "pbx3sbc-edge", LABEL_INSTANCE, f.getMetadata().getName(),
                LABEL_COMPONENT, "sip-edge", LABEL_MANAGED_BY, "pbx3sbc-operator", LABEL_FLEET, f.getMetadata().getName());
    }
}
