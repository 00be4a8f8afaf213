package io.pbx3sbc.edge.update;

import io.pbx3sbc.edge.routing.ActiveTable;
import io.pbx3sbc.routingdb.RoutingDbBuilder;
import io.pbx3sbc.routingdb.VersionVerifier;
import io.pbx3sbc.routingdb.manifest.EdgeReport;
import io.pbx3sbc.routingdb.manifest.Manifest;
import io.pbx3sbc.routingdb.manifest.ReleasePointer;
import io.pbx3sbc.routingdb.manifest.SigningKeys;
import io.pbx3sbc.routingdb.manifest.TrustedKeys;
import io.pbx3sbc.routingdb.model.RoutingModel;
import io.pbx3sbc.routingdb.testing.Fixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The edge's staging, swap, rejection and last-known-good logic against an in-memory store. */
class RoutingUpdaterTest {
    static final KeyPair KEYS = SigningKeys.generate();

    @TempDir
    Path tmp;
    FakeSource source;
    ActiveTable tables;

    /** Versions as files; the pointer; what the edge reported; a switch that makes the store unreachable. */
    static final class FakeSource implements VersionSource {
        final Map<Long, Path> files = new HashMap<>();
        final Map<Long, Manifest> manifests = new HashMap<>();
        final List<EdgeReport> reports = new ArrayList<>();
        ReleasePointer pointer;
        long sequence;
        boolean changed;
        boolean down;

        /** What the operator does: a new pointer, one sequence higher, signed with the fleet's key. */
        ReleasePointer point(Long active, Long candidate) {
            return put(SigningKeys.sign(new ReleasePointer("edge", active, candidate, List.of(), Instant.now())
                    .withOrder(++sequence, 1), KEYS));
        }

        /** What a bucket writer does: any bytes it likes as the pointer. */
        ReleasePointer put(ReleasePointer p) {
            pointer = p;
            changed = true;
            return p;
        }

        @Override
        public Optional<ReleasePointer> pointerIfChanged() throws IOException {
            if (down) {
                throw new IOException("store unreachable");
            }
            boolean c = changed;
            changed = false;
            return c ? Optional.ofNullable(pointer) : Optional.empty();
        }

        @Override
        public Manifest manifest(long version) throws IOException {
            if (down) {
                throw new IOException("store unreachable");
            }
            Manifest m = manifests.get(version);
            if (m == null) {
                throw new IOException("version " + version + " has no manifest in the store");
            }
            return m;
        }

        @Override
        public void restore(long version, Path target) throws IOException {
            Files.copy(files.get(version), target, StandardCopyOption.REPLACE_EXISTING);
        }

        @Override
        public void report(EdgeReport report) throws IOException {
            if (down) {
                throw new IOException("store unreachable");
            }
            reports.add(report);
        }

        EdgeReport last() {
            return reports.get(reports.size() - 1);
        }
    }

    @BeforeEach
    void setUp() {
        source = new FakeSource();
        tables = new ActiveTable();
    }

    void publish(long version, RoutingModel model) throws Exception {
        var info = Fixtures.version(version);
        var built = new RoutingDbBuilder().build(model, info, tmp.resolve("published-" + version + ".db"));
        source.files.put(version, built.file());
        source.manifests.put(version, SigningKeys.sign(VersionVerifier.manifestFor(built, info), KEYS));
    }

    RoutingUpdater updater(Path dataDir) throws IOException {
        return new RoutingUpdater(source, tables, TrustedKeys.of(KEYS.getPublic()), "edge", dataDir, "edge-a",
                Duration.ofSeconds(5), Clock.systemUTC());
    }

