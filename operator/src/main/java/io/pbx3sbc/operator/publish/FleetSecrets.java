package io.pbx3sbc.operator.publish;

import io.pbx3sbc.operator.api.v1alpha1.EdgeFleet;

import java.security.KeyPair;

/** The secrets a fleet's publish needs, read from wherever they live (Kubernetes Secrets in production). */
public interface FleetSecrets {

    record S3Credentials(String accessKeyId, String secretAccessKey) {
        @Override
        public String toString() {
            return "S3Credentials[" + accessKeyId + ", secret hidden]";
        }
    }

    /**
     * @param generated true when the key did not exist and was created by this call
     * @param operatorMade true when the Secret is one the operator generated (now or earlier), read from its
     *                     labels: the user should back such a key up, and status says so on every reconcile
     */
    record SigningKey(KeyPair keys, String secretName, String keyId, boolean generated, boolean operatorMade) {
    }

    /** @throws MissingSecretException when the Secret or one of its keys is absent (the user must act) */
    S3Credentials s3Credentials(EdgeFleet fleet) throws MissingSecretException;

    /** Reads the fleet's Ed25519 signing key, generating and storing one when the Secret does not exist. */
    SigningKey signingKey(EdgeFleet fleet) throws MissingSecretException;

    /** A signing key by Secret name, never generated (the fleet's previous key during a rotation); empty when gone. */
    java.util.Optional<SigningKey> signingKey(EdgeFleet fleet, String secretName);

    /**
     * Makes sure the edges' dialog key Secret exists (random, generated once, kept across fleet
     * re-creation so dialogs set up before survive). @return true when it was generated now
     */
    boolean ensureDialogKey(EdgeFleet fleet);

    /** A Secret the fleet refers to is absent or incomplete: a configuration problem, not a transient one. */
    final class MissingSecretException extends Exception {
        public MissingSecretException(String message) {
            super(message);
        }
    }
}
