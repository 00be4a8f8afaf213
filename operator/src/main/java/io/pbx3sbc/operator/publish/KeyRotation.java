package io.pbx3sbc.operator.publish;

import io.pbx3sbc.routingdb.manifest.EdgeReport;

import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Rotation of a fleet's signing key without an outage, decided afresh at every reconcile from what the
 * status says the fleet signs with, the key the spec names now, and what the live edges report (pure).
 * Changing {@code spec.signingKeySecretRef} starts it:
 * <ol>
 *   <li>{@link Phase#TRUSTING_NEW_KEY}: the edges are told to trust both keys; everything is still signed
 *       with the old one, until every live edge trusts the new one;</li>
 *   <li>{@link Phase#RESIGNING}: the active, candidate and pinned versions' manifests and the release
 *       pointer are signed again with the new key, and new versions are signed with it, until every live
 *       edge's last known good copy carries a manifest signed by the new key;</li>
 *   <li>{@link Phase#RETIRING_OLD_KEY}: the edges are told to trust the new key only, until none trusts the
 *       old one; then the new key is the fleet's key.</li>
 * </ol>
 * With no live edge each wait is over at once. When the old key's Secret is gone, trusting it is
 * pointless: the rotation goes straight to re-signing.
 */
public final class KeyRotation {
    private KeyRotation() {
    }

    /** A key as the status keeps it: id, public key (base64 DER) and the Secret holding it. */
    public record Key(String keyId, String publicKey, String secretName) {
        public Key {
            Objects.requireNonNull(keyId, "keyId");
            Objects.requireNonNull(publicKey, "publicKey");
        }
    }

    public enum Phase {
        NONE("None"), TRUSTING_NEW_KEY("TrustingNewKey"), RESIGNING("Resigning"), RETIRING_OLD_KEY("RetiringOldKey");

        private final String wireName;

        Phase(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    /**
     * @param signWith the key to sign with in this reconcile
     * @param trusted  the public keys the edges are told to trust
     * @param resign   sign the active, candidate and pinned versions and the pointer again with {@code signWith}
     * @param current  the fleet's key after this reconcile (the new one once the rotation is over)
     */
    public record Plan(Key signWith, List<Key> trusted, boolean resign, Phase phase, Key current, String message) {
        public Plan {
            trusted = List.copyOf(trusted);
        }
    }

    /**
     * @param current          the key the fleet has signed with (from status); null for a fleet new to this
     * @param wanted           the key {@code spec.signingKeySecretRef} names now
     * @param currentAvailable whether the current key's Secret can still be read
     * @param live             reports of the edges heard from lately
     */
    public static Plan decide(Key current, Key wanted, boolean currentAvailable, List<EdgeReport> live) {
        if (current == null || current.keyId().equals(wanted.keyId())) {
            return new Plan(wanted, List.of(wanted), false, Phase.NONE, wanted,
                    "Versions and the release pointer are signed with key " + wanted.keyId() + ".");
        }
        String rotating = "Rotating the signing key from " + current.keyId() + " to " + wanted.keyId() + ": ";
        long trustNew = count(live, r -> r.trustedKeyIds().contains(wanted.keyId()));
        if (trustNew < live.size() && currentAvailable) {
            return new Plan(current, List.of(current, wanted), false, Phase.TRUSTING_NEW_KEY, current, rotating
                    + trustNew + " of " + live.size() + " live edges trust the new key; still signing with the old one.");
        }
        long copiesNew = count(live, r -> r.activeVersion() == null || wanted.keyId().equals(r.lastKnownGoodKeyId()));
        if (copiesNew < live.size()) {
            return new Plan(wanted, List.of(current, wanted), true, Phase.RESIGNING, current, rotating
                    + "the active, candidate and pinned versions and the release pointer are signed with the new key; "
                    + copiesNew + " of " + live.size() + " live edges hold a last known good copy signed with it."
                    + (currentAvailable ? "" : " (The old key's Secret " + current.secretName() + " is gone.)"));
        }
        long forgotOld = count(live, r -> !r.trustedKeyIds().contains(current.keyId()));
        if (forgotOld < live.size()) {
            return new Plan(wanted, List.of(wanted), true, Phase.RETIRING_OLD_KEY, current, rotating
                    + forgotOld + " of " + live.size() + " live edges no longer trust the old key.");
        }
        return new Plan(wanted, List.of(wanted), true, Phase.NONE, wanted, "Rotated the signing key from "
                + current.keyId() + " to " + wanted.keyId() + "; versions and the release pointer are signed with it.");
    }

    private static long count(List<EdgeReport> live, Predicate<EdgeReport> p) {
        return live.stream().filter(p).count();
    }
}