    @Test
    void startsOnTheActiveVersionThenStagesTheCandidateAndSwapsWhenItIsPromoted() throws Exception {
        publish(1, Fixtures.twoTenants());
        source.point(1L, null);
        RoutingUpdater u = updater(tmp.resolve("data"));
        u.start();
        assertThat(tables.current().version()).isEqualTo(1);
        assertThat(u.notReadyReason()).isNull();

        publish(2, Fixtures.large(50, 4, 2));
        source.point(1L, 2L);
        u.tick();
        assertThat(tables.current().version()).as("staged, not active").isEqualTo(1);
        assertThat(u.stagedVersion()).isEqualTo(2);
        assertThat(source.last().state()).isEqualTo("staged");
        assertThat(source.last().stagedVersion()).isEqualTo(2);

        source.point(2L, null);
        u.tick();
        assertThat(tables.current().version()).isEqualTo(2);
        assertThat(tables.previous().orElseThrow().version()).as("kept for rollback").isEqualTo(1);
        assertThat(source.last().activeVersion()).isEqualTo(2);
        assertThat(source.last().state()).isEqualTo("active");
    }

    @Test
    void aTamperedCandidateIsRejectedWithTheReasonAndNeverActivated() throws Exception {
        publish(1, Fixtures.twoTenants());
        source.point(1L, null);
        RoutingUpdater u = updater(tmp.resolve("data"));
        u.start();
        publish(2, Fixtures.large(20, 2, 1));
        Manifest m = source.manifests.get(2L);
        source.manifests.put(2L, new Manifest(m.fleet(), m.version(), m.schemaVersion(), "0".repeat(64), m.counts(),
                m.createdAt(), m.sourceGenerations(), m.keyId(), m.signature()));
        source.point(1L, 2L);
        u.tick();
        assertThat(u.rejectedVersion()).isEqualTo(2);
        assertThat(u.rejectionReason()).contains("signature");
        assertThat(source.last().state()).isEqualTo("rejected");

        source.point(2L, null); // even if it were promoted
        u.tick();
        assertThat(tables.current().version()).isEqualTo(1);
    }

    @Test
    void aRestartWithTheStoreDownServesTheLastKnownGoodCopy() throws Exception {
        publish(3, Fixtures.twoTenants());
        source.point(3L, null);
        Path data = tmp.resolve("data");
        updater(data).start();

        source.down = true;
        tables = new ActiveTable();
        RoutingUpdater restarted = updater(data);
        restarted.start();
        assertThat(tables.current().version()).isEqualTo(3);
        assertThat(restarted.notReadyReason()).isNull();
        restarted.tick(); // polling fails quietly; still routing
        assertThat(tables.current().version()).isEqualTo(3);
        assertThat(restarted.lastError()).contains("unreachable");
    }

    @Test
    void withNoStoreAndNoCopyItStaysNotReadyAndSaysWhy() throws Exception {
        source.down = true;
        RoutingUpdater u = updater(tmp.resolve("empty"));
        u.start();
        assertThat(tables.current()).isNull();
        assertThat(u.notReadyReason()).contains("store unreachable").contains("no last known good copy");
    }

    @Test
    void aTamperedLastKnownGoodCopyIsNotServed() throws Exception {
        publish(1, Fixtures.twoTenants());
        source.point(1L, null);
        Path data = tmp.resolve("data");
        updater(data).start();
        Files.writeString(data.resolve("last-known-good/1/manifest.json"),
                Files.readString(data.resolve("last-known-good/1/manifest.json")).replace("\"version\":1", "\"version\":7"));
        source.down = true;
        tables = new ActiveTable();
        RoutingUpdater u = updater(data);
        u.start();
        assertThat(tables.current()).isNull();
        assertThat(u.notReadyReason()).contains("fails verification");
    }

    @Test
    void aReplayedOlderPointerIsRefusedEvenAfterARestart() throws Exception {
        publish(1, Fixtures.twoTenants());
        publish(2, Fixtures.large(20, 2, 1));
        ReleasePointer old = source.point(1L, null);
        Path data = tmp.resolve("data");
        RoutingUpdater u = updater(data);
        u.start();
        source.point(2L, null);
        u.tick();
        assertThat(tables.current().version()).isEqualTo(2);

        source.put(old); // a bucket writer puts back the old, validly signed pointer
        u.tick();
        assertThat(tables.current().version()).as("no rollback by replay").isEqualTo(2);
        assertThat(u.pointerRefusal()).contains("older than the accepted").contains("rollback refused");
        assertThat(source.last().pointerRefused()).contains("rollback refused");
        assertThat(source.last().pointerSequence()).isEqualTo(2);

        tables = new ActiveTable();
        source.changed = true; // a new process has no ETag: it reads the pointer
        RoutingUpdater restarted = updater(data);
        restarted.start();
        assertThat(tables.current()).as("the restarted edge refuses it too and serves its last known good copy")
                .isNotNull().extracting(t -> t.version()).isEqualTo(2L);
        assertThat(restarted.pointerRefusal()).contains("rollback refused");

        source.point(2L, null); // the operator's next pointer is accepted again
        restarted.tick();
        assertThat(restarted.pointerRefusal()).isNull();
    }

