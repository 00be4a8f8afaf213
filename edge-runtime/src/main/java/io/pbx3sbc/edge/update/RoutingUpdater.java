package io.pbx3sbc.edge.update;

import io.pbx3sbc.edge.routing.ActiveTable;
import io.pbx3sbc.edge.routing.RoutingTable;
import io.pbx3sbc.edge.routing.Tenant;
import io.pbx3sbc.routingdb.InvalidRoutingDbException;
import io.pbx3sbc.routingdb.RoutingDb;
import io.pbx3sbc.routingdb.VersionVerifier;
import io.pbx3sbc.routingdb.manifest.EdgeReport;
import io.pbx3sbc.routingdb.manifest.Manifest;
import io.pbx3sbc.routingdb.manifest.ReleasePointer;
import io.pbx3sbc.routingdb.manifest.TrustedKeys;
import io.pbx3sbc.routingdb.model.Domain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The edge's side of blue/green routing versions. Each {@link #tick()} (every poll interval, on one
 * thread):
 * <ol>
 *   <li>reads the release pointer if it changed (a conditional GET);</li>
 *   <li>when the pointer's active version is not ours, activates it: the staged one with one reference
 *       write, or (rollback, late join) stages it first;</li>
 *   <li>stages a new candidate next to the active table: restore with litestream, verify (signature,
 *       content hash, integrity, schema), load, self-test lookups; or rejects it with the reason;</li>
 *   <li>reports {@code staged}, {@code rejected} or {@code active} to the fleet, and heartbeats while idle.</li>
 * </ol>
 * Whatever S3, the operator or a candidate does, the active table keeps routing. Every activated version
 * is kept in the state directory with its manifest as the last known good copy ({@link LastKnownGood}),
 * which a restart uses when S3 cannot be reached; during a key rotation the copy takes the re-signed
 * manifest.
 *
 * <p>Trust: a pointer steers the edge only when {@link PointerGuard} accepts it (signed, this fleet's,
 * not older than the last accepted); a version is served only when its manifest is signed by a trusted
 * key and names the version and fleet it was fetched as. Rejection is per version and only for what a
 * version is (it fails verification, or its restore keeps failing while it is a candidate): a store
 * that is down never gets the pointer's active version rejected, it is retried at every poll.
 *
 * <p>One thread runs {@link #start()} and {@link #tick()}; the admin port reads the state through
 * volatile fields and never waits for a restore in progress.
 */
public final class RoutingUpdater {
    private static final Logger LOG = LoggerFactory.getLogger(RoutingUpdater.class);
    private static final int SELF_TEST_LOOKUPS = 1000;
    /** A candidate whose restore fails this many times in a row (litestream or the store) is rejected. */
    static final int RESTORE_ATTEMPTS = 3;
    /** Rejections remembered (newest last); older ones may be tried again if a pointer names them. */
    static final int REJECTIONS_KEPT = 20;

    /** @param timing where the staging time went, for the log (restore, then verify and load) */
    private record Staged(long version, RoutingTable table, Path file, Manifest manifest, String timing) {
    }

    private final VersionSource source;
    private final ActiveTable tables;
    private final java.util.function.Supplier<TrustedKeys> trust;
    private final PointerGuard guard;
    private final LastKnownGood lastKnownGood;
    private final String fleet;
    private final Path dataDir;
    private final String edgeId;
    private final Duration heartbeat;
    private final Clock clock;
    private final Supplier<List<EdgeReport.DestinationHealth>> destinations;
    /** Where this edge takes nudges, carried by its reports; null when it takes none. */
    private volatile String nudgeAddress;

    // Owned by the updater thread.
    private ReleasePointer pointer;
    private Staged staged;
    private final Map<Long, String> rejections = new LinkedHashMap<>();
    private final Map<Long, Integer> restoreFailures = new LinkedHashMap<>();
    private EdgeReport lastReport;
    private Instant lastReportAt = Instant.EPOCH;
    private Instant nextSignatureCheck = Instant.EPOCH;
    private volatile String lastKnownGoodKeyId;

    // Read by the admin port without locking.
    private volatile Long stagedVersion;
    private volatile Long rejectedVersion;
    private volatile String rejectionReason;
    private volatile String notReadyReason = "no routing version loaded yet";
    private volatile String lastError;
    private volatile String pointerRefusal;
    private volatile boolean candidatePending;

    public RoutingUpdater(VersionSource source, ActiveTable tables, TrustedKeys trusted, String fleet, Path dataDir,
                          String edgeId, Duration heartbeat, Clock clock) throws IOException {
        this(source, tables, TrustSource.fixed(trusted), fleet, dataDir, dataDir, edgeId, heartbeat, clock, List::of);
    }

    /**
     * @param dataDir      restored versions (scratch, may go with the pod)
     * @param stateDir     the last known good copy and the newest accepted pointer (durable when the fleet says so)
     * @param destinations how this edge sees the destinations of its active table, carried by its reports
     */
    public RoutingUpdater(VersionSource source, ActiveTable tables, Supplier<TrustedKeys> trust, String fleet, Path dataDir,
                          Path stateDir, String edgeId, Duration heartbeat, Clock clock,
                          Supplier<List<EdgeReport.DestinationHealth>> destinations) throws IOException {
        this.source = Objects.requireNonNull(source);
        this.tables = Objects.requireNonNull(tables);
        this.trust = Objects.requireNonNull(trust, "trust");
        this.fleet = Objects.requireNonNull(fleet);
        this.dataDir = dataDir;
        Files.createDirectories(dataDir);
        Files.createDirectories(stateDir);
        this.guard = new PointerGuard(fleet, trust, stateDir);
        this.lastKnownGood = new LastKnownGood(stateDir, edgeId);
        this.edgeId = edgeId;
        this.heartbeat = heartbeat;
        this.clock = clock;
        this.destinations = Objects.requireNonNull(destinations);
    }

    /**
     * Start: the pointer's active version from S3, else the last known good copy. Returns normally either
     * way; {@link #notReadyReason()} says why there is no table when there is none.
     */
    public synchronized void start() throws InterruptedException {
        try {
            Files.createDirectories(dataDir.resolve("versions"));
            Optional<ReleasePointer> p = readPointer();
            if (p.isEmpty()) {
                String why = pointerRefusal != null ? pointerRefusal : "the fleet has no release pointer yet (nothing published)";
                notReadyReason = why;
                loadLastKnownGood(why);
                return;
            }
            pointer = p.get();
            if (pointer.active() == null) {
                notReadyReason = "no routing version has been promoted yet";
                loadLastKnownGood("no version is active yet");
            } else {
                activate(stage(pointer.active()));
            }
        } catch (IOException | InvalidRoutingDbException e) {
            lastError = e.getMessage();
            LOG.warn("cannot load the active routing version from the store: {}", e.getMessage());
            loadLastKnownGood(e.getMessage());
        }
        reportIfChanged(true);
    }

    /** One poll; never throws for store or version trouble (the active table keeps routing). */
    public synchronized void tick() throws InterruptedException {
        try {
            readPointer().ifPresent(p -> pointer = p);
            lastError = null;
        } catch (IOException e) {
            if (lastError == null) {
                LOG.warn("release pointer unreachable, routing on version {}: {}", activeVersion(), e.getMessage());
            }
            lastError = e.getMessage();
            return;
        }
        if (pointer == null) {
            return;
        }
        Long wanted = pointer.active();
        if (wanted != null && !wanted.equals(activeVersion()) && !rejections.containsKey(wanted)) {
            try {
                activate(staged != null && staged.version == wanted ? staged : stage(wanted));
            } catch (InvalidRoutingDbException e) {
                reject(wanted, e.getMessage());
            } catch (IOException e) {
                failed(wanted, e, false); // the fleet's active version: retried, never rejected for the store's sake
            }
        }
        refreshLastKnownGoodSignature();
        Long candidate = pointer.candidate();
        if (candidate != null && !candidate.equals(activeVersion()) && !rejections.containsKey(candidate)
                && (staged == null || staged.version != candidate)) {
            try {
                setStaged(stage(candidate));
                LOG.info("staged routing version {} next to active version {} ({} domains; {})", candidate, activeVersion(),
                        staged.table.tenantCount(), staged.timing);
            } catch (InvalidRoutingDbException e) {
                reject(candidate, e.getMessage());
            } catch (IOException e) {
                failed(candidate, e, true);
            }
        }
        candidatePending = candidate != null && !candidate.equals(activeVersion()) && !rejections.containsKey(candidate);
        reportIfChanged(false);
    }

    /**
     * Between polls: a report when what it says changed (a destination up or down, its dialogs reaching
     * zero: what a drain waits for) or the heartbeat is due. Reads nothing from the store.
     */
    public synchronized void reportChanges() {
        if (lastReport != null) {
            reportIfChanged(false);
        }
    }

    /**
     * Whether the pointer names a candidate this edge neither serves nor rejected: staged and waiting for
     * its promotion, or its restore failed and is tried again.
     */
    public boolean candidatePending() {
        return candidatePending;
    }

    /** Verification with the keys trusted now (they change during a key rotation). */
    private VersionVerifier verifier() {
        return new VersionVerifier(trust.get());
    }

    /** A new pointer the guard accepts; empty when unchanged, absent or refused (the refusal is kept and logged once). */
    private Optional<ReleasePointer> readPointer() throws IOException {
        Optional<ReleasePointer> p = source.pointerIfChanged();
        if (p.isEmpty()) {
            return p;
        }
        try {
            guard.accept(p.get());
            if (pointerRefusal != null) {
                LOG.info("release pointer accepted again (epoch {}, sequence {})", p.get().epoch(), p.get().sequence());
            }
            pointerRefusal = null;
            return p;
        } catch (PointerGuard.RefusedPointer e) {
            if (!e.getMessage().equals(pointerRefusal)) {
                LOG.warn("refused the release pointer, staying on version {}: {}", activeVersion(), e.getMessage());
            }
            pointerRefusal = e.getMessage();
            return Optional.empty();
        }
    }

    /**
     * During a key rotation the operator re-signs the active version's manifest with the new key, then
     * signs the pointer with it. The last known good copy takes the fresh manifest (after verifying the
     * copy with it), so it still verifies once the old key is no longer trusted.
     */
    private void refreshLastKnownGoodSignature() {
        Long active = activeVersion();
        if (active == null || pointer.keyId() == null || !active.equals(pointer.active())
                || pointer.keyId().equals(lastKnownGoodKeyId) || clock.instant().isBefore(nextSignatureCheck)) {
            return;
        }
        nextSignatureCheck = clock.instant().plusSeconds(10);
        try {
            Manifest fresh = source.manifest(active);
            if (!pointer.keyId().equals(fresh.keyId())) {
                return; // not re-signed (yet)
            }
            Path copy = lastKnownGood.refreshManifest(active, fresh, m -> verifier().verify(m.file(), m.manifest(), fleet, active));
            if (copy != null) {
                lastKnownGoodKeyId = fresh.keyId();
                LOG.info("last known good copy of version {} now signed by key {}", active, fresh.keyId());
            }
        } catch (IOException | InvalidRoutingDbException e) {
            LOG.warn("cannot refresh the signature of the last known good copy of version {}: {}", active, e.getMessage());
        }
    }

    private Staged stage(long version) throws IOException, InvalidRoutingDbException, InterruptedException {
        long started = System.nanoTime();
        Manifest manifest = source.manifest(version);
        Path file = dataDir.resolve("versions").resolve(version + ".db");
        Files.deleteIfExists(file);
        source.restore(version, file);
        long restored = System.nanoTime();
        try {
            RoutingDb db = verifier().verify(file, manifest, fleet, version);
            RoutingTable table = RoutingTable.from(db);
            selfTest(table, db.model().domains());
            return new Staged(version, table, file, manifest, "manifest and restore %d ms, verify and load %d ms".formatted(
                    (restored - started) / 1_000_000, (System.nanoTime() - restored) / 1_000_000));
        } catch (InvalidRoutingDbException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e instanceof InvalidRoutingDbException i ? i : new InvalidRoutingDbException("cannot load: " + e.getMessage());
        }
    }

    /** Every domain (up to a sample) must resolve in the loaded table to the set the database names. */
    static void selfTest(RoutingTable table, List<Domain> domains) throws InvalidRoutingDbException {
        int step = Math.max(1, domains.size() / SELF_TEST_LOOKUPS);
        for (int i = 0; i < domains.size(); i += step) {
            Domain d = domains.get(i);
            Tenant t = table.tenant(d.domain());
            if (t == null || t.setId() != d.setId()) {
                throw new InvalidRoutingDbException("self-test lookup of " + d.domain() + " gave "
                        + (t == null ? "nothing" : "set " + t.setId()) + " instead of set " + d.setId());
            }
        }
    }

    private void activate(Staged s) throws IOException {
        boolean changed = tables.activate(s.table);
        if (changed) {
            LOG.info("routing version {} active ({} domains); version {} kept for rollback", s.version,
                    s.table.tenantCount(), tables.previous().map(RoutingTable::version).orElse(null));
        }
        saveLastKnownGood(s);
        if (staged != null && staged.version == s.version) {
            setStaged(null);
        }
        restoreFailures.remove(s.version);
        notReadyReason = null;
        deleteOldFiles(s.version);
    }

    private void setStaged(Staged s) {
        staged = s;
        stagedVersion = s == null ? null : s.version;
    }

    /**
     * A restore that failed for the store's sake: retried at the next polls. A candidate is rejected after
     * {@link #RESTORE_ATTEMPTS}; the pointer's active version never is (the store may come back).
     */
    private void failed(long version, IOException e, boolean mayReject) {
        int failures = restoreFailures.merge(version, 1, Integer::sum);
        lastError = e.getMessage();
        if (mayReject && failures >= RESTORE_ATTEMPTS) {
            restoreFailures.remove(version);
            reject(version, e.getMessage());
        } else {
            LOG.warn("restore of routing version {} failed (attempt {}{}): {}", version, failures,
                    mayReject ? " of " + RESTORE_ATTEMPTS : ", retried at every poll", e.getMessage());
        }
    }

    private void reject(long version, String reason) {
        rejections.put(version, reason);
        while (rejections.size() > REJECTIONS_KEPT) {
            rejections.remove(rejections.keySet().iterator().next());
        }
        rejectedVersion = version;
        rejectionReason = reason;
        LOG.warn("rejected routing version {}, staying on version {}: {}", version, activeVersion(), reason);
    }

    private void saveLastKnownGood(Staged s) throws IOException {
        lastKnownGood.save(s.version, s.file, s.manifest);
        lastKnownGoodKeyId = lastKnownGood.keyId(s.version);
    }

    /** The copy activated last, else any other that still verifies; never one that does not. */
    private void loadLastKnownGood(String why) {
        List<LastKnownGood.Copy> copies;
        try {
            copies = lastKnownGood.candidates();
        } catch (IOException e) {
            copies = List.of();
        }
        if (copies.isEmpty()) {
            notReadyReason = "no routing version: " + why + ", and no last known good copy in " + lastKnownGood.dir();
            LOG.warn("not ready: {}", notReadyReason);
            return;
        }
        String failure = null;
        for (LastKnownGood.Copy c : copies) {
            try {
                if (c.manifest() == null) {
                    throw new InvalidRoutingDbException("its manifest is unreadable");
                }
                RoutingDb db = verifier().verify(c.file(), c.manifest(), fleet, c.version());
                RoutingTable table = RoutingTable.from(db);
                tables.activate(table);
                lastKnownGoodKeyId = c.manifest().keyId();
                notReadyReason = null;
                LOG.info("routing on last known good version {} ({} domains) because {}", c.version(), table.tenantCount(), why);
                return;
            } catch (InvalidRoutingDbException e) {
                failure = failure == null ? "version " + c.version() + ": " + e.getMessage() : failure;
                LOG.warn("last known good copy of version {} fails verification: {}", c.version(), e.getMessage());
            }
        }
        notReadyReason = "no routing version: " + why + ", and the last known good copy fails verification: " + failure;
        LOG.warn("not ready: {}", notReadyReason);
    }

    /** Keeps the active, previous and staged versions' files; removes older restores. */
    private void deleteOldFiles(long active) throws IOException {
        Long previous = tables.previous().map(RoutingTable::version).orElse(null);
        try (var files = Files.list(dataDir.resolve("versions"))) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                if (!n.endsWith(".db")) {
                    continue;
                }
                long v;
                try {
                    v = Long.parseLong(n.substring(0, n.length() - 3));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (v != active && !Long.valueOf(v).equals(previous) && (staged == null || staged.version != v)) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /**
     * The last report of a process that stops (SIGTERM): state {@code stopped}, so the operator stops
     * counting this edge at once instead of after the live window (a rollout replaces every edge).
     */
    /**
     * The report this edge last wrote, byte for byte (a nudge's answer carries it, so the operator can use it
     * without reading it back: the bytes' MD5 matches the ETag its listing shows). Null before the first.
     */
    public synchronized byte[] lastReportJson() {
        return lastReport == null ? null : lastReport.toJson();
    }

    public synchronized void reportStopped() {
        if (lastReport == null) {
            return;
        }
        EdgeReport r = lastReport;
        try {
            source.report(new EdgeReport(r.edgeId(), r.activeVersion(), r.stagedVersion(), "stopped", r.rejectedVersion(),
                    r.reason(), clock.instant(), r.destinations(), r.pointerEpoch(), r.pointerSequence(), r.pointerRefused(),
                    r.trustedKeyIds(), r.lastKnownGoodKeyId(), null));
        } catch (IOException e) {
            LOG.debug("could not report this edge as stopped: {}", e.getMessage());
        }
    }

    private void reportIfChanged(boolean force) {
        Long active = activeVersion();
        Long stagedVersion = staged == null ? null : staged.version;
        String state = notReadyReason != null ? "starting"
                : pointer != null && pointer.candidate() != null && rejections.containsKey(pointer.candidate()) ? "rejected"
                : stagedVersion != null ? "staged" : "active";
        EdgeReport next = new EdgeReport(edgeId, active, stagedVersion, state, rejectedVersion, rejectionReason,
                clock.instant(), destinations.get(), guard.epoch(), guard.sequence(), pointerRefusal, trust.get().ids(),
                lastKnownGoodKeyId, nudgeAddress);
        boolean changed = lastReport == null || !Objects.equals(lastReport.activeVersion(), active)
                || !Objects.equals(lastReport.stagedVersion(), stagedVersion) || !lastReport.state().equals(state)
                || !Objects.equals(lastReport.rejectedVersion(), rejectedVersion)
                || !Objects.equals(lastReport.pointerRefused(), pointerRefusal)
                || !lastReport.trustedKeyIds().equals(next.trustedKeyIds())
                || !Objects.equals(lastReport.lastKnownGoodKeyId(), next.lastKnownGoodKeyId())
                || !healthShape(lastReport).equals(healthShape(next));
        boolean due = Duration.between(lastReportAt, clock.instant()).compareTo(heartbeat) >= 0;
        if (!force && !changed && !due) {
            return;
        }
        try {
            source.report(next);
            lastReport = next;
            lastReportAt = clock.instant();
        } catch (IOException e) {
            lastError = e.getMessage();
        }
    }

    /**
     * What makes a destination report worth sending before the heartbeat: a destination going up or
     * down, or its dialogs reaching zero (a drain is done) or leaving it. Counts alone wait for the
     * heartbeat, or a busy edge would write its report every poll.
     */
    private static List<String> healthShape(EdgeReport r) {
        return r.destinations().stream().map(d -> d.uri() + (d.up() ? "+" : "-") + (d.dialogs() == 0 ? "0" : "n")).toList();
    }

    /** Where the operator may nudge this edge ({@code ip:port}), told in every report from now on. */
    public void nudgeAt(String address) {
        nudgeAddress = address;
    }

    public Long activeVersion() {
        RoutingTable t = tables.current();
        return t == null ? null : t.version();
    }

    public Long stagedVersion() {
        return stagedVersion;
    }

    /** The version rejected last (the report's), with {@link #rejectionReason()}. */
    public Long rejectedVersion() {
        return rejectedVersion;
    }

    public String rejectionReason() {
        return rejectionReason;
    }

    /** Why the last release pointer read was refused; null when it was accepted. */
    public String pointerRefusal() {
        return pointerRefusal;
    }

    /** Why the edge has no table (null when it has one). */
    public String notReadyReason() {
        return notReadyReason;
    }

    /** The last store error, null when the last poll worked. */
    public String lastError() {
        return lastError;
    }
}
