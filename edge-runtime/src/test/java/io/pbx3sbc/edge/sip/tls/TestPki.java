package io.pbx3sbc.edge.sip.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small CA for tests, in the shapes a cluster sees: certificates and keys as PEM files the way a
 * Kubernetes TLS Secret mounts them (cert-manager writes PKCS#1 for RSA and SEC1 for EC keys).
 */
public final class TestPki {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** One certificate with its key. */
    public record Issued(X509Certificate certificate, KeyPair keys, X509Certificate issuer) {
        public String certificatePem() {
            return pem(certificate);
        }

        /** RSA keys as PKCS#1 ("RSA PRIVATE KEY"), EC keys as PKCS#8 ("PRIVATE KEY"): both shapes cert-manager writes. */
        public String keyPem() {
            if (keys.getPrivate().getAlgorithm().equals("RSA")) {
                return pem(keys.getPrivate());
            }
            try {
                return pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(keys.getPrivate(), null));
            } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Writes tls.crt and tls.key into {@code dir} (replacing them, as a Secret update does). */
        public void writeTo(Path dir) throws IOException {
            Files.createDirectories(dir);
            Path crt = dir.resolve("tls.crt.tmp");
            Path key = dir.resolve("tls.key.tmp");
            Files.writeString(crt, certificatePem());
            Files.writeString(key, keyPem());
            Files.move(key, dir.resolve("tls.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            Files.move(crt, dir.resolve("tls.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }

        /** A client or server context presenting this certificate and trusting {@code trusted}. */
        public SSLContext context(X509Certificate... trusted) throws Exception {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("me", keys.getPrivate(), new char[0], new Certificate[] {certificate});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            X509ExtendedKeyManager jdk = (X509ExtendedKeyManager) kmf.getKeyManagers()[0];
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(new KeyManager[] {new AlwaysShown(jdk)}, trustManagers(trusted), null);
            return ctx;
        }
    }

    /**
     * Shows our certificate whatever CAs the server says it trusts (the JDK would quietly send none when
     * its issuer is not on the server's list): the way an intruder or a misconfigured trunk behaves.
     */
    private static final class AlwaysShown extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager jdk;

        AlwaysShown(X509ExtendedKeyManager jdk) {
            this.jdk = jdk;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers, javax.net.ssl.SSLEngine engine) {
            return "me";
        }

        @Override
        public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket socket) {
            return "me";
        }

        @Override
        public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
            return new String[] {"me"};
        }

        @Override
        public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
            return jdk.getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) {
            return jdk.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, java.security.Principal[] issuers, javax.net.ssl.SSLEngine engine) {
            return jdk.chooseEngineServerAlias(keyType, issuers, engine);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return jdk.getCertificateChain(alias);
        }

        @Override
        public java.security.PrivateKey getPrivateKey(String alias) {
            return jdk.getPrivateKey(alias);
        }
    }

    private final Issued ca;
    private final String name;

    public TestPki(String name) throws Exception {
        this.name = name;
        KeyPair keys = keyPair("EC");
        Instant now = Instant.now();
        this.ca = new Issued(sign(name + " CA", keys, keys, null, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), true,
                null), keys, null);
    }

    public X509Certificate caCertificate() {
        return ca.certificate();
    }

    public void writeCa(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, ca.certificatePem());
    }

    /** A leaf valid from yesterday for {@code valid}, for an IP address (SAN) or a DNS name; RSA or EC key. */
    public Issued issue(String subject, String ipOrName, Duration valid, String keyAlgorithm) throws Exception {
        Instant now = Instant.now();
        return issue(subject, ipOrName, now.minus(Duration.ofDays(1)), now.plus(valid), keyAlgorithm);
    }

    public Issued issue(String subject, String ipOrName, Instant notBefore, Instant notAfter, String keyAlgorithm) throws Exception {
        KeyPair keys = keyPair(keyAlgorithm);
        return new Issued(sign(subject, keys, ca.keys(), ca.certificate(), notBefore, notAfter, false, ipOrName), keys, ca.certificate());
    }

    private X509Certificate sign(String subject, KeyPair keys, KeyPair issuerKeys, X509Certificate issuer, Instant notBefore,
                                 Instant notAfter, boolean isCa, String san) throws Exception {
        X500Name issuerName = new X500Name("CN=" + (issuer == null ? subject : name + " CA"));
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(notBefore), Date.from(notAfter), new X500Name("CN=" + subject), keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (san != null) {
            boolean ip = san.chars().allMatch(c -> c == '.' || Character.isDigit(c)) || san.contains(":");
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, san)));
        }
        String alg = issuerKeys.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(issuerKeys.getPrivate())));
    }

    private static KeyPair keyPair(String algorithm) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
        g.initialize(algorithm.equals("RSA") ? 2048 : 256);
        return g.generateKeyPair();
    }

    public static javax.net.ssl.TrustManager[] trustManagers(X509Certificate... trusted) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        for (int i = 0; i < trusted.length; i++) {
            ts.setCertificateEntry("ca" + i, trusted[i]);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        return tmf.getTrustManagers();
    }

    /** A context with no certificate of its own that trusts {@code trusted}. */
    public static SSLContext trusting(X509Certificate... trusted) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, trustManagers(trusted), null);
        return ctx;
    }

    static String pem(Object o) {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return w.toString();
    }
}