    @Test
    void aPointerOfAnotherFleetOrUnsignedOrSignedByAnotherKeyIsRefused() throws Exception {
        publish(1, Fixtures.twoTenants());
        publish(2, Fixtures.large(20, 2, 1));
        source.point(1L, null);
        RoutingUpdater u = updater(tmp.resolve("data"));
        u.start();

        source.put(SigningKeys.sign(new ReleasePointer("other", 2L, null, List.of(), Instant.now()).withOrder(99, 1), KEYS));
        u.tick();
        assertThat(u.pointerRefusal()).contains("of fleet other");
        source.put(new ReleasePointer("edge", 2L, null, List.of(), Instant.now()).withOrder(99, 1));
        u.tick();
        assertThat(u.pointerRefusal()).contains("not signed by a trusted key");
        source.put(SigningKeys.sign(new ReleasePointer("edge", 2L, null, List.of(), Instant.now()).withOrder(99, 1),
                SigningKeys.generate()));
        u.tick();
        assertThat(u.pointerRefusal()).contains("not signed by a trusted key");
        assertThat(tables.current().version()).isEqualTo(1);
    }

    @Test
    void aManifestStoredUnderAnotherVersionNumberIsRejected() throws Exception {
        publish(1, Fixtures.twoTenants());
        source.point(1L, null);
        RoutingUpdater u = updater(tmp.resolve("data"));
        u.start();
        publish(2, Fixtures.large(20, 2, 1));
        // Version 2's genuine file and signed manifest, copied by a bucket writer under number 5.
        source.files.put(5L, source.files.get(2L));
        source.manifests.put(5L, source.manifests.get(2L));
        source.point(1L, 5L);
        u.tick();
        assertThat(u.rejectedVersion()).isEqualTo(5);
        assertThat(u.rejectionReason()).contains("stored as version 5").contains("signs version 2");
        assertThat(tables.current().version()).isEqualTo(1);
    }

    @Test
    void aPointerNamingAMissingVersionNeverCostsTheActiveTableAndAMissingCandidateIsRejected() throws Exception {
        publish(1, Fixtures.twoTenants());
        source.point(1L, null);
        RoutingUpdater u = updater(tmp.resolve("data"));
        u.start();
        source.point(9L, null);
        for (int i = 0; i < RoutingUpdater.RESTORE_ATTEMPTS + 2; i++) {
            u.tick();
        }
        assertThat(tables.current().version()).isEqualTo(1);
        assertThat(u.rejectedVersion()).as("the pointer's active version is retried, not rejected").isNull();
        assertThat(u.lastError()).contains("version 9 has no manifest");

        source.point(1L, 8L);
        for (int i = 0; i < RoutingUpdater.RESTORE_ATTEMPTS; i++) {
            u.tick();
        }
        assertThat(u.rejectedVersion()).isEqualTo(8);
        assertThat(source.last().state()).isEqualTo("rejected");
    }

    @Test
    void aStoreOutageWhileSwitchingNeverRejectsTheActiveVersion() throws Exception {
        publish(1, Fixtures.twoTenants());
        publish(2, Fixtures.large(20, 2, 1));
        source.point(1L, null);
        RoutingUpdater u = updater(tmp.resolve("data"));
        u.start();
        source.point(2L, null);
        source.manifests.remove(2L); // the store loses it for a while
        for (int i = 0; i < RoutingUpdater.RESTORE_ATTEMPTS * 2; i++) {
            u.tick();
        }
        publish(2, Fixtures.large(20, 2, 1)); // and has it again
        u.tick();
        assertThat(tables.current().version()).isEqualTo(2);
        assertThat(u.rejectedVersion()).isNull();
    }
}
