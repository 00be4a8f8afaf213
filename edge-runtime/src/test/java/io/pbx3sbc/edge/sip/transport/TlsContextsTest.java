package io.pbx3sbc.edge.sip.transport;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Keys and certificates as OpenSSL (and so cert-manager) writes them, loaded or refused with a reason. */
class TlsContextsTest {
    @TempDir
    Path dir;

    void openssl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }

    TlsContexts.Settings settings(String key) {
        return new TlsContexts.Settings(dir.resolve("crt.pem"), dir.resolve(key), null, TlsContexts.ClientAuth.NONE, null, "1.2");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "SEC1 EC (BEGIN EC PRIVATE KEY), ecparam -name prime256v1 -genkey -noout -out key.pem",
            "PKCS#1 RSA (BEGIN RSA PRIVATE KEY), genrsa -traditional -out key.pem 2048",
            "PKCS#8 RSA (BEGIN PRIVATE KEY), genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem",
            "PKCS#8 Ed25519, genpkey -algorithm ed25519 -out key.pem"})
    void everyKeyShapeOpenSslWritesLoads(String shape, String generate) throws Exception {
        openssl(generate.split(" "));
        openssl("req", "-new", "-x509", "-key", "key.pem", "-subj", "/CN=edge", "-days", "2", "-out", "crt.pem");
        try (TlsContexts t = TlsContexts.load(settings("key.pem"))) {
            assertThat(t.certificateNotAfter()).isAfter(java.time.Instant.now());
            assertThat(t.serverEngine(new java.net.InetSocketAddress("127.0.0.1", 5061)).getEnabledProtocols())
                    .containsExactly("TLSv1.2", "TLSv1.3");
        }
    }

    @Test
    void aKeyOfAnotherCertificateOrAnEncryptedKeyIsRefusedWithTheReason() throws Exception {
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "key.pem");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "other.pem");
        openssl("req", "-new", "-x509", "-key", "key.pem", "-subj", "/CN=edge", "-days", "2", "-out", "crt.pem");
        assertThatThrownBy(() -> TlsContexts.load(settings("other.pem"))).hasMessageContaining("does not belong to the certificate");
        openssl("pkcs8", "-topk8", "-in", "key.pem", "-out", "locked.pem", "-passout", "pass:secret");
        assertThatThrownBy(() -> TlsContexts.load(settings("locked.pem"))).isInstanceOf(IOException.class)
                .hasMessageContaining("no unencrypted PEM private key");
        Files.writeString(dir.resolve("crt.pem"), "not a certificate");
        assertThatThrownBy(() -> TlsContexts.load(settings("key.pem"))).hasMessageContaining("crt.pem");
    }

    @Test
    void settingsRefuseWhatCannotWork() {
        assertThatThrownBy(() -> new TlsContexts.Settings(dir.resolve("a"), null, null, TlsContexts.ClientAuth.NONE, null, "1.2"))
                .hasMessageContaining("both");
        assertThatThrownBy(() -> new TlsContexts.Settings(null, null, null, TlsContexts.ClientAuth.REQUIRED, null, "1.2"))
                .hasMessageContaining("client CA");
        assertThatThrownBy(() -> new TlsContexts.Settings(null, null, null, TlsContexts.ClientAuth.NONE, null, "1.1"))
                .hasMessageContaining("1.2 or 1.3");
    }

    @Test
    void tls13OnlyOffersNothingOlder() throws Exception {
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "key.pem");
        openssl("req", "-new", "-x509", "-key", "key.pem", "-subj", "/CN=edge", "-days", "2", "-out", "crt.pem");
        try (TlsContexts t = TlsContexts.load(new TlsContexts.Settings(dir.resolve("crt.pem"), dir.resolve("key.pem"), null,
                TlsContexts.ClientAuth.NONE, null, "1.3"))) {
            assertThat(t.clientEngine("pbx.example.com", 5061).getEnabledProtocols()).containsExactly("TLSv1.3");
        }
    }
}
