package io.pbx3sbc.edge.sip.transport;

import java.math.BigInteger;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.security.interfaces.ECKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.util.List;

import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.crypto.signers.StandardDSAEncoding;

/**
 * ECDSA over P-256 and P-384 with Bouncy Castle's curve arithmetic on domain parameters built once per
 * JVM. Bouncy Castle's own JCA signature rebuilds the curve's generator from the key on every
 * signature, so its fixed-point comb table (the part that makes signing fast) was recomputed each
 * time: a fifth of a TLS handshake's CPU. Here the generator is one object and its table is built once.
 *
 * <p>Nonces are derived as RFC 6979 says (no dependence on the random source at signing time), the
 * digest is the JDK's (CPU intrinsics), and signatures are DER, as JSSE and X.509 expect. Keys on other
 * curves are not taken, so the JDK's provider serves them.
 */
final class CachedCurveEcdsa extends SignatureSpi {

    /** A named curve, its parameters built once. */
    record Curve(String name, ECDomainParameters domain, BigInteger p, BigInteger a, BigInteger b, BigInteger gx, BigInteger gy) {
        static Curve named(String name) {
            X9ECParameters x9 = CustomNamedCurves.getByName(name);
            var g = x9.getG().normalize();
            return new Curve(name, new ECDomainParameters(x9.getCurve(), g, x9.getN(), x9.getH()),
                    x9.getCurve().getField().getCharacteristic(), x9.getCurve().getA().toBigInteger(),
                    x9.getCurve().getB().toBigInteger(), g.getAffineXCoord().toBigInteger(), g.getAffineYCoord().toBigInteger());
        }

        boolean describes(ECParameterSpec spec) {
            return spec.getCurve().getField() instanceof ECFieldFp f && f.getP().equals(p)
                    && spec.getCurve().getA().equals(a) && spec.getCurve().getB().equals(b)
                    && spec.getGenerator().getAffineX().equals(gx) && spec.getGenerator().getAffineY().equals(gy)
                    && spec.getOrder().equals(domain.getN());
        }
    }

    private static final List<Curve> CURVES = List.of(Curve.named("P-256"), Curve.named("P-384"));

    /** The curve of an EC key when it is one of ours; null otherwise (the key is left to the JDK). */
    static Curve curveOf(Object key) {
        if (key instanceof ECKey ec && ec.getParams() != null) {
            for (Curve c : CURVES) {
                if (c.describes(ec.getParams())) {
                    return c;
                }
            }
        }
        return null;
    }

    private final String digestName;
    private MessageDigest digest;
    private ECDSASigner signer;
    private Curve curve;

    CachedCurveEcdsa(String digestName) {
        this.digestName = digestName;
    }

    private void start(Object key) throws InvalidKeyException {
        curve = curveOf(key);
        if (curve == null) {
            throw new InvalidKeyException("not a P-256 or P-384 key");
        }
        try {
            digest = MessageDigest.getInstance(digestName);
        } catch (NoSuchAlgorithmException e) {
            throw new InvalidKeyException(e);
        }
    }

    @Override
    protected void engineInitSign(PrivateKey key) throws InvalidKeyException {
        engineInitSign(key, null);
    }

    @Override
    protected void engineInitSign(PrivateKey key, SecureRandom random) throws InvalidKeyException {
        if (!(key instanceof ECPrivateKey ec)) {
            throw new InvalidKeyException("not an EC private key");
        }
        start(key);
        signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        signer.init(true, new ECPrivateKeyParameters(ec.getS(), curve.domain()));
    }

    @Override
    protected void engineInitVerify(PublicKey key) throws InvalidKeyException {
        if (!(key instanceof ECPublicKey ec)) {
            throw new InvalidKeyException("not an EC public key");
        }
        start(key);
        try {
            // createPoint and the parameters' constructor check that the point lies on the curve
            var q = curve.domain().getCurve().createPoint(ec.getW().getAffineX(), ec.getW().getAffineY());
            signer = new ECDSASigner();
            signer.init(false, new ECPublicKeyParameters(q, curve.domain()));
        } catch (IllegalArgumentException e) {
            throw new InvalidKeyException("public key is not a point of " + curve.name(), e);
        }
    }

    @Override
    protected void engineUpdate(byte b) {
        digest.update(b);
    }

    @Override
    protected void engineUpdate(byte[] b, int off, int len) {
        digest.update(b, off, len);
    }

    @Override
    protected void engineUpdate(java.nio.ByteBuffer input) {
        digest.update(input);
    }

    @Override
    protected byte[] engineSign() throws SignatureException {
        BigInteger[] rs = signer.generateSignature(digest.digest());
        try {
            return StandardDSAEncoding.INSTANCE.encode(curve.domain().getN(), rs[0], rs[1]);
        } catch (java.io.IOException e) {
            throw new SignatureException(e);
        }
    }

    @Override
    protected boolean engineVerify(byte[] signature) {
        byte[] hash = digest.digest();
        BigInteger[] rs;
        try {
            rs = StandardDSAEncoding.INSTANCE.decode(curve.domain().getN(), signature);
        } catch (java.io.IOException | IllegalArgumentException e) {
            return false;
        }
        return signer.verifySignature(hash, rs[0], rs[1]);
    }

    @Override
    @Deprecated
    protected void engineSetParameter(String param, Object value) {
        throw new InvalidParameterException("no parameters");
    }

    @Override
    @Deprecated
    protected Object engineGetParameter(String param) {
        throw new InvalidParameterException("no parameters");
    }
}
