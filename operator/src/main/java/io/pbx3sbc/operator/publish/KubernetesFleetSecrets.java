package io.pbx3sbc.operator.publish;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.pbx3sbc.operator.api.v1alpha1.EdgeFleet;
import io.pbx3sbc.operator.naming.FleetNames;
import io.pbx3sbc.routingdb.manifest.SigningKeys;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Map;

/** {@link FleetSecrets} from Kubernetes Secrets in the fleet's namespace. */
public final class KubernetesFleetSecrets implements FleetSecrets {
    public static final String ACCESS_KEY_ID = "accessKeyId";
    public static final String SECRET_ACCESS_KEY = "secretAccessKey";
    public static final String SIGNING_KEY = "signing.key";
    public static final String SIGNING_PUB = "signing.pub";
    public static final String DIALOG_KEY = "dialog.key";
    private static final String MANAGED_BY = "pbx3sbc-operator";

    private final KubernetesClient client;

    public KubernetesFleetSecrets(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public S3Credentials s3Credentials(EdgeFleet fleet) throws MissingSecretException {
        String name = fleet.getSpec().store.credentialsSecretRef;
        Secret s = read(fleet, name);
        if (s == null) {
            throw new MissingSecretException("S3 credentials Secret " + name + " does not exist in namespace "
                    + fleet.getMetadata().getNamespace() + " (keys " + ACCESS_KEY_ID + " and " + SECRET_ACCESS_KEY + ")");
        }
        return new S3Credentials(value(s, ACCESS_KEY_ID), value(s, SECRET_ACCESS_KEY));
    }

    @Override
    public SigningKey signingKey(EdgeFleet fleet) throws MissingSecretException {
        String name = FleetNames.signingKeySecret(fleet);
        Secret s = read(fleet, name);
        if (s == null) {
            KeyPair generated = SigningKeys.generate();
            if (createUnlessPresent(fleet, name, Map.of(SIGNING_KEY, base64(SigningKeys.encodePrivate(generated.getPrivate())),
                    SIGNING_PUB, base64(SigningKeys.encodePublic(generated.getPublic()))))) {
                return new SigningKey(generated, name, SigningKeys.keyId(generated.getPublic()), true, true);
            }
            s = read(fleet, name); // another replica (or the user) created it meanwhile
        }
        try {
            PublicKey pub = SigningKeys.decodePublic(value(s, SIGNING_PUB));
            KeyPair keys = new KeyPair(pub, SigningKeys.decodePrivate(value(s, SIGNING_KEY)));
            return new SigningKey(keys, name, SigningKeys.keyId(pub), false, operatorMade(s));
        } catch (IllegalArgumentException e) {
            throw new MissingSecretException("signing key Secret " + name + " is not usable: " + e.getMessage());
        }
    }

    @Override
    public java.util.Optional<SigningKey> signingKey(EdgeFleet fleet, String secretName) {
        Secret s = secretName == null ? null : read(fleet, secretName);
        if (s == null) {
            return java.util.Optional.empty();
        }
        try {
            PublicKey pub = SigningKeys.decodePublic(value(s, SIGNING_PUB));
            return java.util.Optional.of(new SigningKey(new KeyPair(pub, SigningKeys.decodePrivate(value(s, SIGNING_KEY))),
                    secretName, SigningKeys.keyId(pub), false, operatorMade(s)));
        } catch (MissingSecretException | IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
    }

    @Override
    public boolean ensureDialogKey(EdgeFleet fleet) {
        String name = FleetNames.dialogKeySecret(fleet);
        if (read(fleet, name) != null) {
            return false;
        }
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        return createUnlessPresent(fleet, name, Map.of(DIALOG_KEY, base64(Base64.getEncoder().encodeToString(key))));
    }

    /**
     * Creates a fleet's generated Secret. Not owned by the fleet: deleting and re-creating a fleet must not
     * orphan what edges trust (the signing key) or make its dialogs unroutable (the dialog key).
     *
     * @return false when it exists already (another replica, or the user, created it meanwhile)
     */
    private boolean createUnlessPresent(EdgeFleet fleet, String name, Map<String, String> data) {
        try {
            client.secrets().inNamespace(fleet.getMetadata().getNamespace()).resource(new SecretBuilder()
                    .withNewMetadata().withName(name).withNamespace(fleet.getMetadata().getNamespace())
                    .withLabels(Map.of(FleetNames.LABEL_MANAGED_BY, MANAGED_BY,
                            FleetNames.LABEL_FLEET, fleet.getMetadata().getName()))
                    .endMetadata()
                    .withType("Opaque")
                    .withData(data)
                    .build()).create();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            return false;
        }
    }

    private static boolean operatorMade(Secret s) {
        var labels = s.getMetadata().getLabels();
        return labels != null && MANAGED_BY.equals(labels.get(FleetNames.LABEL_MANAGED_BY));
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }

    private Secret read(EdgeFleet fleet, String name) {
        return client.secrets().inNamespace(fleet.getMetadata().getNamespace()).withName(name).get();
    }

    private static String value(Secret s, String key) throws MissingSecretException {
        String v = null;
        if (s.getData() != null && s.getData().get(key) != null) {
            v = new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8).trim();
        } else if (s.getStringData() != null) {
            v = s.getStringData().get(key);
        }
        if (v == null || v.isEmpty()) {
            throw new MissingSecretException("Secret " + s.getMetadata().getName() + " has no key " + key);
        }
        return v;
    }
}
