package io.pbx3sbc.edge.sip.transport;

import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.Security;
import java.util.List;
import java.util.Map;

import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * A JCA provider, put first in the JVM's list, for the two curve operations of every TLS handshake:
 * ECDSA over P-256 and P-384 ({@link CachedCurveEcdsa}: Bouncy Castle's fixed-point comb on parameters
 * built once) and X25519 (Bouncy Castle's RFC 7748 ladder; the key share OpenSSL, BoringSSL and the JDK
 * offer first). On JDK 17 the JDK's own curve code costs about 1 ms per ECDSA signature and 0.55 ms per
 * X25519 exchange on this class of machine, which held the edge's handshake rate under Kamailio's
 * ({@code docs/benchmarks.md}, "SIP over TLS").
 *
 * <p>Nothing else moves: AES-GCM, SHA-2 and HMAC stay with the JDK and its CPU intrinsics, RSA and
 * Ed25519 stay with the JDK, keys on other curves fall through to the JDK, and P-256 key agreement stays
 * with the JDK because Bouncy Castle's variable-point multiplication is not constant-time. JSSE itself
 * (record layer, state machine) is the JDK's.
 */
public final class FastCurves extends Provider {
    public static final String NAME = "PBX3SBC-Curves";

    private static final Map<String, String> ECDSA_DIGESTS = Map.of(
            "SHA256withECDSA", "SHA-256", "SHA384withECDSA", "SHA-384", "SHA512withECDSA", "SHA-512");

    /** type, algorithm: served by Bouncy Castle's implementation of the same name. */
    private static final List<List<String>> X25519_SERVICES = List.of(
            List.of("KeyPairGenerator", "XDH"),
            List.of("KeyPairGenerator", "X25519"),
            List.of("KeyAgreement", "XDH"),
            List.of("KeyAgreement", "X25519"),
            List.of("KeyFactory", "XDH"),
            List.of("KeyFactory", "X25519"));

    private FastCurves() {
        super(NAME, "1", "ECDSA on cached curves and X25519 from Bouncy Castle, for TLS handshakes");
        ECDSA_DIGESTS.forEach((algorithm, digest) -> putService(new Ecdsa(this, algorithm, digest)));
        Provider bc = new BouncyCastleProvider();
        for (List<String> s : X25519_SERVICES) {
            Provider.Service target = bc.getService(s.get(0), s.get(1));
            if (target == null) {
                throw new IllegalStateException("Bouncy Castle has no " + s.get(0) + "." + s.get(1));
            }
            putService(new Delegate(this, target));
        }
    }

    /** Puts the provider first, once per JVM. */
    public static synchronized void install() {
        if (Security.getProvider(NAME) == null) {
            Security.insertProviderAt(new FastCurves(), 1);
        }
    }

    /** ECDSA with one digest; takes only P-256 and P-384 keys, so the JDK keeps every other curve. */
    private static final class Ecdsa extends Provider.Service {
        private final String digest;

        Ecdsa(Provider owner, String algorithm, String digest) {
            super(owner, "Signature", algorithm, CachedCurveEcdsa.class.getName(), List.of(), null);
            this.digest = digest;
        }

        @Override
        public Object newInstance(Object parameter) {
            return new CachedCurveEcdsa(digest);
        }

        @Override
        public boolean supportsParameter(Object key) {
            return CachedCurveEcdsa.curveOf(key) != null;
        }
    }

    /** A service of this provider whose instances are Bouncy Castle's. */
    private static final class Delegate extends Provider.Service {
        private final Provider.Service target;

        Delegate(Provider owner, Provider.Service target) {
            super(owner, target.getType(), target.getAlgorithm(), target.getClassName(), List.of(), null);
            this.target = target;
        }

        @Override
        public Object newInstance(Object parameter) throws NoSuchAlgorithmException {
            return target.newInstance(parameter);
        }

        @Override
        public boolean supportsParameter(Object parameter) {
            return target.supportsParameter(parameter);
        }
    }
}
