package io.pbx3sbc.e2e;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.pbx3sbc.operator.api.v1alpha1.Condition;
import io.pbx3sbc.operator.api.v1alpha1.EdgeFleet;
import io.pbx3sbc.operator.api.v1alpha1.SipDomain;
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
import io.pbx3sbc.routingdb.testing.LocalProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The product end to end on a real kube-apiserver with three edges, each a local process started by
 * {@code ./hack/local-up.sh}: calls route; a new SipDomain becomes routable on every edge and the status
 * says so per edge; sustained calls across a promotion lose nothing; tampered versions are rejected and
 * never active; S3 down and the operator down leave routing untouched (a restarted edge boots on its last
 * known good copy); pinning the previous version rolls every edge back.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetPromotionIT {
    static final String NS = "default";
    static final int EDGES = 3;
    static final Duration WAIT = Duration.ofSeconds(90);

    /** Under target/ so the parts' logs stay for a look after a failure. */
    static final Path state = Path.of("target/e2e-fleet").toAbsolutePath();
    static LocalProduct product;
    static KubernetesClient client;
    static S3ObjectStore store;
    static final FleetLayout LAYOUT = new FleetLayout("edge");

    @BeforeAll
    static void up() throws Exception {
        product = LocalProduct.up(state, EDGES);
        client = product.client();
        store = new S3ObjectStore(LocalProduct.STORE);
    }

    @AfterAll
    static void down() throws Exception {
        if (store != null) {
            store.close();
        }
        if (client != null) {
            client.close();
        }
        if (product != null) {
            product.close();
        }
    }

    static <T> T await(String what, Supplier<T> value, Predicate<T> done) throws InterruptedException {
        return Await.until(what, WAIT, value, done);
    }

    static EdgeFleet fleet() {
        return LocalProduct.fleet(client);
    }

    static Condition condition(EdgeFleet f, String type) {
        return f.getStatus().conditions.stream().filter(c -> c.type.equals(type)).findFirst().orElse(null);
    }

    /** Every edge routes the domain from at least {@code version}. */
    static void awaitRoutable(String domain, long version) throws InterruptedException {
        for (int e = 1; e <= EDGES; e++) {
            int edge = e;
            await(domain + " routable on edge-" + edge, () -> product.routingVersionFor(edge, domain), v -> v >= version);
        }
    }

    static void addDomain(String name, String set) {
        LocalProduct.addDomain(client, name, set);
    }

    /** The fleet is Ready with every live edge on its active version; returns that version. */
    static long awaitConverged() throws InterruptedException {
        return product.awaitConverged(client);
    }

    static void call(int edge, String domain) throws Exception {
        product.call(edge, domain);
    }

    @Test
    @Order(1)
    void theSamplesRouteOnEveryEdge() throws Exception {
        long active = awaitConverged();
        EdgeFleet f = fleet();
        assertThat(f.getStatus().edges).hasSize(EDGES).allSatisfy(e -> {
            assertThat(e.live).isTrue();
            assertThat(e.activeVersion).isEqualTo(active);
        });
        for (int e = 1; e <= EDGES; e++) {
            call(e, "acme.voip.example.com");
            call(e, "initech.voip.example.com");
        }
    }

    @Test
    @Order(2)
    void aNewSipDomainBecomesRoutableOnEveryEdgeAndTheStatusShowsItPerEdge() throws Exception {
        long before = awaitConverged();
        addDomain("hooli", "pbx-cluster-b");
        awaitRoutable("hooli.voip.example.com", before + 1);
        long after = product.awaitConverged(client, before + 1);
        assertThat(after).isGreaterThan(before);
        assertThat(fleet().getStatus().edges).allSatisfy(e -> assertThat(e.activeVersion).isEqualTo(after));
        assertThat(fleet().getStatus().history).extracting(h -> h.version + " " + h.outcome)
                .contains(after + " Published", after + " Promoted");
        SipDomain hooli = await("hooli status", () -> client.resources(SipDomain.class).inNamespace(NS).withName("hooli").get(),
                d -> d.getStatus() != null && !d.getStatus().fleets.isEmpty());
        assertThat(hooli.getStatus().fleets.get(0).version).isEqualTo(after);
        for (int e = 1; e <= EDGES; e++) {
            call(e, "hooli.voip.example.com");
        }
    }

    @Test
    @Order(3)
    void sustainedCallsAcrossAPromotionLoseNothing() throws Exception {
        long before = awaitConverged();
        // 40 calls/s for 15 s through one edge (its 192 MiB heap in local-up; docs/benchmarks.md has the capacity).
        LocalProcess load = product.calls("load", 2, "acme.voip.example.com", 600, 40);
        Thread.sleep(4000);
        addDomain("initrode", "pbx-cluster-a");
        awaitRoutable("initrode.voip.example.com", before + 1);
        assertThat(load.awaitExit(Duration.ofSeconds(90))).as(load.log()).isZero();
        int[] counts = LocalProduct.callCounts(load);
        assertThat(counts[0]).as("successful calls").isEqualTo(600);
        assertThat(counts[1]).as("failed calls").isZero();
        assertThat(product.awaitConverged(client, before + 1)).isGreaterThan(before);
    }

    @Test
    @Order(4)
    void aTamperedManifestIsRejectedByEveryEdgeAndNeverBecomesActive() throws Exception {
        long active = awaitConverged();
        // A copy of the active version as "version 99" whose manifest was edited: its signature no longer holds.
        for (String key : store.list(LAYOUT.versionPrefix(active))) {
            String suffix = key.substring(LAYOUT.versionPrefix(active).length());
            byte[] bytes = store.get(key).orElseThrow();
            if (key.equals(LAYOUT.manifest(active))) {
                bytes = new String(bytes, StandardCharsets.UTF_8).replace("\"version\":" + active, "\"version\":99")
                        .getBytes(StandardCharsets.UTF_8);
            }
            store.put(LAYOUT.versionPrefix(99) + suffix, bytes, "application/octet-stream");
        }
        propose(99);
        EdgeFleet f = awaitRejected(99);
        assertThat(f.getStatus().edges).allSatisfy(e -> assertThat(e.lastRejection).contains("version 99").contains("signature"));
        assertThat(f.getStatus().activeVersion).isEqualTo(active);
        for (int e = 1; e <= EDGES; e++) {
            assertThat(product.routingVersionFor(e, "acme.voip.example.com")).isEqualTo(active);
        }
        call(1, "acme.voip.example.com");
    }

    @Test
    @Order(5)
    void aVersionWhoseBytesWereChangedInS3IsRejectedToo() throws Exception {
        long active = fleet().getStatus().activeVersion;
        // A genuine, signed version 98 with one more tenant; then its bytes are changed in the bucket.
        KeyPair keys = fleetKeys();
        RoutingModel model = Fixtures.twoTenants();
        VersionInfo info = new VersionInfo(98, "edge", Instant.now(), Map.of());
        var built = new RoutingDbBuilder().build(model, info, state.resolve("v98.db"));
        new VersionPublisher(store, LAYOUT).publish(built.file(), SigningKeys.sign(VersionVerifier.manifestFor(built, info), keys));
        List<String> snapshots = new ArrayList<>(store.list(LAYOUT.versionPrefix(98)).stream()
                .filter(k -> !k.equals(LAYOUT.manifest(98))).toList());
        for (String key : snapshots) {
            byte[] bytes = store.get(key).orElseThrow();
            for (int i = bytes.length / 2; i < Math.min(bytes.length, bytes.length / 2 + 64); i++) {
                bytes[i] ^= 0x5a;
            }
            store.put(key, bytes, "application/octet-stream");
        }
        propose(98);
        EdgeFleet f = awaitRejected(98);
        assertThat(f.getStatus().activeVersion).isEqualTo(active);
        assertThat(product.routingVersionFor(1, model.domains().get(0).domain())).isEqualTo(-1);
        assertThat(condition(f, "Degraded").reason).isEqualTo("VersionRejected");
    }

    @Test
    @Order(6)
    void withS3DownCallsKeepRoutingAndARestartedEdgeBootsOnItsLastKnownGoodCopy() throws Exception {
        long active = fleet().getStatus().activeVersion;
        product.stop("s3");
        try {
            call(1, "hooli.voip.example.com");
            product.stop("edge-3");
            product.start("edge-3");
            await("edge-3 ready again", () -> product.ready(3), r -> r);
            assertThat(product.routingVersionFor(3, "hooli.voip.example.com")).isEqualTo(active);
            assertThat(product.log("edge-3")).contains("routing on last known good version " + active);
            call(3, "hooli.voip.example.com");
        } finally {
            product.start("s3");
        }
    }

    @Test
    @Order(7)
    void withTheOperatorDownCallsKeepRoutingAndOnRestartItPicksUpWhereItWas() throws Exception {
        long before = fleet().getStatus().activeVersion;
        product.stop("operator");
        try {
            call(2, "acme.voip.example.com");
            addDomain("vandelay", "pbx-cluster-a");
            Thread.sleep(2000);
            assertThat(product.routingVersionFor(1, "vandelay.voip.example.com")).as("nobody publishes").isEqualTo(-1);
        } finally {
            product.start("operator");
        }
        awaitRoutable("vandelay.voip.example.com", before + 1);
        assertThat(product.awaitConverged(client, before + 1)).isGreaterThan(before);
        assertThat(condition(fleet(), "Degraded").status).as("a later change clears the failed candidates").isEqualTo("False");
    }

    @Test
    @Order(8)
    void pinningThePreviousVersionRollsEveryEdgeBack() throws Exception {
        long active = awaitConverged();
        long previous = fleet().getStatus().history.stream().map(h -> h.version)
                .filter(v -> v < active && v < 90).max(Long::compare).orElseThrow();
        LocalProduct.edit(client.resources(EdgeFleet.class).inNamespace(NS).withName("edge"), f -> {
            f.getSpec().promotion.pinnedVersion = previous;
            return f;
        });
        EdgeFleet rolledBack = await("rolled back to " + previous, FleetPromotionIT::fleet,
                f -> Long.valueOf(previous).equals(f.getStatus().activeVersion) && f.getStatus().edgesActive == EDGES);
        assertThat(rolledBack.getStatus().edges).allSatisfy(e -> assertThat(e.activeVersion).isEqualTo(previous));
        for (int e = 1; e <= EDGES; e++) {
            int edge = e;
            await("vandelay gone from edge-" + e, () -> product.routingVersionFor(edge, "vandelay.voip.example.com"),
                    v -> v == -1);
        }
        call(1, "acme.voip.example.com");
    }

    @Test
    @Order(9)
    void theEdgeImageRunsItsLitestreamAndJoinsTheFleetAsAnEdge() throws Exception {
        try (ImageRootfs image = ImageRootfs.unpack(Path.of("../edge-runtime/target/image.tar"), state.resolve("edge-image"))) {
            assertThat(image.user()).isEqualTo("65532:65532");
            LocalProcess litestream = image.start("image-litestream", state.resolve("image-litestream.log"),
                    List.of("/usr/local/bin/litestream", "version"), Map.of());
            assertThat(litestream.awaitExit(Duration.ofSeconds(20))).isZero();
            assertThat(litestream.log()).contains("v0.3.13");

            image.writableDir("/var/lib/pbx3sbc");
            String publicKey = SigningKeys.encodePublic(fleetKeys().getPublic());
            LocalProcess edge = image.start("image-edge", state.resolve("image-edge.log"), image.entrypoint(), withDetail(Map.of(
                    "EDGE_FLEET", "edge", "EDGE_S3_ENDPOINT", "http://127.0.0.1:19000", "EDGE_S3_BUCKET", "sip-routing",
                    "EDGE_S3_PREFIX", "default/", "EDGE_PUBLIC_KEY", publicKey, "AWS_ACCESS_KEY_ID", "local",
                    "AWS_SECRET_ACCESS_KEY", "local-secret-key", "EDGE_SIP_LISTEN", "127.0.2.9:5060",
                    "EDGE_ADMIN_LISTEN", "127.0.2.9:9090", "EDGE_EDGE_ID", "edge-image")));
            try {
                await("the image's edge ready", () -> product.ready(9), r -> r);
                long active = fleet().getStatus().activeVersion;
                assertThat(product.routingVersionFor(9, "acme.voip.example.com")).isEqualTo(active);
                call(9, "acme.voip.example.com");
                await("edge-image in the fleet status", FleetPromotionIT::fleet, f -> f.getStatus().edges.stream()
                        .anyMatch(e -> e.name.equals("edge-image") && Long.valueOf(active).equals(e.activeVersion)));
            } finally {
                edge.terminate();
                edge.awaitExit(Duration.ofSeconds(40));
            }
        }
    }

    @Test
    @Order(10)
    void theOperatorImageStartsAgainstTheControlPlane() throws Exception {
        try (ImageRootfs image = ImageRootfs.unpack(Path.of("../operator/target/image.tar"), state.resolve("operator-image"))) {
            java.nio.file.Files.copy(state.resolve("control-plane/kubeconfig"), image.root().resolve("tmp/kubeconfig"));
            java.nio.file.Files.setPosixFilePermissions(image.root().resolve("tmp/kubeconfig"),
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            // Watching an empty namespace, without the lease: it must not compete with the running operator.
            LocalProcess operator = image.start("image-operator", state.resolve("image-operator.log"), image.entrypoint(),
                    Map.of("KUBECONFIG", "/tmp/kubeconfig", "WATCH_NAMESPACES", "image-check", "LEADER_ELECTION", "false",
                            "OPERATOR_ADMIN_LISTEN", "127.0.0.1:18081"));
            try {
                var http = java.net.http.HttpClient.newHttpClient();
                await("the image's operator ready", () -> {
                    try {
                        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:18081/readyz"))
                                .build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode();
                    } catch (Exception e) {
                        return -1;
                    }
                }, code -> code == 200);
                assertThat(operator.log()).contains("pbx3sbc-operator").contains("started");
            } finally {
                operator.terminate();
                operator.awaitExit(Duration.ofSeconds(30));
            }
        }
    }

    /**
     * Points the fleet's candidate at a version, as a publish would (signed with the fleet's key, the next
     * sequence): the tampering under test is in the version, not in the pointer. The gate takes it from there.
     */
    static void propose(long version) throws Exception {
        ReleasePointer p = ReleasePointer.fromJson(store.get(LAYOUT.releasePointer()).orElseThrow());
        List<ReleasePointer.HistoryEntry> history = new ArrayList<>(p.history());
        history.add(new ReleasePointer.HistoryEntry(version, "tampered-" + version, "published", Instant.now()));
        ReleasePointer next = p.with(p.active(), version, history, Instant.now()).withOrder(p.sequence() + 1, p.epoch());
        store.put(LAYOUT.releasePointer(), SigningKeys.sign(next, fleetKeys()).toJson(), "application/json");
        product.nudgeAll(fleetKeys()); // as the operator would after writing it
    }

    static EdgeFleet awaitRejected(long version) throws InterruptedException {
        EdgeFleet f = await("version " + version + " failed", FleetPromotionIT::fleet, x -> x.getStatus().history.stream()
                .anyMatch(h -> h.version == version && h.outcome.startsWith("Failed: rejected")));
        assertThat(condition(f, "Degraded").status).isEqualTo("True");
        assertThat(condition(f, "Degraded").message).contains("Version " + version);
        assertThat(f.getStatus().phase).isEqualTo("Degraded");
        return f;
    }

    /** The image's edge serves /lookup, which the test asks. */
    static Map<String, String> withDetail(Map<String, String> env) {
        Map<String, String> out = new java.util.HashMap<>(env);
        out.put("EDGE_ADMIN_DETAIL", "true");
        return out;
    }

    static KeyPair fleetKeys() {
        return LocalProduct.signingKeys(client, "routing-signing-key");
    }
}
