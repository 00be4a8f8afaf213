package io.pbx3sbc.operator.publish;

import io.pbx3sbc.routingdb.ContentHash;
import io.pbx3sbc.routingdb.RoutingDb;
import io.pbx3sbc.routingdb.VersionVerifier;
import io.pbx3sbc.routingdb.compile.ResourceFiles;
import io.pbx3sbc.routingdb.compile.RoutingCompiler;
import io.pbx3sbc.routingdb.compile.RoutingCompiler.Compilation;
import io.pbx3sbc.routingdb.compile.Sources.DomainSource;
import io.pbx3sbc.routingdb.manifest.SigningKeys;
import io.pbx3sbc.routingdb.store.FleetLayout;
import io.pbx3sbc.routingdb.store.ObjectStore;
import io.pbx3sbc.routingdb.store.ObjectStoreException;
import io.pbx3sbc.routingdb.manifest.ReleasePointer;
import io.pbx3sbc.routingdb.manifest.TrustedKeys;
import io.pbx3sbc.routingdb.store.S3ObjectStore;
import io.pbx3sbc.routingdb.store.VersionPublisher;
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
import java.security.KeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The operator's publish step against a real S3 server (S3Proxy) and the real litestream binary:
 * samples are published and restorable, an identical compile publishes nothing, one change makes
 * exactly one version, retention deletes old versions, and an S3 outage fails loudly and changes nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetPublisherIT {
    static final FleetLayout LAYOUT = new FleetLayout("edge");

    @TempDir
    static Path work;
    static S3ProxyServer s3;
    static S3ObjectStore store;
    static KeyPair keys = SigningKeys.generate();
    static FleetPublisher publisher;
    static ReleasePointerWriter pointers;
    static ResourceFiles.Loaded samples;

    @BeforeAll
    static void start() throws Exception {
        s3 = new S3ProxyServer(work).start();
        store = new S3ObjectStore(s3.location("routing", "prod/"));
        store.ensureBucket();
        pointers = new ReleasePointerWriter(store, LAYOUT, keys, 1, new ReleasePointerWriter.Memory(), Clock.systemUTC());
        publisher = new FleetPublisher(store, LAYOUT, keys, work.resolve("build"), Clock.systemUTC(),
                next -> pointers.write(next, List.of()));
        samples = new ResourceFiles().load(List.of(Path.of("../config/samples")));
    }

    @AfterAll
    static void stop() throws Exception {
        store.close();
        s3.stop();
    }

    /** One reconcile's publish: the pointer to build on from the writer, then the publisher. */
    static FleetPublisher.Outcome publish(Compilation compilation, int retained, Long pinned) throws Exception {
        return publisher.publish(compilation, retained, pinned, pointers.current(List.of()).pointer());
    }

    static Compilation compile(List<DomainSource> domains) {
        return new RoutingCompiler().compile(domains, samples.sets());
    }

    /** The samples with one domain's comment changed: new content, same routing. */
    static List<DomainSource> changed(int n) {
        List<DomainSource> out = new ArrayList<>(samples.domains());
        DomainSource d = out.get(0);
        out.set(0, new DomainSource(d.ref(), d.generation() + n, d.createdAt(), d.domain(), d.dispatcherSetRef(),
                d.enabled(), "change " + n, d.rateLimit()));
        return out;
    }

    @Test
    @Order(1)
    void samplesArePublishedSignedAndRestorableByLitestream() throws Exception {
        FleetPublisher.Outcome first = publish(compile(samples.domains()), 3, null);
        assertThat(first.published()).isTrue();
        assertThat(first.plan().nextVersion()).isEqualTo(1);
        assertThat(first.pointer().candidate()).isEqualTo(1L);

        Path restored = work.resolve("restored-1.db");
        var run = Litestream.restore(s3.location("routing", "prod/"), LAYOUT.replicaPath(1), restored);
        assertThat(run.exitCode()).as(run.output()).isZero();
        var manifest = new VersionPublisher(store, LAYOUT).manifest(1).orElseThrow();
        RoutingDb db = new VersionVerifier(keys.getPublic()).verify(restored, manifest);
        assertThat(db.contentSha256()).isEqualTo(first.contentSha256());
        assertThat(db.model().domains()).hasSize(4);
    }

    @Test
    @Order(2)
    void anIdenticalCompilePublishesNothingAndOneChangeExactlyOneVersion() throws Exception {
        assertThat(publish(compile(samples.domains()), 3, null).published()).isFalse();
        assertThat(new VersionPublisher(store, LAYOUT).publishedVersions()).containsExactly(1L);

        FleetPublisher.Outcome second = publish(compile(changed(1)), 3, null);
        assertThat(second.published()).isTrue();
        assertThat(new VersionPublisher(store, LAYOUT).publishedVersions()).containsExactly(1L, 2L);
        assertThat(second.contentSha256()).isEqualTo(ContentHash.of(compile(changed(1)).model()));
        assertThat(publish(compile(changed(1)), 3, null).published()).isFalse();

        // Version 2 was patched from version 1's file (the publisher keeps it): litestream restores it and it
        // verifies, holding exactly the changed content.
        Path restored = work.resolve("restored-2.db");
        var run = Litestream.restore(s3.location("routing", "prod/"), LAYOUT.replicaPath(2), restored);
        assertThat(run.exitCode()).as(run.output()).isZero();
        RoutingDb db = new VersionVerifier(keys.getPublic()).verify(restored,
                new VersionPublisher(store, LAYOUT).manifest(2).orElseThrow());
        assertThat(db.model()).isEqualTo(compile(changed(1)).model());
    }

    @Test
    @Order(3)
    void retentionKeepsTheNewestVersionsAndThePinnedOne() throws Exception {
        for (int n = 2; n <= 5; n++) {
            publish(compile(changed(n)), 10, null);
        }
        // versions 1..6 published. Pinning 1 (a rollback) publishes nothing new, and retention keeps the
        // newest 3 (4, 5, 6) and the pinned 1.
        assertThat(publish(compile(changed(5)), 3, 1L).published()).isFalse();
        assertThat(new VersionPublisher(store, LAYOUT).publishedVersions()).containsExactly(1L, 4L, 5L, 6L);
    }

    @Test
    @Order(4)
    void anS3OutageFailsWithACauseAndPublishesOnceS3IsBack() throws Exception {
        s3.stop();
        assertThatThrownBy(() -> publish(compile(changed(9)), 3, null))
                .isInstanceOf(ObjectStoreException.class)
                .hasMessageContaining("127.0.0.1:" + s3.port());
        s3.start();
        FleetPublisher.Outcome back = publish(compile(changed(9)), 3, null);
        assertThat(back.published()).isTrue();
        assertThat(back.plan().nextVersion()).isEqualTo(7);
    }

    @Test
    @Order(5)
    void everyPointerIsSignedWithAGrowingSequenceAndAReplacedPointerIsNotBuiltOn() throws Exception {
        ReleasePointer before = ReleasePointer.fromJson(store.get(LAYOUT.releasePointer()).orElseThrow());
        assertThat(SigningKeys.verify(before, TrustedKeys.of(keys.getPublic()))).isTrue();
        FleetPublisher.Outcome next = publish(compile(changed(10)), 3, null);
        assertThat(next.pointer().sequence()).isEqualTo(before.sequence() + 1);

        // A bucket writer without the key puts back an unsigned pointer naming an old version.
        store.put(LAYOUT.releasePointer(), new ReleasePointer("edge", 1L, null, List.of(), java.time.Instant.now())
                .withOrder(1_000, 1).toJson(), "application/json");
        ReleasePointerWriter.Base base = pointers.current(List.of());
        assertThat(base.distrusted()).contains("not signed by this fleet's key");
        assertThat(base.pointer()).as("the pointer this operator wrote last").isEqualTo(next.pointer());

        // The same with a validly signed but older pointer (a replay).
        store.put(LAYOUT.releasePointer(), before.toJson(), "application/json");
        assertThat(pointers.current(List.of()).distrusted()).contains("replay");
    }

    @Test
    @Order(6)
    void aPointerWriteOnAStaleReadIsRefusedWhereTheStoreHasConditionalWrites() throws Exception {
        ReleasePointerWriter.Base base = pointers.current(List.of());
        // Someone else writes in between (a second operator that believes it leads).
        ReleasePointerWriter other = new ReleasePointerWriter(store, LAYOUT, keys, 2, new ReleasePointerWriter.Memory(),
                Clock.systemUTC());
        other.current(List.of());
        other.write(base.pointer(), List.of());
        try {
            pointers.write(base.pointer(), List.of());
            System.out.println("S3Proxy ignores If-Match on PUT: fencing rests on the epoch edges check");
        } catch (ObjectStore.PreconditionFailed expected) {
            assertThat(expected).hasMessageContaining("changed since it was read");
        }
    }

    @Test
    @Order(7)
    void aFailedCandidateTheOperatorNeverPublishedDoesNotStopPublishing() throws Exception {
        // Someone else proposed version 999, which failed: its history entry has no content hash.
        ReleasePointer base = pointers.current(List.of()).pointer();
        List<ReleasePointer.HistoryEntry> history = new ArrayList<>(base.history());
        history.add(new ReleasePointer.HistoryEntry(999, null, "failed: rejected by edge-1", java.time.Instant.now()));
        ReleasePointer withForeignFailure = pointers.write(base.with(base.active(), null, history, java.time.Instant.now()),
                List.of());
        FleetPublisher.Outcome next = publisher.publish(compile(changed(30)), 3, null, withForeignFailure);
        assertThat(next.published()).isTrue();
    }

    @Test
    @Order(8)
    void aLeaderContinuesAfterAWriterOfANewerTermWithoutFallingBehindIt() throws Exception {
        ReleasePointerWriter newer = new ReleasePointerWriter(store, LAYOUT, keys, 5_000, new ReleasePointerWriter.Memory(),
                Clock.systemUTC());
        ReleasePointer byNewer = newer.write(newer.current(List.of()).pointer(), List.of());
        ReleasePointer base = pointers.current(List.of()).pointer();
        assertThat(base).isEqualTo(byNewer);
        ReleasePointer ours = pointers.write(base, List.of());
        assertThat(ours.olderThan(byNewer.epoch(), byNewer.sequence())).isFalse();
        assertThat(ours.epoch()).isEqualTo(5_000);
        assertThat(ours.sequence()).isEqualTo(byNewer.sequence() + 1);
    }

    @Test
    @Order(9)
    void aDistrustedPointerIsReplacedByTheNewestTrustedOneNotByThisOperatorsOwnOlderWrite() throws Exception {
        // This operator wrote a pointer; another operator that believes it leads then moved the fleet on
        // (a newer active version), and this operator read that.
        ReleasePointer ours = pointers.write(pointers.current(List.of()).pointer(), List.of());
        ReleasePointerWriter other = new ReleasePointerWriter(store, LAYOUT, keys, 9_000, new ReleasePointerWriter.Memory(),
                Clock.systemUTC());
        ReleasePointer base = other.current(List.of()).pointer();
        ReleasePointer movedOn = other.write(base.with(4242L, null, base.history(), java.time.Instant.now()), List.of());
        assertThat(pointers.current(List.of()).pointer()).isEqualTo(movedOn);

        // A replay of this operator's own older pointer appears in the store.
        store.put(LAYOUT.releasePointer(), ours.toJson(), "application/json");
        ReleasePointerWriter.Base after = pointers.current(List.of());
        assertThat(after.distrusted()).contains("replay");
        assertThat(after.pointer().active()).as("not rolled back to what this operator wrote last").isEqualTo(4242L);
        assertThat(pointers.write(after.pointer(), List.of()).olderThan(movedOn.epoch(), movedOn.sequence())).isFalse();
    }

    @Test
    @Order(10)
    void twoWritersCannotShareAVersionNumber() throws Exception {
        ReleasePointer base = pointers.current(List.of()).pointer();
        long taken = new VersionPublisher(store, LAYOUT).takenVersions().last() + 1;
        // Another operator claims the next number between this one's listing and its claim: the listing
        // (a proxy over the store) does not show that claim yet.
        store.putIfMatch(LAYOUT.versionClaim(taken), "other".getBytes(java.nio.charset.StandardCharsets.UTF_8), "text/plain", null);
        ObjectStore lateListing = (ObjectStore) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ObjectStore.class}, (proxy, method, args) -> {
                    try {
                        Object out = method.invoke(store, args);
                        if (method.getName().equals("list")) {
                            return ((List<?>) out).stream().filter(k -> !k.equals(LAYOUT.versionClaim(taken))).toList();
                        }
                        return out;
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        FleetPublisher racing = new FleetPublisher(lateListing, LAYOUT, keys, work.resolve("build"), Clock.systemUTC(),
                next -> pointers.write(next, List.of()));
        assertThatThrownBy(() -> racing.publish(compile(changed(40)), 3, null, base))
                .as("the claim is create-only: the second writer backs off")
                .isInstanceOf(VersionPublisher.VersionExistsException.class);
        assertThat(store.get(LAYOUT.manifest(taken))).as("nothing of the loser under the winner's number").isEmpty();
        // Had that writer failed half way, its number stays taken: the next publish goes above it.
        FleetPublisher.Outcome next = publisher.publish(compile(changed(41)), 3, null, pointers.current(List.of()).pointer());
        assertThat(next.version()).isEqualTo(taken + 1);
    }

    @Test
    @Order(11)
    void edgeReportsAreListedOnceAndOnlyTheChangedOnesFetchedAgain() throws Exception {
        java.util.concurrent.atomic.AtomicInteger gets = new java.util.concurrent.atomic.AtomicInteger();
        ObjectStore counting = (ObjectStore) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ObjectStore.class}, (proxy, method, args) -> {
                    if (method.getName().startsWith("get")) {
                        gets.incrementAndGet();
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        for (int e = 1; e <= 3; e++) {
            store.put(LAYOUT.edgeReport("edge-" + e), new io.pbx3sbc.routingdb.manifest.EdgeReport("edge-" + e, 1L, null,
                    "active", null, null, java.time.Instant.now()).toJson(), "application/json");
        }
        FleetPromoter promoter = new FleetPromoter(counting, LAYOUT, Clock.systemUTC(), new FleetPromoter.ReportCache());
        assertThat(promoter.reports()).hasSize(3);
        assertThat(gets).hasValue(3);
        assertThat(promoter.reports()).as("unchanged: from the listing alone").hasSize(3);
        assertThat(gets).hasValue(3);
        store.put(LAYOUT.edgeReport("edge-2"), new io.pbx3sbc.routingdb.manifest.EdgeReport("edge-2", 1L, 2L,
                "staged", null, null, java.time.Instant.now()).toJson(), "application/json");
        assertThat(promoter.reports()).filteredOn(r -> r.edgeId().equals("edge-2")).singleElement()
                .satisfies(r -> assertThat(r.stagedVersion()).isEqualTo(2L));
        assertThat(gets).as("only the changed report fetched").hasValue(4);
        store.delete(LAYOUT.edgeReport("edge-3"));
        assertThat(promoter.reports()).extracting(io.pbx3sbc.routingdb.manifest.EdgeReport::edgeId)
                .containsExactly("edge-1", "edge-2");

        // A nudge answer offers the report as the edge wrote it: taken without a GET when its MD5 is the
        // listed ETag; a report that does not match what is stored (stale, or a lie) is read from the store.
        FleetPromoter.ReportCache cache = new FleetPromoter.ReportCache();
        FleetPromoter offered = new FleetPromoter(counting, LAYOUT, Clock.systemUTC(), cache);
        byte[] staged = new io.pbx3sbc.routingdb.manifest.EdgeReport("edge-1", 1L, 3L, "staged", null, null,
                java.time.Instant.now()).toJson();
        store.put(LAYOUT.edgeReport("edge-1"), staged, "application/json");
        cache.offer(LAYOUT.edgeReport("edge-1"), staged);
        cache.offer(LAYOUT.edgeReport("edge-2"), new io.pbx3sbc.routingdb.manifest.EdgeReport("edge-2", 1L, 9L, "staged",
                null, null, java.time.Instant.now()).toJson());
        int before = gets.get();
        assertThat(offered.reports()).extracting(io.pbx3sbc.routingdb.manifest.EdgeReport::stagedVersion)
                .containsExactly(3L, 2L);
        assertThat(gets.get() - before).as("edge-1 from its answer, edge-2 (offer not what is stored) read").isEqualTo(1);
    }
}
