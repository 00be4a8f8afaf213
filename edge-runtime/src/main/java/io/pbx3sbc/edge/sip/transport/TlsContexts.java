package io.pbx3sbc.edge.sip.transport;

import io.pbx3sbc.edge.HostPort;
import io.pbx3sbc.edge.MountedFiles;
import io.pbx3sbc.edge.admin.RateLimitedLog;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * The edge's TLS identity and trust, read from files the way a Kubernetes TLS Secret mounts them
 * ({@code tls.crt}, {@code tls.key}; cert-manager's shape) and read again when they change: new
 * connections get the new certificate, connections already up keep theirs, so a rotation drops no call.
 * A changed pair that does not load (half written, key not matching the certificate) is refused
 * loudly and the one in use stays.
 *
 * <p>Inbound, it can ask for and verify client certificates against a CA bundle (mTLS for trunks).
 * Outbound, towards {@code sips:} and {@code transport=tls} backends, it verifies the backend's
 * certificate and name against a CA bundle (the JDK's trust store when none is given).
 */
public final class TlsContexts implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TlsContexts.class);
    private static final List<String> VERSIONS = List.of("TLSv1.2", "TLSv1.3");
    /** Used for reading keys only; not registered as a JCA provider. */
    private static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    /** Whether inbound connections must show a client certificate. */
    public enum ClientAuth { NONE, OPTIONAL, REQUIRED }

    /**
     * @param certificate PEM certificate chain, leaf first (tls.crt); null for an edge that only dials out
     * @param key         PEM private key (tls.key): PKCS#1, SEC1 or PKCS#8, not encrypted
     * @param clientCa    PEM CA bundle that client certificates must chain to (null: no client auth)
     * @param backendCa   PEM CA bundle that backends' certificates must chain to (null: the JDK's)
     * @param minVersion  "1.2" or "1.3"
     */
    public record Settings(Path certificate, Path key, Path clientCa, ClientAuth clientAuth, Path backendCa,
                           String minVersion) {
        public Settings {
            if ((certificate == null) != (key == null)) {
                throw new IllegalArgumentException("give both the TLS certificate and its key, or neither");
            }
            if (clientAuth != ClientAuth.NONE && clientCa == null) {
                throw new IllegalArgumentException("verifying client certificates needs a client CA bundle");
            }
            if (!minVersion.equals("1.2") && !minVersion.equals("1.3")) {
                throw new IllegalArgumentException("TLS minimum version must be 1.2 or 1.3, got " + minVersion);
            }
        }

        public boolean serves() {
            return certificate != null;
        }
    }

    /** One loaded generation of the files: what new connections get. */
    private record Loaded(SSLContext server, SSLContext client, X509Certificate leaf, byte[] fingerprint) {
    }

    private final Settings settings;
    private final String[] protocols;
    private final RateLimitedLog handshakeLog = new RateLimitedLog(LOG, 5);
    private final LongAdder inboundFailures = new LongAdder();
    private final LongAdder outboundFailures = new LongAdder();
    private final LongAdder reloads = new LongAdder();
    private final LongAdder reloadFailures = new LongAdder();
    private volatile Loaded current;
    private volatile byte[] lastRefused;
    private Thread watcher;

    private TlsContexts(Settings settings, Loaded first) {
        this.settings = settings;
        this.protocols = VERSIONS.subList(settings.minVersion().equals("1.3") ? 1 : 0, VERSIONS.size()).toArray(String[]::new);
        this.current = first;
    }

    /** Loads the files now: a listener that cannot serve its certificate must not start. */
    public static TlsContexts load(Settings settings) throws IOException, GeneralSecurityException {
        TlsContexts t = new TlsContexts(settings, null);
        t.current = t.build(t.readFiles());
        t.warnIfExpired(t.current.leaf());
        return t;
    }

    /** Checks the files every {@code periodMillis} and swaps in a changed pair that loads. */
    public void watch(long periodMillis) {
        watcher = MountedFiles.watch("tls-reload", periodMillis, this::reloadIfChanged);
    }

    /** @return true when a changed certificate was taken */
    public boolean reloadIfChanged() {
        byte[][] files;
        try {
            files = readFiles();
        } catch (IOException e) {
            refuse(null, "cannot read: " + e.getMessage());
            return false;
        }
        byte[] fp = MountedFiles.fingerprint(Arrays.asList(files));
        if (Arrays.equals(fp, current.fingerprint()) || Arrays.equals(fp, lastRefused)) {
            return false;
        }
        try {
            Loaded next = build(files);
            current = next;
            lastRefused = null;
            reloads.increment();
            LOG.info("TLS certificate reloaded: subject={} notAfter={} (connections already up keep the previous one)",
                    next.leaf() == null ? "-" : next.leaf().getSubjectX500Principal().getName(),
                    next.leaf() == null ? "-" : next.leaf().getNotAfter().toInstant());
            warnIfExpired(next.leaf());
            return true;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            refuse(fp, e.getMessage());
            return false;
        }
    }

    private void refuse(byte[] fp, String why) {
        reloadFailures.increment();
        lastRefused = fp;
        LOG.error("TLS certificate files changed but were refused, the previous certificate stays in use: {}", why);
    }

    private void warnIfExpired(X509Certificate leaf) {
        if (leaf != null && leaf.getNotAfter().toInstant().isBefore(Instant.now())) {
            LOG.warn("the TLS certificate {} expired at {}: clients that verify it will refuse every connection",
                    leaf.getSubjectX500Principal().getName(), leaf.getNotAfter().toInstant());
        }
    }

    /** A server-side engine for a connection accepted from {@code remote}. */
    public SSLEngine serverEngine(InetSocketAddress remote) {
        SSLEngine e = current.server().createSSLEngine(remote.getHostString(), remote.getPort());
        e.setUseClientMode(false);
        e.setEnabledProtocols(protocols);
        switch (settings.clientAuth()) {
            case REQUIRED -> e.setNeedClientAuth(true);
            case OPTIONAL -> e.setWantClientAuth(true);
            default -> {
            }
        }
        return e;
    }

    /** A client engine towards a backend: its certificate must chain to the backend CA and name {@code host}. */
    public SSLEngine clientEngine(String host, int port) {
        SSLEngine e = current.client().createSSLEngine(host, port);
        e.setUseClientMode(true);
        e.setEnabledProtocols(protocols);
        SSLParameters p = e.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS"); // RFC 5922: the certificate must name the host we dialled
        if (!HostPort.isIpLiteral(host)) {
            p.setServerNames(List.of(new SNIHostName(host)));
        }
        e.setSSLParameters(p);
        return e;
    }

    /** A handshake that failed: counted, and logged with its cause (expired, untrusted, no common version). */
    public void handshakeFailed(boolean inbound, InetSocketAddress remote, Throwable cause) {
        (inbound ? inboundFailures : outboundFailures).increment();
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        handshakeLog.warn("TLS handshake {} {} failed: {}: {}", inbound ? "from" : "to", remote, root.getClass().getSimpleName(),
                root.getMessage());
    }

    public long inboundHandshakeFailures() {
        return inboundFailures.sum();
    }

    public long outboundHandshakeFailures() {
        return outboundFailures.sum();
    }

    public long reloads() {
        return reloads.sum();
    }

    public long reloadFailures() {
        return reloadFailures.sum();
    }

    /** When the certificate new connections get expires; null for an edge that only dials out. */
    public Instant certificateNotAfter() {
        X509Certificate leaf = current.leaf();
        return leaf == null ? null : leaf.getNotAfter().toInstant();
    }

    public Settings settings() {
        return settings;
    }

    // ---------------------------------------------------------------------------------------------

    private byte[][] readFiles() throws IOException {
        return new byte[][] {read(settings.certificate()), read(settings.key()), read(settings.clientCa()), read(settings.backendCa())};
    }

    private static byte[] read(Path p) throws IOException {
        return p == null ? new byte[0] : Files.readAllBytes(p);
    }

    private Loaded build(byte[][] files) throws IOException, GeneralSecurityException {
        javax.net.ssl.KeyManager[] keys = null;
        X509Certificate leaf = null;
        if (settings.serves()) {
            List<X509Certificate> chain = certificates(files[0], settings.certificate());
            PrivateKey key = privateKey(files[1], settings.key());
            leaf = chain.get(0);
            requireMatch(leaf, key);
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("edge", key, new char[0], chain.toArray(Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            keys = kmf.getKeyManagers();
        }
        SSLContext server = null;
        if (settings.serves()) {
            server = SSLContext.getInstance("TLS");
            server.init(keys, settings.clientCa() == null ? null : trust(files[2], settings.clientCa()), null);
        }
        SSLContext client = SSLContext.getInstance("TLS");
        // the edge shows its own certificate to backends that ask for one (mTLS towards the PBX)
        client.init(keys, settings.backendCa() == null ? null : trust(files[3], settings.backendCa()), null);
        return new Loaded(server, client, leaf, MountedFiles.fingerprint(Arrays.asList(files)));
    }

    private static javax.net.ssl.TrustManager[] trust(byte[] pem, Path from) throws IOException, GeneralSecurityException {
        List<X509Certificate> cas = certificates(pem, from);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        for (int i = 0; i < cas.size(); i++) {
            ks.setCertificateEntry("ca" + i, cas.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf.getTrustManagers();
    }

    static List<X509Certificate> certificates(byte[] pem, Path from) throws IOException {
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem))) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IOException(from + " holds no PEM certificate");
            }
            return out;
        } catch (java.security.cert.CertificateException e) {
            throw new IOException(from + " is not a PEM certificate: " + e.getMessage(), e);
        }
    }

    static PrivateKey privateKey(byte[] pem, Path from) throws IOException {
        try (PEMParser parser = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
            Object o = parser.readObject();
            PrivateKeyInfo info;
            if (o instanceof PEMKeyPair pair) {
                info = pair.getPrivateKeyInfo();
            } else if (o instanceof PrivateKeyInfo i) {
                info = i;
            } else {
                throw new IOException(from + " holds no unencrypted PEM private key" + (o == null ? "" : " (found "
                        + o.getClass().getSimpleName() + ")"));
            }
            // Bouncy Castle reads every shape (a SEC1 EC key may leave its curve out of the algorithm
            // identifier, which the JDK refuses); the JDK's own key object is what JSSE then signs with.
            PrivateKey bc = new JcaPEMKeyConverter().setProvider(BC).getPrivateKey(info);
            return KeyFactory.getInstance(bc.getAlgorithm().equals("ECDSA") ? "EC" : bc.getAlgorithm())
                    .generatePrivate(new PKCS8EncodedKeySpec(bc.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IOException(from + ": " + e.getMessage(), e);
        }
    }

    /** Signs and verifies a few bytes: a key that does not belong to the certificate is caught at load, not at the first client. */
    private static void requireMatch(X509Certificate cert, PrivateKey key) throws GeneralSecurityException {
        String alg = switch (key.getAlgorithm().toUpperCase(Locale.ROOT)) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "ED25519", "EDDSA" -> "Ed25519";
            default -> throw new GeneralSecurityException("unsupported key algorithm " + key.getAlgorithm());
        };
        byte[] probe = "pbx3sbc".getBytes(StandardCharsets.US_ASCII);
        Signature s = Signature.getInstance(alg);
        s.initSign(key);
        s.update(probe);
        byte[] sig = s.sign();
        Signature v = Signature.getInstance(alg);
        v.initVerify(cert.getPublicKey());
        v.update(probe);
        if (!v.verify(sig)) {
            throw new GeneralSecurityException("the private key does not belong to the certificate "
                    + cert.getSubjectX500Principal().getName());
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.interrupt();
        }
    }
}
