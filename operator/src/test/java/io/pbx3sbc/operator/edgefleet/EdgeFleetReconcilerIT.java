package io.pbx3sbc.operator.edgefleet;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.pbx3sbc.operator.OperatorConfig;
import io.pbx3sbc.operator.OperatorMain;
import io.pbx3sbc.operator.api.v1alpha1.Condition;
import io.pbx3sbc.operator.api.v1alpha1.DispatcherSet;
import io.pbx3sbc.operator.api.v1alpha1.EdgeFleet;
import io.pbx3sbc.operator.api.v1alpha1.SipDomain;
import io.pbx3sbc.operator.api.v1alpha1.SipDomainSpec;
import io.pbx3sbc.operator.naming.FleetNames;
import io.pbx3sbc.operator.publish.KubernetesFleetSecrets;
import io.pbx3sbc.operator.status.Reasons;
import io.pbx3sbc.operator.testing.SampleResources;
import io.pbx3sbc.routingdb.RoutingDb;
import io.pbx3sbc.routingdb.VersionVerifier;
import io.pbx3sbc.routingdb.manifest.SigningKeys;
import io.pbx3sbc.routingdb.store.FleetLayout;
import io.pbx3sbc.routingdb.store.S3Location;
import io.pbx3sbc.routingdb.store.S3ObjectStore;
import io.pbx3sbc.routingdb.store.VersionPublisher;
import io.pbx3sbc.routingdb.testing.Await;
import io.pbx3sbc.routingdb.testing.Litestream;
import io.pbx3sbc.routingdb.testing.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The EdgeFleet reconciler end to end against fabric8's mock API server (CRUD mode), a real S3 server
 * (S3Proxy) and the real litestream binary: the samples become a signed version litestream restores; one
 * change makes exactly one version, an identical one none; a domain pointing at a missing set is marked
 * and left out while the rest is published; an S3 outage shows as PublishFailed and heals by itself.
 */
