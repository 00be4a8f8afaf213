package io.pbx3sbc.edge.update;

import io.pbx3sbc.routingdb.RoutingDbBuilder;
import io.pbx3sbc.routingdb.VersionInfo;
import io.pbx3sbc.routingdb.VersionVerifier;
import io.pbx3sbc.routingdb.manifest.ReleasePointer;
import io.pbx3sbc.routingdb.manifest.SigningKeys;
import io.pbx3sbc.routingdb.model.RoutingModel;
import io.pbx3sbc.routingdb.store.FleetLayout;
import io.pbx3sbc.routingdb.store.S3ObjectStore;
import io.pbx3sbc.routingdb.store.VersionPublisher;
import io.pbx3sbc.routingdb.testing.Await;
import io.pbx3sbc.routingdb.testing.Fixtures;
import io.pbx3sbc.routingdb.testing.Litestream;
import io.pbx3sbc.routingdb.testing.LocalProcess;
import io.pbx3sbc.routingdb.testing.Ports;
import io.pbx3sbc.routingdb.testing.SeaweedS3Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An edge process in fleet mode, with the edges' least-privilege credential on a real S3 server that
 * enforces it (SeaweedFS), when litestream hangs: the restore is killed at its timeout, the candidate is
 * rejected with the reason after its attempts, and meanwhile the edge keeps routing its active version
 * and its admin port answers ({@code /healthz}, {@code /status}, {@code /metrics}).
 */
class FleetModeFaultsIT {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final String BUCKET = "sip-routing";
    static final FleetLayout LAYOUT = new FleetLayout("edge");
    static final KeyPair KEYS = SigningKeys.generate();

    @TempDir
    static Path work;
    static SeaweedS3Server s3;
    static S3ObjectStore operator;
    static long sequence;

    @BeforeAll
    static void start() throws Exception {
        s3 = new SeaweedS3Server(work, SeaweedS3Server.fleetIdentities(BUCKET, "default/", "edge")).start();
        operator = new S3ObjectStore(s3.location("operator", BUCKET, "default/"));
        operator.ensureBucket();
    }

    @AfterAll
    static void stop() throws Exception {
        if (operator != null) {
            operator.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    static void publish(long version, RoutingModel model) throws Exception {
        VersionInfo info = new VersionInfo(version, "edge", Instant.now(), Map.of());
        var built = new RoutingDbBuilder().build(model, info, work.resolve("build-" + version + ".db"));
        new VersionPublisher(operator, LAYOUT).publish(built.file(),
                SigningKeys.sign(VersionVerifier.manifestFor(built, info), KEYS));
    }

    static void point(Long active, Long candidate) throws Exception {
        ReleasePointer p = SigningKeys.sign(new ReleasePointer("edge", active, candidate, List.of(), Instant.now())
                .withOrder(++sequence, 1), KEYS);
        operator.put(LAYOUT.releasePointer(), p.toJson(), "application/json");
    }

    @Test
    void aHungLitestreamIsKilledAndItsVersionRejectedWhileTheEdgeRoutesAndItsAdminPortAnswers() throws Exception {
        publish(1, Fixtures.twoTenants());
        point(1L, null);
        // litestream for every version but 2, which hangs with its output open.
        Path fake = work.resolve("litestream");
        Files.writeString(fake, "#!/bin/sh\nif grep -q 'versions/2' \"$3\"; then echo restoring; sleep 597; fi\nexec "
                + Litestream.binary() + " \"$@\"\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        int admin = Ports.free();
        var edgeStore = s3.location("edge", BUCKET, "default/");
        try (LocalProcess edge = LocalProcess.start("edge", work.resolve("edge.log"), List.of(
                REPO.resolve("hack/edge.sh").toString(), "--fleet", "edge", "--s3-endpoint", edgeStore.endpoint().toString(),
                "--s3-bucket", BUCKET, "--s3-prefix", "default/", "--public-key", SigningKeys.encodePublic(KEYS.getPublic()),
                "--data-dir", work.resolve("data").toString(), "--litestream-bin", fake.toString(), "--restore-timeout", "3s",
                "--sip-listen", "127.0.7.1:" + Ports.free(), "--admin-listen", "127.0.0.1:" + admin, "--admin-detail", "true",
                "--edge-id", "edge-1", "--probing", "false"),
                Map.of("AWS_ACCESS_KEY_ID", edgeStore.accessKeyId(), "AWS_SECRET_ACCESS_KEY", edgeStore.secretAccessKey()))) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            Await.until("edge ready on version 1", Duration.ofSeconds(90), () -> get(http, admin, "/readyz"), r -> r.startsWith("200"));

            publish(2, Fixtures.large(50, 4, 2));
            point(1L, 2L);
            // While restores of version 2 hang and are killed, one after another, the admin port answers at once.
            long until = System.nanoTime() + Duration.ofSeconds(8).toNanos();
            int answered = 0;
            while (System.nanoTime() < until) {
                assertThat(get(http, admin, "/healthz")).startsWith("200");
                assertThat(get(http, admin, "/status")).startsWith("200");
                assertThat(get(http, admin, "/metrics")).startsWith("200");
                assertThat(get(http, admin, "/lookup?domain=tenant1.example.com")).as("still routing version 1")
                        .contains("\"version\":1");
                answered++;
                Thread.sleep(200);
            }
            assertThat(answered).isGreaterThan(10);
            String status = Await.until("version 2 rejected", Duration.ofSeconds(60), () -> get(http, admin, "/status"),
                    s -> s.contains("\"rejectedVersion\" : 2"));
            assertThat(status).contains("did not finish in 3 s and was killed");
            assertThat(edge.log()).contains("restore of routing version 2 failed (attempt 1 of 3)");
            assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("sleep 597")))
                    .as("the hung restores were killed with their children").isEmpty();

            // The edge's report went through with its own credential.
            assertThat(operator.get(LAYOUT.edgeReport("edge-1"))).isPresent();
        }
    }

    /** "status body"; a connection that does not answer within 2 s fails the test. */
    static String get(HttpClient http, int port, String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (java.io.IOException e) {
            return "unreachable: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
