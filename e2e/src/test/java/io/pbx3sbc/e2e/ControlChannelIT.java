package io.pbx3sbc.e2e;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.pbx3sbc.operator.api.v1alpha1.EdgeFleet;
import io.pbx3sbc.routingdb.manifest.ReleasePointer;
import io.pbx3sbc.routingdb.manifest.SigningKeys;
import io.pbx3sbc.routingdb.store.FleetLayout;
import io.pbx3sbc.routingdb.store.ObjectStoreException;
import io.pbx3sbc.routingdb.store.S3Location;
import io.pbx3sbc.routingdb.store.S3ObjectStore;
import io.pbx3sbc.routingdb.testing.Await;
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
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The control channel under attack, on the local product (real kube-apiserver, SeaweedFS with an
 * operator and a least-privilege edge identity, real litestream, edges as processes): whatever a bucket
 * writer puts in place of the release pointer or a version, the edges keep routing the version they
 * serve and say why they refused; the edges' own credential cannot write what steers the fleet; and two
 * operators that both believe they lead still converge.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ControlChannelIT {
    static final String NS = "default";
    static final int EDGES = 2;
    static final Duration WAIT = Duration.ofSeconds(90);
    static final Path state = Path.of("target/e2e-control").toAbsolutePath();
    static final FleetLayout LAYOUT = new FleetLayout("edge");
    static final S3Location EDGE_STORE = new S3Location(LocalProduct.STORE.endpoint(), "us-east-1", "sip-routing",
            "default/", true, "local-edge", "local-edge-secret");
    static LocalProduct product;
    static KubernetesClient client;
    static S3ObjectStore store;

    @BeforeAll
    static void up() throws Exception {
        product = LocalProduct.up(state, EDGES);
        client = product.client();
        store = new S3ObjectStore(LocalProduct.STORE);
        awaitConverged();
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

    static long awaitConverged() throws InterruptedException {
        return product.awaitConverged(client);
    }

    static ReleasePointer pointer() throws Exception {
        return ReleasePointer.fromJson(store.get(LAYOUT.releasePointer()).orElseThrow());
    }

    static void addDomain(String name) {
        LocalProduct.addDomain(client, name, "pbx-cluster-a");
    }

    static long awaitRoutableEverywhere(String domain) throws InterruptedException {
        long v = 0;
        for (int e = 1; e <= EDGES; e++) {
            int edge = e;
            v = await(domain + " routable on edge-" + e, () -> product.routingVersionFor(edge, domain), x -> x > 0);
        }
        return v;
    }

    static String edgeLog() {
        try {
            return product.log("edge-1");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static KeyPair fleetKeys() {
        return fleetKeysOf("routing-signing-key");
    }

    static void call(int edge, String domain) throws Exception {
        product.call(edge, domain);
    }

    @Test
    @Order(1)
    void aReplayedOldPointerRollsNothingBackAndTheOperatorPutsItsOwnBack() throws Exception {
        ReleasePointer old = pointer();
        addDomain("replay");
        long served = product.awaitConverged(client, awaitRoutableEverywhere("replay.voip.example.com"));

        // A bucket writer (it has the bucket, not the key) puts back the old, validly signed pointer: it
        // names a version without the new tenant.
        store.put(LAYOUT.releasePointer(), old.toJson(), "application/json");
        product.nudgeAll(fleetKeys()); // the edges look now (as at their next poll)
        long until = System.nanoTime() + Duration.ofSeconds(12).toNanos();
        while (System.nanoTime() < until) { // the operator repairs within its idle poll
            for (int e = 1; e <= EDGES; e++) {
                assertThat(product.routingVersionFor(e, "replay.voip.example.com")).as("edge-%s", e).isEqualTo(served);
            }
            Thread.sleep(250);
        }
        assertThat(product.log("edge-1")).contains("refused the release pointer").contains("rollback refused");
        await("the operator rewrote the pointer", () -> {
            try {
                return pointer();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, p -> p.sequence() > old.sequence() && Long.valueOf(served).equals(p.active()));
        assertThat(client.v1().events().inNamespace(NS).list().getItems()).extracting(Event::getReason)
                .contains("ReleasePointerRestored");
        call(1, "replay.voip.example.com");
    }

    @Test
    @Order(2)
    void aPointerOfAnotherFleetIsRefused() throws Exception {
        long served = awaitConverged();
        ReleasePointer p = pointer();
        // Validly signed with the same key (as if two fleets shared a key Secret), but another fleet's.
        ReleasePointer foreign = SigningKeys.sign(new ReleasePointer("other", 1L, null, List.of(), Instant.now())
                .withOrder(p.sequence() + 100, p.epoch()), fleetKeys());
        store.put(LAYOUT.releasePointer(), foreign.toJson(), "application/json");
        product.nudgeAll(fleetKeys());
        await("edge-1 says why", ControlChannelIT::edgeLog, l -> l.contains("release pointer of fleet other"));
        for (int e = 1; e <= EDGES; e++) {
            assertThat(product.routingVersionFor(e, "acme.voip.example.com")).isEqualTo(served);
        }
        await("the operator rewrote the pointer", () -> {
            try {
                return pointer();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, x -> "edge".equals(x.fleet()));
        call(2, "acme.voip.example.com");
    }

    @Test
    @Order(3)
    void aVersionCopiedUnderAnotherNumberOrAMissingOneIsRejectedAndTheActiveOneKeepsRouting() throws Exception {
        long served = awaitConverged();
        long fake = served + 100;
        // A bucket writer copies the active version's objects (its signed manifest included) under a new number.
        for (String key : store.list(LAYOUT.versionPrefix(served))) {
            store.put(LAYOUT.versionPrefix(fake) + key.substring(LAYOUT.versionPrefix(served).length()),
                    store.get(key).orElseThrow(), "application/octet-stream");
        }
        propose(fake);
        EdgeFleet rejected = await("version " + fake + " rejected", ControlChannelIT::fleet, f -> f.getStatus().edges.stream()
                .anyMatch(e -> e.lastRejection != null && e.lastRejection.contains("version " + fake)));
        assertThat(rejected.getStatus().edges).anySatisfy(e -> assertThat(e.lastRejection).contains("signs version " + served));
        for (int e = 1; e <= EDGES; e++) {
            assertThat(product.routingVersionFor(e, "acme.voip.example.com")).isEqualTo(served);
        }

        long missing = served + 200;
        propose(missing);
        await("version " + missing + " rejected", ControlChannelIT::fleet, f -> f.getStatus().edges.stream()
                .anyMatch(e -> e.lastRejection != null && e.lastRejection.contains("version " + missing)));
        call(1, "acme.voip.example.com");
        assertThat(product.routingVersionFor(1, "acme.voip.example.com")).isEqualTo(served);
    }

    @Test
    @Order(4)
    void theEdgesCredentialCannotWriteWhatSteersTheFleet() throws Exception {
        try (S3ObjectStore asEdge = new S3ObjectStore(EDGE_STORE)) {
            byte[] json = "{}".getBytes(StandardCharsets.UTF_8);
            assertThat(asEdge.get(LAYOUT.releasePointer())).isPresent();
            assertThatThrownBy(() -> asEdge.put(LAYOUT.releasePointer(), json, "application/json"))
                    .isInstanceOf(ObjectStoreException.class).hasMessageContaining("access denied");
            assertThatThrownBy(() -> asEdge.put(LAYOUT.manifest(999), json, "application/json"))
                    .hasMessageContaining("access denied");
            assertThatThrownBy(() -> asEdge.put(new FleetLayout("other").edgeReport("edge-1"), json, "application/json"))
                    .hasMessageContaining("access denied");
            assertThatThrownBy(() -> asEdge.delete(LAYOUT.releasePointer())).hasMessageContaining("access denied");
        }
    }

    @Test
    @Order(5)
    void twoOperatorsThatBothBelieveTheyLeadStillConverge() throws Exception {
        // (The fleet is Degraded from the failed candidates above; the next change clears that.)
        // A second operator without leader election: it signs with a newer term than the leader's.
        try (LocalProcess second = LocalProcess.start("second-operator", state.resolve("second-operator.log"),
                List.of(LocalProduct.REPO.resolve("hack/operator.sh").toString()),
                Map.of("KUBECONFIG", state.resolve("control-plane/kubeconfig").toString(), "LEADER_ELECTION", "false",
                        "OPERATOR_ADMIN_LISTEN", "127.0.0.1:18082", "WORK_DIR", state.resolve("second-work").toString()))) {
            Thread.sleep(5000);
            addDomain("twoleaders");
            awaitRoutableEverywhere("twoleaders.voip.example.com");
            awaitConverged();
            call(2, "twoleaders.voip.example.com");
            second.terminate();
            second.awaitExit(Duration.ofSeconds(30));
        }
        addDomain("afterwards");
        awaitRoutableEverywhere("afterwards.voip.example.com");
        awaitConverged();
    }

    @Test
    @Order(6)
    void theSigningKeyRotatesWhileTheEdgesServeCallsWithoutAFailedCall() throws Exception {
        awaitConverged();
        String oldKey = fleet().getStatus().signingKey.keyId;
        List<LocalProcess> load = List.of(product.calls("rotation-load-1", 1, "acme.voip.example.com", 800, 20),
                product.calls("rotation-load-2", 2, "initech.voip.example.com", 800, 20));
        // A new Secret name: the operator generates the new key into it and rotates to it.
        LocalProduct.edit(client.resources(EdgeFleet.class).inNamespace(NS).withName("edge"), f -> {
            f.getSpec().signingKeySecretRef = "routing-signing-key-2";
            return f;
        });
        await("the rotation under way", ControlChannelIT::fleet, f -> f.getStatus().signingKey != null
                && !"None".equals(f.getStatus().signingKey.rotation));
        addDomain("rotated");
        EdgeFleet done = Await.until("the rotation done", Duration.ofSeconds(180), ControlChannelIT::fleet,
                f -> f.getStatus().signingKey != null && "None".equals(f.getStatus().signingKey.rotation)
                        && !oldKey.equals(f.getStatus().signingKey.keyId));
        String newKey = done.getStatus().signingKey.keyId;
        assertThat(done.getStatus().signingKey.secretName).isEqualTo("routing-signing-key-2");
        for (int e = 1; e <= EDGES; e++) {
            var report = io.pbx3sbc.routingdb.manifest.EdgeReport.fromJson(store.get(LAYOUT.edgeReport("edge-" + e)).orElseThrow());
            assertThat(report.trustedKeyIds()).as("edge-%s trusts", e).containsExactly(newKey);
            assertThat(report.lastKnownGoodKeyId()).as("edge-%s copy signed by", e).isEqualTo(newKey);
        }
        assertThat(newKey).isEqualTo(SigningKeys.keyId(fleetKeysOf("routing-signing-key-2").getPublic()));
        assertThat(pointer().keyId()).as("the release pointer is signed with the new key").isEqualTo(newKey);
        awaitRoutableEverywhere("rotated.voip.example.com");
        for (LocalProcess caller : load) {
            assertThat(caller.awaitExit(Duration.ofSeconds(120))).as(caller.log()).isZero();
            assertThat(LocalProduct.callCounts(caller)[1]).as("failed calls across the rotation").isZero();
        }
        assertThat(client.v1().events().inNamespace(NS).list().getItems()).extracting(io.fabric8.kubernetes.api.model.Event::getReason)
                .contains("KeyRotating");

        // The old key is trusted nowhere; an edge restarted with S3 down still boots on its copy, re-signed.
        product.stop("s3");
        try {
            product.stop("edge-2");
            product.start("edge-2");
            await("edge-2 ready again", () -> product.ready(2), r -> r);
            assertThat(product.routingVersionFor(2, "rotated.voip.example.com")).isPositive();
            call(2, "rotated.voip.example.com");
        } finally {
            product.start("s3");
        }
    }

    @Test
    @Order(7)
    void aSecondFleetClaimingTheSameStoreLocationOrAnImageOutsideTheAllowlistIsRefusedAndTheFirstKeepsServing()
            throws Exception {
        long served = awaitConverged();
        ReleasePointer before = pointer();
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata()
                .withName("other").endMetadata().build()).create();
        client.secrets().inNamespace("other").resource(new io.fabric8.kubernetes.api.model.SecretBuilder().withNewMetadata()
                .withName("routing-s3").endMetadata().withStringData(Map.of("accessKeyId", "local",
                        "secretAccessKey", "local-secret-key")).build()).create();
        // Same name, same bucket, and the first fleet's prefix given explicitly: it would overwrite its pointer.
        EdgeFleet twin = client.resources(EdgeFleet.class).inNamespace(NS).withName("edge").get();
        EdgeFleet copy = new EdgeFleet();
        copy.setMetadata(new ObjectMetaBuilder().withName("edge").withNamespace("other").build());
        copy.setSpec(twin.getSpec());
        copy.getSpec().store.prefix = NS + "/";
        copy.getSpec().store.edgeCredentialsSecretRef = null;
        copy.getSpec().signingKeySecretRef = null;
        client.resource(copy).create();
        EdgeFleet refused = await("the twin refused", () -> client.resources(EdgeFleet.class).inNamespace("other")
                .withName("edge").get(), f -> f.getStatus() != null && f.getStatus().conditions.stream()
                .anyMatch(c -> c.type.equals("Admitted") && "False".equals(c.status)));
        assertThat(refused.getStatus().conditions).anySatisfy(c -> assertThat(c.reason).isEqualTo("StoreConflict"));

        EdgeFleet rogue = new EdgeFleet();
        rogue.setMetadata(new ObjectMetaBuilder().withName("rogue").withNamespace("other").build());
        rogue.setSpec(twin.getSpec());
        rogue.getSpec().store.prefix = "rogue/";
        rogue.getSpec().image = "evil.example/miner:latest";
        client.resource(rogue).create();
        EdgeFleet notAllowed = await("the rogue image refused", () -> client.resources(EdgeFleet.class).inNamespace("other")
                .withName("rogue").get(), f -> f.getStatus() != null && f.getStatus().conditions.stream()
                .anyMatch(c -> c.type.equals("Admitted") && "False".equals(c.status)));
        assertThat(notAllowed.getStatus().conditions).anySatisfy(c -> assertThat(c.reason).isEqualTo("ImageNotAllowed"));
        assertThat(client.apps().deployments().inNamespace("other").list().getItems()).isEmpty();

        ReleasePointer after = pointer();
        assertThat(after.fleet()).isEqualTo("edge");
        assertThat(after.active()).isEqualTo(before.active()).isEqualTo(served);
        call(1, "acme.voip.example.com");
    }

    static KeyPair fleetKeysOf(String secretName) {
        return LocalProduct.signingKeys(client, secretName);
    }

    /** A pointer proposing {@code version} as the candidate, signed as the operator would (the test holds the key). */
    static void propose(long version) throws Exception {
        ReleasePointer p = pointer();
        ReleasePointer next = p.with(p.active(), version, p.history(), Instant.now()).withOrder(p.sequence() + 1, p.epoch());
        store.put(LAYOUT.releasePointer(), SigningKeys.sign(next, fleetKeys()).toJson(), "application/json");
        product.nudgeAll(fleetKeys()); // as the operator would after writing it
    }
}