@EnableKubernetesMockClient(crud = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EdgeFleetReconcilerIT {
    static final String NS = "default";
    static final String BUCKET = "sip-routing";
    static final Duration WAIT = Duration.ofSeconds(60);

    static KubernetesClient client;

    @TempDir
    static Path work;
    static S3ProxyServer s3;
    static S3ObjectStore store;
    static OperatorMain.Running operator;
    static FleetLayout layout = new FleetLayout("edge");

    @BeforeAll
    static void start() throws Exception {
        s3 = new S3ProxyServer(work).start();
        store = new S3ObjectStore(location());
        store.ensureBucket();
        client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("routing-s3").endMetadata()
                .withStringData(Map.of(KubernetesFleetSecrets.ACCESS_KEY_ID, S3ProxyServer.ACCESS_KEY,
                        KubernetesFleetSecrets.SECRET_ACCESS_KEY, S3ProxyServer.SECRET_KEY)).build()).create();
        operator = OperatorMain.start(client, new OperatorConfig(Set.of(), "127.0.0.1", 0, false, "lease", NS, "it",
                "edge:test", work.resolve("build")), o -> o.withUseSSAToPatchPrimaryResource(false));
        for (DispatcherSet s : SampleResources.load("pbx3sbc_v1alpha1_dispatcherset.yaml", DispatcherSet.class)) {
            client.resource(s).create();
        }
        for (SipDomain d : SampleResources.load("pbx3sbc_v1alpha1_sipdomain.yaml", SipDomain.class)) {
            client.resource(d).create();
        }
        EdgeFleet fleet = SampleResources.load("pbx3sbc_v1alpha1_edgefleet.yaml", EdgeFleet.class).get(0);
        fleet.getSpec().store.endpoint = s3.endpoint().toString();
        client.resource(fleet).create();
    }

    @AfterAll
    static void stop() throws Exception {
        if (operator != null) {
            operator.stop();
        }
        store.close();
        s3.stop();
    }

    static S3Location location() {
        return s3.location(BUCKET, NS + "/");
    }

    static EdgeFleet fleet() {
        return client.resources(EdgeFleet.class).inNamespace(NS).withName("edge").get();
    }

    static Set<Long> versions() throws Exception {
        return Set.copyOf(new VersionPublisher(store, layout).publishedVersions());
    }

    static <T> T await(String what, Supplier<T> value, Predicate<T> done) throws InterruptedException {
        return Await.until(what, WAIT, value, done);
    }

    static Condition condition(List<Condition> conditions, String type) {
        return conditions == null ? null : conditions.stream().filter(c -> type.equals(c.type)).findFirst().orElse(null);
    }

    static SipDomain domain(String name) {
        return client.resources(SipDomain.class).inNamespace(NS).withName(name).get();
    }

    @Test
    @Order(1)
    void samplesArePublishedSignedAndRestorableByLitestream() throws Exception {
        // A new fleet with no edge reporting yet gets its first version active at once.
        EdgeFleet f = await("active version 1", EdgeFleetReconcilerIT::fleet,
                x -> x.getStatus() != null && Long.valueOf(1).equals(x.getStatus().activeVersion));
        assertThat(f.getStatus().observedGeneration).isEqualTo(f.getMetadata().getGeneration());
        // The reconcile that published it, or one after it that found nothing new (edges answer within it now).
        assertThat(condition(f.getStatus().conditions, Reasons.PUBLISHED).reason).isIn(Reasons.VERSION_PUBLISHED, Reasons.UNCHANGED);
        assertThat(condition(f.getStatus().conditions, Reasons.PUBLISHED).status).isEqualTo("True");
        assertThat(f.getStatus().phase).isEqualTo(Reasons.PHASE_READY);
        assertThat(f.getStatus().history).extracting(h -> h.outcome).containsExactly("Published", "Promoted");

        // The signing key was generated into the Secret the fleet names, and the version verifies with it.
        var secret = client.secrets().inNamespace(NS).withName("routing-signing-key").get();
        assertThat(secret).isNotNull();
        assertThat(condition(f.getStatus().conditions, Reasons.SIGNING_KEY).reason).isEqualTo(Reasons.SIGNING_KEY_GENERATED);
        var pub = SigningKeys.decodePublic(new String(java.util.Base64.getDecoder()
                .decode(secret.getData().get(KubernetesFleetSecrets.SIGNING_PUB))));

        Path restored = work.resolve("restored-1.db");
        var run = Litestream.restore(location(), layout.replicaPath(1), restored);
        assertThat(run.exitCode()).as(run.output()).isZero();
        RoutingDb db = new VersionVerifier(pub).verify(restored, new VersionPublisher(store, layout).manifest(1).orElseThrow());
        assertThat(db.model().domains()).extracting(d -> d.domain()).contains("acme.voip.example.com",
                "initech.voip.example.com");

        // Every sample domain says it is carried by version 1.
        for (SipDomain d : client.resources(SipDomain.class).inNamespace(NS).list().getItems()) {
            SipDomain s = await("status of " + d.getMetadata().getName(), () -> domain(d.getMetadata().getName()),
                    x -> x.getStatus() != null && condition(x.getStatus().conditions, Reasons.ACCEPTED) != null);
            assertThat(condition(s.getStatus().conditions, Reasons.ACCEPTED).status).as(d.getMetadata().getName()).isEqualTo("True");
            assertThat(s.getStatus().fleets).singleElement().satisfies(v -> assertThat(v.version).isEqualTo(1L));
            assertThat(s.getStatus().setId).isNotNull();
        }
        assertThat(client.v1().events().inNamespace(NS).list().getItems()).extracting(Event::getReason)
                .contains(Reasons.VERSION_PUBLISHED, Reasons.VERSION_PROMOTED, Reasons.SIGNING_KEY_GENERATED);
    }

    @Test
    @Order(2)
    void edgeWorkloadsAreOwnedByTheFleetAndLockedDown() throws Exception {
        EdgeFleet f = fleet();
        Deployment d = await("edge deployment", () -> client.apps().deployments().inNamespace(NS)
                .withName(FleetNames.edges(f)).get(), x -> x != null);
        assertThat(d.getSpec().getReplicas()).isEqualTo(3);
        assertThat(d.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(o -> assertThat(o.getUid()).isEqualTo(f.getMetadata().getUid()));
        var pod = d.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        var c = pod.getContainers().get(0);
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getImage()).isEqualTo("edge:test");

        var config = client.configMaps().inNamespace(NS).withName(FleetNames.config(f)).get();
        assertThat(config.getData()).containsEntry("EDGE_FLEET", "edge").containsEntry("EDGE_S3_BUCKET", BUCKET)
                .containsEntry("EDGE_S3_PREFIX", NS + "/").containsKey("EDGE_PUBLIC_KEY_FILE");
        // The key edges trust, in a ConfigMap of its own (a rotation changes it without rolling the pods).
        var trust = client.configMaps().inNamespace(NS).withName(FleetNames.trust(f)).get();
        String pub = new String(java.util.Base64.getDecoder().decode(client.secrets().inNamespace(NS)
                .withName("routing-signing-key").get().getData().get(KubernetesFleetSecrets.SIGNING_PUB)));
        assertThat(trust.getData().get("trusted-keys").strip()).isEqualTo(pub.strip());
        assertThat(f.getStatus().signingKey.keyId).isEqualTo(SigningKeys.keyId(SigningKeys.decodePublic(pub)));
        var sip = client.services().inNamespace(NS).withName(FleetNames.edges(f)).get();
        assertThat(sip.getSpec().getPorts()).extracting(p -> p.getProtocol()).containsExactlyInAnyOrder("UDP", "TCP");
        assertThat(client.services().inNamespace(NS).withName(FleetNames.adminService(f)).get().getSpec().getClusterIP())
                .isEqualTo("None");
        assertThat(client.serviceAccounts().inNamespace(NS).withName(FleetNames.serviceAccount(f)).get()
                .getAutomountServiceAccountToken()).isFalse();
        assertThat(client.policy().v1().podDisruptionBudget().inNamespace(NS).withName(FleetNames.disruptionBudget(f)).get())
                .isNotNull();

        // Changing the fleet updates its workloads.
        client.resources(EdgeFleet.class).inNamespace(NS).withName("edge").edit(x -> {
            x.getSpec().replicas = 4;
            return x;
        });
        await("4 replicas", () -> client.apps().deployments().inNamespace(NS).withName(FleetNames.edges(f)).get(),
                x -> x.getSpec().getReplicas() == 4);
    }

    @Test
    @Order(3)
    void oneChangeMakesExactlyOneVersionAndAnIdenticalOneNone() throws Exception {
        assertThat(versions()).containsExactly(1L);
        client.resources(SipDomain.class).inNamespace(NS).withName("acme").edit(d -> {
            d.getSpec().comment = "Acme Corp, moved to platinum";
            return d;
        });
        // Now a version is active and no edge reports: version 2 waits as the candidate.
        EdgeFleet two = await("version 2", EdgeFleetReconcilerIT::fleet, x -> Long.valueOf(2).equals(x.getStatus().candidateVersion));
        assertThat(two.getStatus().phase).isEqualTo(Reasons.PHASE_PROMOTING);
        assertThat(condition(two.getStatus().conditions, Reasons.PROGRESSING).reason).isEqualTo(Reasons.CANDIDATE_PENDING);
        await("acme carried by version 2", () -> domain("acme"),
                x -> x.getStatus().fleets.get(0).version == 2L);

        // The same spec again: nothing to publish. Give the operator time to (not) do it.
        client.resources(SipDomain.class).inNamespace(NS).withName("acme").edit(d -> {
            d.getSpec().comment = "Acme Corp, moved to platinum";
            return d;
        });
        Thread.sleep(2000);
        assertThat(versions()).containsExactlyInAnyOrder(1L, 2L);
        assertThat(fleet().getStatus().candidateVersion).isEqualTo(2L);
    }

    @Test
    @Order(4)
    void aDomainWithAMissingSetIsMarkedAndLeftOutWhileTheOthersArePublished() throws Exception {
        SipDomain orphan = new SipDomain();
        orphan.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("orphan").withNamespace(NS)
                .withLabels(Map.of("pbx3sbc.io/fleet", "edge")).build());
        orphan.setSpec(new SipDomainSpec());
        orphan.getSpec().domain = "orphan.voip.example.com";
        orphan.getSpec().dispatcherSetRef = "no-such-set";
        client.resource(orphan).create();
        SipDomain fresh = new SipDomain();
        fresh.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("hooli").withNamespace(NS)
                .withLabels(Map.of("pbx3sbc.io/fleet", "edge")).build());
        fresh.setSpec(new SipDomainSpec());
        fresh.getSpec().domain = "hooli.voip.example.com";
        fresh.getSpec().dispatcherSetRef = "pbx-cluster-b";
        client.resource(fresh).create();

        SipDomain marked = await("orphan marked", () -> domain("orphan"),
                x -> x.getStatus() != null && condition(x.getStatus().conditions, Reasons.ACCEPTED) != null);
        Condition accepted = condition(marked.getStatus().conditions, Reasons.ACCEPTED);
        assertThat(accepted.status).isEqualTo("False");
        assertThat(accepted.reason).isEqualTo(Reasons.DISPATCHER_SET_NOT_FOUND);
        assertThat(accepted.message).contains("no-such-set");
        assertThat(marked.getStatus().fleets.get(0).version).isNull();

        SipDomain carried = await("hooli carried", () -> domain("hooli"),
                x -> x.getStatus() != null && !x.getStatus().fleets.isEmpty());
        long v = carried.getStatus().fleets.get(0).version;
        Path restored = work.resolve("restored-" + v + ".db");
        assertThat(Litestream.restore(location(), layout.replicaPath(v), restored).exitCode()).isZero();
        assertThat(new io.pbx3sbc.routingdb.RoutingDbReader().read(restored).model().domains()).extracting(d -> d.domain())
                .contains("hooli.voip.example.com", "acme.voip.example.com").doesNotContain("orphan.voip.example.com");
    }

    @Test
    @Order(5)
    void anS3OutageShowsAsPublishFailedAndHealsWhenS3IsBack() throws Exception {
        long before = fleet().getStatus().candidateVersion;
        s3.stop();
        client.resources(SipDomain.class).inNamespace(NS).withName("globex").edit(d -> {
            d.getSpec().comment = "Globex, during the outage";
            return d;
        });
        EdgeFleet failed = await("PublishFailed", EdgeFleetReconcilerIT::fleet,
                x -> Reasons.PUBLISH_FAILED.equals(condition(x.getStatus().conditions, Reasons.PUBLISHED).reason));
        assertThat(condition(failed.getStatus().conditions, Reasons.PUBLISHED).message).doesNotContain("\n\tat ");
        assertThat(failed.getStatus().phase).isEqualTo(Reasons.PHASE_DEGRADED);
        assertThat(failed.getStatus().candidateVersion).isEqualTo(before);

        s3.start();
        EdgeFleet healed = await("published after the outage", EdgeFleetReconcilerIT::fleet,
                x -> Long.valueOf(before + 1).equals(x.getStatus().candidateVersion));
        assertThat(condition(healed.getStatus().conditions, Reasons.PUBLISHED).reason).isEqualTo(Reasons.VERSION_PUBLISHED);
        assertThat(client.v1().events().inNamespace(NS).list().getItems()).extracting(Event::getReason)
                .contains(Reasons.PUBLISH_FAILED);
    }

    @Test
    @Order(6)
    void aFleetAskingForAnImageOutsideTheAllowlistOrAnotherFleetsStoreIsRefusedWithAConditionAndRunsNothing()
            throws Exception {
        // The mock API server has no admission policy: the operator's own check is what stands.
        EdgeFleet rogue = SampleResources.load("pbx3sbc_v1alpha1_edgefleet.yaml", EdgeFleet.class).get(0);
        rogue.getMetadata().setName("rogue");
        rogue.getMetadata().setNamespace(NS);
        rogue.getSpec().image = "evil.example/miner:latest";
        rogue.getSpec().store.endpoint = s3.endpoint().toString();
        rogue.getSpec().store.prefix = "rogue/";
        client.resource(rogue).create();
        EdgeFleet refused = await("rogue refused", () -> client.resources(EdgeFleet.class).inNamespace(NS).withName("rogue").get(),
                x -> x.getStatus() != null && condition(x.getStatus().conditions, Reasons.ADMITTED) != null);
        assertThat(condition(refused.getStatus().conditions, Reasons.ADMITTED).reason).isEqualTo(Reasons.IMAGE_NOT_ALLOWED);
        assertThat(condition(refused.getStatus().conditions, Reasons.ADMITTED).message).contains("evil.example/miner:latest");
        assertThat(client.apps().deployments().inNamespace(NS).withName("edge-rogue").get()).isNull();
        assertThat(store.list("")).noneMatch(k -> k.startsWith("fleets/rogue/"));

        // A fleet of the same name in another namespace, given the serving fleet's prefix explicitly: it would
        // overwrite that fleet's pointer and delete its versions.
        EdgeFleet twin = SampleResources.load("pbx3sbc_v1alpha1_edgefleet.yaml", EdgeFleet.class).get(0);
        twin.getMetadata().setNamespace("twin-ns");
        twin.getSpec().store.endpoint = s3.endpoint().toString();
        twin.getSpec().store.prefix = NS + "/";
        client.resource(twin).create();
        EdgeFleet conflicted = await("twin refused", () -> client.resources(EdgeFleet.class).inNamespace("twin-ns").withName("edge").get(),
                x -> x.getStatus() != null && condition(x.getStatus().conditions, Reasons.ADMITTED) != null);
        assertThat(condition(conflicted.getStatus().conditions, Reasons.ADMITTED).reason).isEqualTo(Reasons.STORE_CONFLICT);
    }

    @Test
    @Order(7)
    void aRotationWithNoEdgeIsDoneAtOnceAndAVersionPinnedAfterItIsSignedWithTheNewKey() throws Exception {
        String before = fleet().getStatus().signingKey.keyId;
        client.resources(EdgeFleet.class).inNamespace(NS).withName("edge").edit(f -> {
            f.getSpec().signingKeySecretRef = "routing-signing-key-2";
            return f;
        });
        EdgeFleet rotated = await("rotated", EdgeFleetReconcilerIT::fleet, f -> f.getStatus().signingKey != null
                && !before.equals(f.getStatus().signingKey.keyId) && "None".equals(f.getStatus().signingKey.rotation));
        String newKey = rotated.getStatus().signingKey.keyId;
        assertThat(rotated.getStatus().signingKey.secretName).isEqualTo("routing-signing-key-2");
        var publisher = new VersionPublisher(store, layout);
        // The active and candidate versions were signed again; a retained older one was not.
        long old = publisher.publishedVersions().stream().filter(v -> !v.equals(rotated.getStatus().activeVersion)
                && !v.equals(rotated.getStatus().candidateVersion)).findFirst().orElseThrow();
        assertThat(publisher.manifest(rotated.getStatus().activeVersion).orElseThrow().keyId()).isEqualTo(newKey);
        assertThat(publisher.manifest(old).orElseThrow().keyId()).as("retained version %s", old).isEqualTo(before);

        client.resources(EdgeFleet.class).inNamespace(NS).withName("edge").edit(f -> {
            f.getSpec().promotion.pinnedVersion = old;
            return f;
        });
        await("pinned version signed with the new key", () -> {
            try {
                return publisher.manifest(old).orElseThrow().keyId();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, newKey::equals);
        var trust = client.configMaps().inNamespace(NS).withName(FleetNames.trust(rotated)).get();
        assertThat(SigningKeys.keyId(SigningKeys.decodePublic(trust.getData().get("trusted-keys").strip()))).isEqualTo(newKey);
    }

    @Test
    @Order(8)
    void aFleetWithSourceStatusExceptionsSummarisesABulkOnItsStatusAndStillWritesRefusalsAndChanges() throws Exception {
        Map<String, String> bulkLabel = Map.of("pbx3sbc.io/fleet", "bulk");
        DispatcherSet set = new DispatcherSet();
        set.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("bulk-set").withNamespace(NS)
                .withLabels(bulkLabel).build());
        set.setSpec(new io.pbx3sbc.operator.api.v1alpha1.DispatcherSetSpec());
        set.getSpec().setId = 900;
        var destination = new io.pbx3sbc.operator.api.v1alpha1.DispatcherSetSpec.Destination();
        destination.uri = "sip:10.9.0.1:5060";
        set.getSpec().destinations.add(destination);
        client.resource(set).create();
        int bulk = RoutineSummary.BULK + 1;
        for (int i = 0; i <= bulk; i++) {
            SipDomain d = new SipDomain();
            d.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("bulk-" + i).withNamespace(NS)
                    .withLabels(bulkLabel).build());
            d.setSpec(new SipDomainSpec());
            d.getSpec().domain = "bulk-" + i + ".voip.example.com";
            d.getSpec().dispatcherSetRef = i == bulk ? "no-such-set" : "bulk-set"; // the last one is refused
            client.resource(d).create();
        }
        EdgeFleet fleet = SampleResources.load("pbx3sbc_v1alpha1_edgefleet.yaml", EdgeFleet.class).get(0);
        fleet.getMetadata().setName("bulk");
        fleet.getSpec().domainSelector.setMatchLabels(bulkLabel);
        fleet.getSpec().dispatcherSetSelector.setMatchLabels(bulkLabel);
        fleet.getSpec().store.endpoint = s3.endpoint().toString();
        fleet.getSpec().store.prefix = "bulk/";
        fleet.getSpec().signingKeySecretRef = "bulk-signing-key";
        fleet.getSpec().sourceStatus = io.pbx3sbc.operator.api.v1alpha1.EdgeFleetSpec.SourceStatusMode.Exceptions;
        client.resource(fleet).create();

        Supplier<EdgeFleet> bulkFleet = () -> client.resources(EdgeFleet.class).inNamespace(NS).withName("bulk").get();
        EdgeFleet summarised = await("the bulk summarised on the fleet", bulkFleet,
                f -> f.getStatus() != null && Integer.valueOf(bulk).equals(f.getStatus().sourcesSummarised));
        assertThat(summarised.getStatus().domains).isEqualTo(bulk);
        assertThat(summarised.getStatus().leftOut).isEqualTo(1);
        SipDomain refused = await("the refusal written", () -> domain("bulk-" + bulk), d -> d.getStatus() != null);
        assertThat(condition(refused.getStatus().conditions, Reasons.ACCEPTED).reason).isEqualTo(Reasons.DISPATCHER_SET_NOT_FOUND);
        assertThat(client.resources(DispatcherSet.class).inNamespace(NS).withName("bulk-set").get().getStatus().fleets)
                .as("sets are few and carry health: always written").extracting(f -> f.fleet).containsExactly("bulk");
        assertThat(domain("bulk-0").getStatus()).as("a summarised domain has no write of its own").isNull();

        client.resources(SipDomain.class).inNamespace(NS).withName("bulk-7").edit(d -> {
            d.getSpec().comment = "moved to the new PBX";
            return d;
        });
        SipDomain changed = await("the change written", () -> domain("bulk-7"), d -> d.getStatus() != null);
        assertThat(condition(changed.getStatus().conditions, Reasons.ACCEPTED).status).isEqualTo("True");
        await("the change leaves the summary", bulkFleet, f -> Integer.valueOf(bulk - 1).equals(f.getStatus().sourcesSummarised));
    }
}
