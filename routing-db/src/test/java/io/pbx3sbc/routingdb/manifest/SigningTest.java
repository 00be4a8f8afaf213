package io.pbx3sbc.routingdb.manifest;

import io.pbx3sbc.routingdb.InvalidRoutingDbException;
import io.pbx3sbc.routingdb.RoutingDbBuilder;
import io.pbx3sbc.routingdb.VersionVerifier;
import io.pbx3sbc.routingdb.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.DriverManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SigningTest {
    @TempDir
    Path dir;
    private final KeyPair keys = SigningKeys.generate();

    private Manifest signedManifestFor(Path file) throws Exception {
        var built = new RoutingDbBuilder().build(Fixtures.twoTenants(), Fixtures.version(5), file);
        return SigningKeys.sign(VersionVerifier.manifestFor(built, Fixtures.version(5)), keys);
    }

    @Test
    void verifiesSignedManifestAndMatchingFile() throws Exception {
        Path file = dir.resolve("routing.db");
        Manifest m = signedManifestFor(file);

        Manifest roundTripped = Manifest.fromJson(m.toJson());
        assertThat(roundTripped).isEqualTo(m);
        assertThat(new VersionVerifier(keys.getPublic()).verify(file, roundTripped).contentSha256())
                .isEqualTo(m.contentSha256());
        assertThat(m.counts()).isEqualTo(new Manifest.Counts(3, 3, 2));
    }

    @Test
    void rejectsManifestWithChangedField() throws Exception {
        Path file = dir.resolve("routing.db");
        Manifest m = signedManifestFor(file);
        Manifest tampered = new Manifest(m.fleet(), m.version() + 1, m.schemaVersion(), m.contentSha256(), m.counts(),
                m.createdAt(), m.sourceGenerations(), m.keyId(), m.signature());

        assertThat(SigningKeys.verify(tampered, keys.getPublic())).isFalse();
        assertThatThrownBy(() -> new VersionVerifier(keys.getPublic()).verify(file, tampered))
                .isInstanceOf(InvalidRoutingDbException.class).hasMessageContaining("signature");
    }

    @Test
    void rejectsSignatureByAnotherKey() throws Exception {
        Manifest m = signedManifestFor(dir.resolve("routing.db"));

        assertThat(SigningKeys.verify(m, SigningKeys.generate().getPublic())).isFalse();
    }

    @Test
    void rejectsFileChangedAfterSigningEvenWithConsistentStoredHash() throws Exception {
        Path file = dir.resolve("routing.db");
        Manifest m = signedManifestFor(file);
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            c.createStatement().execute("UPDATE sip_domains SET enabled = 0 WHERE domain = 'tenant1.example.com'");
        }
        String sha = new io.pbx3sbc.routingdb.RoutingDbReader().read(file).contentSha256();
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            c.createStatement().execute("UPDATE routing_version SET content_sha256 = '" + sha + "'");
        }

        assertThatThrownBy(() -> new VersionVerifier(keys.getPublic()).verify(file, m))
                .isInstanceOf(InvalidRoutingDbException.class).hasMessageContaining("differs from the signed manifest");
    }

    @Test
    void keysRoundTripThroughTheirTextForm() {
        var pub = SigningKeys.decodePublic(SigningKeys.encodePublic(keys.getPublic()));
        var priv = SigningKeys.decodePrivate(SigningKeys.encodePrivate(keys.getPrivate()));

        assertThat(pub).isEqualTo(keys.getPublic());
        assertThat(priv.getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
        assertThat(SigningKeys.keyId(pub)).hasSize(16);
    }
}
