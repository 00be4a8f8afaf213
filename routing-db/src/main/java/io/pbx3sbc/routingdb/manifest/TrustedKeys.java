package io.pbx3sbc.routingdb.manifest;

import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The public keys an edge trusts, by key id. More than one during a key rotation: the new key is
 * trusted before anything is signed with it, the old one until nothing the edges may need is signed
 * with it any more.
 */
public final class TrustedKeys {
    private final Map<String, PublicKey> byId;

    private TrustedKeys(Map<String, PublicKey> byId) {
        if (byId.isEmpty()) {
            throw new IllegalArgumentException("at least one trusted public key is needed");
        }
        this.byId = Map.copyOf(byId);
    }

    public static TrustedKeys of(Collection<PublicKey> keys) {
        Map<String, PublicKey> m = new LinkedHashMap<>();
        keys.forEach(k -> m.put(SigningKeys.keyId(Objects.requireNonNull(k, "key")), k));
        return new TrustedKeys(m);
    }

    public static TrustedKeys of(PublicKey... keys) {
        return of(List.of(keys));
    }

    /** Keys in the configuration's text form: base64 DER, separated by commas or whitespace. */
    public static TrustedKeys parse(String text) {
        List<PublicKey> keys = new ArrayList<>();
        for (String part : text.trim().split("[,\\s]+")) {
            if (!part.isEmpty()) {
                keys.add(SigningKeys.decodePublic(part));
            }
        }
        return of(keys);
    }

    /** The key with this id; null when it is not trusted. */
    public PublicKey key(String keyId) {
        return keyId == null ? null : byId.get(keyId);
    }

    public List<String> ids() {
        return List.copyOf(byId.keySet());
    }

    @Override
    public String toString() {
        return String.join(",", byId.keySet());
    }
}
