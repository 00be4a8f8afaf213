package io.pbx3sbc.edge.sip.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Security;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.crypto.KeyAgreement;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pbx3sbc.edge.sip.tls.TestPki;

/** The handshake's curve operations go to the fast provider, agree with the JDK's, and JSSE works on top. */
class FastCurvesTest {

    @BeforeAll
    static void install() {
        FastCurves.install();
        FastCurves.install();
    }

    @Test
    void installsOnceAndFirst() {
        assertThat(Security.getProviders()[0].getName()).isEqualTo(FastCurves.NAME);
        assertThat(java.util.Arrays.stream(Security.getProviders()).filter(p -> p.getName().equals(FastCurves.NAME))).hasSize(1);
    }

    @Test
    void ecdsaOnP256AndP384IsOursAndAgreesWithTheJdkBothWays() throws Exception {
        byte[] message = "INVITE sip:alice@example.com SIP/2.0".getBytes(StandardCharsets.US_ASCII);
        byte[] forged = "INVITE sip:mallory@example.com SIP/2.0".getBytes(StandardCharsets.US_ASCII);
        for (String[] c : new String[][] {{"secp256r1", "SHA256withECDSA"}, {"secp384r1", "SHA384withECDSA"}, {"secp256r1", "SHA512withECDSA"}}) {
            KeyPair keys = ecKeys(c[0]);

            Signature ours = Signature.getInstance(c[1]);
            ours.initSign(keys.getPrivate());
            ours.update(message);
            byte[] signature = ours.sign();
            assertThat(ours.getProvider().getName()).isEqualTo(FastCurves.NAME);
            assertThat(verify("SunEC", c[1], keys, message, signature)).as(c[0] + " ours, checked by the JDK").isTrue();
            assertThat(verify("SunEC", c[1], keys, forged, signature)).isFalse();

            Signature jdk = Signature.getInstance(c[1], "SunEC");
            jdk.initSign(keys.getPrivate());
            jdk.update(message);
            byte[] jdkSignature = jdk.sign();
            assertThat(verify(null, c[1], keys, message, jdkSignature)).as(c[0] + " the JDK's, checked by ours").isTrue();
            assertThat(verify(null, c[1], keys, forged, jdkSignature)).isFalse();
            byte[] flipped = jdkSignature.clone();
            flipped[flipped.length - 1] ^= 1;
            assertThat(verify(null, c[1], keys, message, flipped)).isFalse();
            assertThat(verify(null, c[1], keys, message, new byte[] {0x30, 0x02, 0x01})).as("not DER").isFalse();
        }
    }

    @Test
    void otherCurvesAndKeysStayWithTheJdk() throws Exception {
        Signature p521 = Signature.getInstance("SHA512withECDSA");
        p521.initSign(ecKeys("secp521r1").getPrivate());
        assertThat(p521.getProvider().getName()).isEqualTo("SunEC");

        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(rsa.generateKeyPair().getPrivate());
        assertThat(s.getProvider().getName()).isNotEqualTo(FastCurves.NAME);
    }

    private static KeyPair ecKeys(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", "SunEC");
        g.initialize(new ECGenParameterSpec(curve));
        return g.generateKeyPair();
    }

    private static boolean verify(String provider, String algorithm, KeyPair keys, byte[] message, byte[] signature) throws Exception {
        Signature v = provider == null ? Signature.getInstance(algorithm) : Signature.getInstance(algorithm, provider);
        v.initVerify(keys.getPublic());
        v.update(message);
        boolean ok;
        try {
            ok = v.verify(signature);
        } catch (java.security.SignatureException e) {
            ok = false;
        }
        if (provider == null) {
            assertThat(v.getProvider().getName()).isEqualTo(FastCurves.NAME);
        }
        return ok;
    }

    @Test
    void x25519AgreesWithTheJdk() throws Exception {
        KeyPair ours = KeyPairGenerator.getInstance("XDH").generateKeyPair();
        KeyPair theirs = KeyPairGenerator.getInstance("X25519", "SunEC").generateKeyPair();

        KeyAgreement a = KeyAgreement.getInstance("XDH");
        a.init(ours.getPrivate());
        a.doPhase(theirs.getPublic(), true);
        assertThat(a.getProvider().getName()).isEqualTo(FastCurves.NAME);

        KeyAgreement b = KeyAgreement.getInstance("XDH", "SunEC");
        b.init(theirs.getPrivate());
        b.doPhase(ours.getPublic(), true);
        assertThat(a.generateSecret()).isEqualTo(b.generateSecret());
    }

    @Test
    void tlsHandshakesWorkOverIt() throws Exception {
        TestPki pki = new TestPki("curves");
        for (String version : new String[] {"TLSv1.3", "TLSv1.2"}) {
            for (String keyAlgorithm : new String[] {"EC", "RSA"}) {
                TestPki.Issued server = pki.issue("edge", "127.0.0.1", Duration.ofDays(1), keyAlgorithm);
                assertThat(exchange(server.context(), TestPki.trusting(pki.caCertificate()), version))
                        .as(version + " with an " + keyAlgorithm + " certificate").isEqualTo("pong");
            }
        }
    }

    private static String exchange(SSLContext server, SSLContext client, String version) throws Exception {
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory().createServerSocket(0, 1,
                InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.getInputStream().read(new byte[4]);
                    s.getOutputStream().write("pong".getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (SSLSocket c = (SSLSocket) client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                    listener.getLocalPort())) {
                SSLParameters p = c.getSSLParameters();
                p.setProtocols(new String[] {version});
                c.setSSLParameters(p);
                OutputStream out = c.getOutputStream();
                out.write("ping".getBytes(StandardCharsets.US_ASCII));
                InputStream in = c.getInputStream();
                String answer = new String(in.readNBytes(4), StandardCharsets.US_ASCII);
                served.get(10, TimeUnit.SECONDS);
                return answer;
            }
        }
    }
}
