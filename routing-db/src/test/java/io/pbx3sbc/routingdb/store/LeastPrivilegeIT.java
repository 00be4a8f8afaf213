package io.pbx3sbc.routingdb.store;

import io.pbx3sbc.routingdb.RoutingDb;
import io.pbx3sbc.routingdb.RoutingDbBuilder;
import io.pbx3sbc.routingdb.VersionInfo;
import io.pbx3sbc.routingdb.VersionVerifier;
import io.pbx3sbc.routingdb.manifest.Manifest;
import io.pbx3sbc.routingdb.manifest.SigningKeys;
import io.pbx3sbc.routingdb.testing.Fixtures;
import io.pbx3sbc.routingdb.testing.SeaweedS3Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Least privilege on a real S3 server that enforces per-identity policies (SeaweedFS): the edges'
 * credential restores and verifies a published version with the real litestream and writes its own
 * fleet's reports, and is refused everything else an attacker holding it would try: writing the release
 * pointer or a version, deleting them, writing another fleet's reports. The operator's writes of the
 * pointer are conditional on the ETag it read.
 */
class LeastPrivilegeIT {
    static final String BUCKET = "sip-routing";
    static final String PREFIX = "default/";
    static final FleetLayout LAYOUT = new FleetLayout("edge");
    static final KeyPair KEYS = SigningKeys.generate();
    static final byte[] JSON = "{}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path work;
    static SeaweedS3Server s3;
    static S3ObjectStore operator;
    static S3ObjectStore edge;

    @BeforeAll
    static void start() throws Exception {
        s3 = new SeaweedS3Server(work, SeaweedS3Server.fleetIdentities(BUCKET, PREFIX, "edge")).start();
        operator = new S3ObjectStore(s3.location("operator", BUCKET, PREFIX));
        edge = new S3ObjectStore(s3.location("edge", BUCKET, PREFIX));
        operator.ensureBucket();
        VersionInfo info = new VersionInfo(1, "edge", Instant.now(), Map.of());
        var built = new RoutingDbBuilder().build(Fixtures.large(2_000, 20, 4), info, work.resolve("build-1.db"));
        new VersionPublisher(operator, LAYOUT).publish(built.file(),
                SigningKeys.sign(VersionVerifier.manifestFor(built, info), KEYS));
        operator.put(LAYOUT.releasePointer(), JSON, "application/json");
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {edge, operator, s3}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Test
    void theEdgeCredentialRestoresAndVerifiesAVersionWithTheRealLitestream() throws Exception {
        assertThat(edge.get(LAYOUT.releasePointer())).isPresent();
        Path restored = work.resolve("restored.db");
        new LitestreamRestore(io.pbx3sbc.routingdb.testing.Litestream.binary(), s3.location("edge", BUCKET, PREFIX),
                work.resolve("scratch")).restore(LAYOUT.replicaPath(1), restored);
        Manifest manifest = Manifest.fromJson(edge.get(LAYOUT.manifest(1)).orElseThrow());
        RoutingDb db = new VersionVerifier(KEYS.getPublic()).verify(restored, manifest, "edge", 1);
        assertThat(db.model().domains()).hasSize(2_000);
    }

    @Test
    void theEdgeCredentialWritesItsOwnFleetsReportsAndNothingElse() throws Exception {
        edge.put(LAYOUT.edgeReport("edge-1"), JSON, "application/json");
        assertThat(operator.get(LAYOUT.edgeReport("edge-1"))).isPresent();

        assertThatThrownBy(() -> edge.put(LAYOUT.releasePointer(), JSON, "application/json"))
                .as("the release pointer").isInstanceOf(ObjectStoreException.class).hasMessageContaining("access denied");
        assertThatThrownBy(() -> edge.put(LAYOUT.manifest(1), JSON, "application/json"))
                .as("a version's manifest").hasMessageContaining("access denied");
        assertThatThrownBy(() -> edge.put(LAYOUT.manifest(2), JSON, "application/json"))
                .as("a new version").hasMessageContaining("access denied");
        assertThatThrownBy(() -> edge.put(new FleetLayout("other").edgeReport("edge-1"), JSON, "application/json"))
                .as("another fleet's report").hasMessageContaining("access denied");
        assertThatThrownBy(() -> edge.delete(LAYOUT.releasePointer()))
                .as("deleting the pointer").hasMessageContaining("access denied");
        assertThatThrownBy(() -> edge.delete(LAYOUT.manifest(1)))
                .as("deleting a version").hasMessageContaining("access denied");
        assertThat(operator.get(LAYOUT.releasePointer())).hasValueSatisfying(b -> assertThat(b).isEqualTo(JSON));
        assertThat(operator.get(LAYOUT.manifest(1))).isPresent();
    }

    @Test
    void pointerWritesAreConditionalOnTheETagRead() throws Exception {
        String etag = operator.getIfChanged(LAYOUT.releasePointer(), null).orElseThrow().etag();
        String next = operator.putIfMatch(LAYOUT.releasePointer(), "{\"n\":1}".getBytes(StandardCharsets.UTF_8),
                "application/json", etag);
        assertThatThrownBy(() -> operator.putIfMatch(LAYOUT.releasePointer(), "{\"n\":2}".getBytes(StandardCharsets.UTF_8),
                "application/json", etag)).as("a writer acting on the stale read").isInstanceOf(ObjectStore.PreconditionFailed.class);
        operator.putIfMatch(LAYOUT.releasePointer(), JSON, "application/json", next);
        assertThatThrownBy(() -> operator.putIfMatch(LAYOUT.releasePointer(), JSON, "application/json", null))
                .as("create-only on an existing pointer").isInstanceOf(ObjectStore.PreconditionFailed.class);
    }
}
