package io.pbx3sbc.routingdb.store;

import io.pbx3sbc.routingdb.RoutingDb;
import io.pbx3sbc.routingdb.RoutingDbBuilder;
import io.pbx3sbc.routingdb.VersionInfo;
import io.pbx3sbc.routingdb.VersionVerifier;
import io.pbx3sbc.routingdb.manifest.Manifest;
import io.pbx3sbc.routingdb.manifest.ReleasePointer;
import io.pbx3sbc.routingdb.manifest.SigningKeys;
import io.pbx3sbc.routingdb.testing.Fixtures;
import io.pbx3sbc.routingdb.testing.Litestream;
import io.pbx3sbc.routingdb.testing.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Publishes versions to a real S3 server and restores them with the real litestream v0.3.13 binary. */
class PublishAndRestoreIT {
    @TempDir
    static Path work;
    static S3ProxyServer s3;
    static S3ObjectStore store;
    static final KeyPair KEYS = SigningKeys.generate();
    static final FleetLayout LAYOUT = new FleetLayout("edge");

    @BeforeAll
    static void startS3() throws Exception {
        s3 = new S3ProxyServer(work).start();
        store = new S3ObjectStore(s3.location("routing", "prod/"));
        store.ensureBucket();
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (store != null) {
            store.close();
        }
        if (s3 != null) {
            s3.stop();
        }
    }

    private Manifest buildAndPublish(long n, io.pbx3sbc.routingdb.model.RoutingModel model) throws Exception {
        VersionInfo info = new VersionInfo(n, "edge", Instant.now(), Map.of());
        var built = new RoutingDbBuilder().build(model, info, work.resolve("build-" + n + ".db"));
        Manifest signed = SigningKeys.sign(VersionVerifier.manifestFor(built, info), KEYS);
        new VersionPublisher(store, LAYOUT).publish(built.file(), signed);
        return signed;
    }

    @Test
    void realLitestreamRestoresAPublishedVersionWithTheSameContentHash() throws Exception {
        Manifest published = buildAndPublish(1, Fixtures.large(20_000, 200, 20));

        Path restored = work.resolve("restored-1.db");
        var run = Litestream.restore(s3.location("routing", "prod/"), LAYOUT.replicaPath(1), restored);
        assertThat(run.exitCode()).as(run.output()).isZero();

        Manifest fetched = Manifest.fromJson(store.get(LAYOUT.manifest(1)).orElseThrow());
        RoutingDb db = new VersionVerifier(KEYS.getPublic()).verify(restored, fetched);
        assertThat(db.contentSha256()).isEqualTo(published.contentSha256());
        assertThat(db.model().domains()).hasSize(20_000);
    }

    @Test
    void versionsAreImmutable() throws Exception {
        buildAndPublish(2, Fixtures.twoTenants());

        assertThatThrownBy(() -> buildAndPublish(2, Fixtures.large(10, 2, 1)))
                .isInstanceOf(VersionPublisher.VersionExistsException.class);
        Path restored = work.resolve("restored-2.db");
        assertThat(Litestream.restore(s3.location("routing", "prod/"), LAYOUT.replicaPath(2), restored).exitCode()).isZero();
        assertThat(new io.pbx3sbc.routingdb.RoutingDbValidator().validate(restored).model()).isEqualTo(Fixtures.twoTenants());
        assertThat(new VersionPublisher(store, LAYOUT).publishedVersions()).contains(2L);
    }

    @Test
    void javaRestoreOfTheReplicaMatchesTheBuiltFile() throws Exception {
        buildAndPublish(3, Fixtures.twoTenants());
        Path restored = work.resolve("java-restored-3.db");

        LitestreamReplica.restore(store, LAYOUT.replicaPath(3), restored);

        assertThat(Files.readAllBytes(restored)).isEqualTo(Files.readAllBytes(work.resolve("build-3.db")));
    }

    @Test
    void releasePointerSupportsConditionalGet() throws Exception {
        var pointer = new ReleasePointer("edge", 1L, 2L,
                List.of(new ReleasePointer.HistoryEntry(1, "abc", "active", Instant.now())), Instant.now());
        store.put(LAYOUT.releasePointer(), pointer.toJson(), "application/json");

        var first = store.getIfChanged(LAYOUT.releasePointer(), null).orElseThrow();
        assertThat(ReleasePointer.fromJson(first.bytes())).isEqualTo(pointer);
        assertThat(store.getIfChanged(LAYOUT.releasePointer(), first.etag()).orElseThrow().notModified()).isTrue();
        assertThat(store.getIfChanged(LAYOUT.fleetPrefix() + "nothing.json", null)).isEmpty();
    }

    @Test
    void badCredentialsGiveAClearMessage() throws Exception {
        var wrong = new S3Location(s3.endpoint(), "us-east-1", "routing", "prod/", true, S3ProxyServer.ACCESS_KEY, "wrong");
        try (var bad = new S3ObjectStore(wrong)) {
            assertThatThrownBy(() -> bad.get(LAYOUT.releasePointer()))
                    .isInstanceOf(ObjectStoreException.class)
                    .hasMessageContaining("access denied")
                    .hasMessageNotContaining("wrong");
        }
    }

    @Test
    void unreachableStoreGivesAClearMessage() throws Exception {
        var nowhere = new S3Location(java.net.URI.create("http://127.0.0.1:1"), "us-east-1", "routing", "", true, "a", "b");
        try (var bad = new S3ObjectStore(nowhere)) {
            assertThatThrownBy(() -> bad.list("fleets/")).isInstanceOf(ObjectStoreException.class)
                    .hasMessageContaining("unreachable");
        }
    }
}
