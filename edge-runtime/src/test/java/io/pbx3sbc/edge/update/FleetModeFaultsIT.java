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
                "--edge-id", "edge-1", "--probing", "false", "--poll-interval", "1s"),
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

    @Test
    void aSignedNudgeMakesTheEdgeLookAtOnceAForgedOneIsRefusedAndAStoppingEdgeSaysSo() throws Exception {
        FleetLayout layout = new FleetLayout("nudged");
        S3ObjectStore store = new S3ObjectStore(s3.location("operator", BUCKET, "default/"));
        java.util.function.BiConsumer<Long, Long> pointAt = (active, candidate) -> {
            try {
                store.put(layout.releasePointer(), SigningKeys.sign(new ReleasePointer("nudged", active, candidate, List.of(),
                        Instant.now()).withOrder(++sequence, 1), KEYS).toJson(), "application/json");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        for (long v = 1; v <= 2; v++) {
            VersionInfo info = new VersionInfo(v, "nudged", Instant.now(), Map.of());
            var built = new RoutingDbBuilder().build(v == 1 ? Fixtures.twoTenants() : Fixtures.large(50, 4, 2), info,
                    work.resolve("nudged-" + v + ".db"));
            new VersionPublisher(store, layout).publish(built.file(), SigningKeys.sign(VersionVerifier.manifestFor(built, info), KEYS));
        }
        pointAt.accept(1L, null);
        int admin = Ports.free();
        var edgeStore = s3.location("operator", BUCKET, "default/");
        // The fleet's edges may write their reports under fleets/edge/ only; this fleet is "nudged", so
        // this edge runs with the operator's credential (the report is what this test reads).
        try (LocalProcess edge = LocalProcess.start("edge-nudged", work.resolve("edge-nudged.log"), List.of(
                REPO.resolve("hack/edge.sh").toString(), "--fleet", "nudged", "--s3-endpoint", edgeStore.endpoint().toString(),
                "--s3-bucket", BUCKET, "--s3-prefix", "default/", "--public-key", SigningKeys.encodePublic(KEYS.getPublic()),
                "--data-dir", work.resolve("data-nudged").toString(), "--litestream-bin", Litestream.binary().toString(),
                "--sip-listen", "127.0.7.2:" + Ports.free(), "--admin-listen", "127.0.0.1:" + admin, "--admin-detail", "true",
                "--edge-id", "edge-n", "--probing", "false", "--poll-interval", "300s", "--drain-timeout", "1s"),
                Map.of("AWS_ACCESS_KEY_ID", s3.location("operator", BUCKET, "default/").accessKeyId(),
                        "AWS_SECRET_ACCESS_KEY", s3.location("operator", BUCKET, "default/").secretAccessKey()))) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            Await.until("edge ready on version 1", Duration.ofSeconds(90), () -> get(http, admin, "/readyz"), r -> r.startsWith("200"));
            var report = io.pbx3sbc.routingdb.manifest.EdgeReport.fromJson(Await.until("the edge's first report",
                    Duration.ofSeconds(30), () -> {
                        try {
                            return store.get(layout.edgeReport("edge-n"));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }, java.util.Optional::isPresent).orElseThrow());
            assertThat(report.nudgeAddress()).as("where the operator nudges it").isEqualTo("127.0.0.1:" + admin);

            pointAt.accept(1L, 2L);
            // A nudge signed by another key, one for another fleet, an old one, and garbage: refused, and nothing read.
            KeyPair stranger = SigningKeys.generate();
            assertThat(post(http, admin, SigningKeys.sign(nudge("nudged", Instant.now()), stranger).toJson()))
                    .startsWith("403").contains("not signed by a trusted key");
            assertThat(post(http, admin, SigningKeys.sign(nudge("edge", Instant.now()), KEYS).toJson()))
                    .startsWith("403").contains("for fleet edge");
            assertThat(post(http, admin, SigningKeys.sign(nudge("nudged", Instant.now().minusSeconds(3600)), KEYS).toJson()))
                    .startsWith("403").contains("too far from now");
            assertThat(post(http, admin, "{\"purpose\":".getBytes(java.nio.charset.StandardCharsets.UTF_8))).startsWith("400");
            assertThat(get(http, admin, "/status")).as("nothing staged: the edge has not looked").doesNotContain("\"stagedVersion\" : 2");
            assertThat(get(http, admin, "/metrics")).contains("pbx3sbc_edge_nudges_total{outcome=\"refused\"} 3",
                    "pbx3sbc_edge_nudges_total{outcome=\"malformed\"} 1");

            // The operator's nudge: answered once the edge has looked, with its report as written to the store
            // (version 2 staged), byte for byte, so the operator need not read it back.
            String answered = post(http, admin, SigningKeys.sign(nudge("nudged", Instant.now()), KEYS).toJson());
            assertThat(answered).startsWith("200 ");
            var staged = io.pbx3sbc.routingdb.manifest.EdgeReport.fromJson(
                    answered.substring(4).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(staged.activeVersion()).isEqualTo(1L);
            assertThat(staged.stagedVersion()).isEqualTo(2L);
            assertThat(answered.substring(4)).isEqualTo(new String(store.get(layout.edgeReport("edge-n")).orElseThrow(),
                    java.nio.charset.StandardCharsets.UTF_8));
            pointAt.accept(2L, null);
            assertThat(post(http, admin, SigningKeys.sign(nudge("nudged", Instant.now()), KEYS).toJson()))
                    .startsWith("200 {\"activeVersion\":2,");
            assertThat(get(http, admin, "/lookup?domain=tenant1.voip.example.com")).contains("\"version\":2");

            edge.terminate();
            assertThat(edge.awaitExit(Duration.ofSeconds(30))).as("SIGTERM").isEqualTo(143);
            report = io.pbx3sbc.routingdb.manifest.EdgeReport.fromJson(store.get(layout.edgeReport("edge-n")).orElseThrow());
            assertThat(report.state()).as("a stopping edge says so, not to hold promotions back").isEqualTo("stopped");
        } finally {
            store.close();
        }
    }

    static io.pbx3sbc.routingdb.manifest.Nudge nudge(String fleet, Instant at) {
        return new io.pbx3sbc.routingdb.manifest.Nudge(io.pbx3sbc.routingdb.manifest.Nudge.PURPOSE, fleet, 1, sequence, at,
                null, null);
    }

    static String post(HttpClient http, int port, byte[] body) {
        return exchange(http, HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/nudge"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    /** "status body"; a connection that does not answer within 2 s fails the test. */
    static String get(HttpClient http, int port, String path) {
        return exchange(http, HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(2)).build());
    }

    static String exchange(HttpClient http, HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (java.io.IOException e) {
            return "unreachable: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
