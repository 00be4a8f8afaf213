package io.pbx3sbc.routingdb.manifest;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 keys for manifests, in the text forms that go into Secrets and edge configuration:
 * base64 of the standard DER encodings (X.509 SubjectPublicKeyInfo, PKCS#8).
 */
public final class SigningKeys {
    private static final String ALGORITHM = "Ed25519";

    private SigningKeys() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK (15+) always has Ed25519", e);
        }
    }

    public static String encodePublic(PublicKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    public static String encodePrivate(PrivateKey key) {
        return Base64.getEncoder().encodeToString(key.getEncoded());
    }

    public static PublicKey decodePublic(String base64) {
        try {
            return KeyFactory.getInstance(ALGORITHM)
                    .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64.trim())));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a base64 Ed25519 public key (X.509 DER): " + e.getMessage(), e);
        }
    }

    public static PrivateKey decodePrivate(String base64) {
        try {
            return KeyFactory.getInstance(ALGORITHM)
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64.trim())));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a base64 Ed25519 private key (PKCS#8 DER): " + e.getMessage(), e);
        }
    }

    /** A short, stable name for a public key: the first 16 hex digits of SHA-256 over its DER form. */
    public static String keyId(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signs the manifest's canonical form; returns the manifest with keyId and signature set. */
    public static Manifest sign(Manifest manifest, KeyPair keys) {
        Manifest withKey = new Manifest(manifest.fleet(), manifest.version(), manifest.schemaVersion(),
                manifest.contentSha256(), manifest.counts(), manifest.createdAt(), manifest.sourceGenerations(),
                keyId(keys.getPublic()), null);
        return withKey.withSignature(signBytes(withKey.signedBytes(), keys));
    }

    /** True only when the manifest carries a valid signature by this key. */
    public static boolean verify(Manifest manifest, PublicKey key) {
        return manifest.signature() != null && verifyBytes(manifest.signedBytes(), manifest.signature(), key);
    }

    /** True only when the manifest is signed by one of the trusted keys (the one its key id names). */
    public static boolean verify(Manifest manifest, TrustedKeys trusted) {
        PublicKey key = trusted.key(manifest.keyId());
        return key != null && verify(manifest, key);
    }

    /** Signs a release pointer's canonical form (sequence and epoch as given); returns it with keyId and signature. */
    public static ReleasePointer sign(ReleasePointer pointer, KeyPair keys) {
        ReleasePointer withKey = pointer.withSignature(keyId(keys.getPublic()), null);
        return withKey.withSignature(withKey.keyId(), signBytes(withKey.signedBytes(), keys));
    }

    /** True only when the pointer is signed by one of the trusted keys (the one its key id names). */
    public static boolean verify(ReleasePointer pointer, TrustedKeys trusted) {
        PublicKey key = trusted.key(pointer.keyId());
        return key != null && pointer.signature() != null && verifyBytes(pointer.signedBytes(), pointer.signature(), key);
    }

    /** Signs a nudge; returns it with keyId and signature. */
    public static Nudge sign(Nudge nudge, KeyPair keys) {
        Nudge withKey = nudge.withSignature(keyId(keys.getPublic()), null);
        return withKey.withSignature(withKey.keyId(), signBytes(withKey.signedBytes(), keys));
    }

    /** True only when the nudge is signed by one of the trusted keys (the one its key id names). */
    public static boolean verify(Nudge nudge, TrustedKeys trusted) {
        PublicKey key = nudge.keyId() == null ? null : trusted.key(nudge.keyId());
        return key != null && nudge.signature() != null && verifyBytes(nudge.signedBytes(), nudge.signature(), key);
    }

    private static String signBytes(byte[] bytes, KeyPair keys) {
        try {
            Signature signer = Signature.getInstance(ALGORITHM);
            signer.initSign(keys.getPrivate());
            signer.update(bytes);
            return Base64.getEncoder().encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing failed: " + e.getMessage(), e);
        }
    }

    private static boolean verifyBytes(byte[] bytes, String signature, PublicKey key) {
        try {
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(key);
            verifier.update(bytes);
            return verifier.verify(Base64.getDecoder().decode(signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
