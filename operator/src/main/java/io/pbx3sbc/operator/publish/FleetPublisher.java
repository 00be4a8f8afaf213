package io.pbx3sbc.operator.publish;

import io.pbx3sbc.routingdb.ContentHash;
import io.pbx3sbc.routingdb.RoutingDbBuilder;
import io.pbx3sbc.routingdb.VersionInfo;
import io.pbx3sbc.routingdb.VersionVerifier;
import io.pbx3sbc.routingdb.compile.RoutingCompiler.Compilation;
import io.pbx3sbc.routingdb.manifest.Manifest;
import io.pbx3sbc.routingdb.manifest.ReleasePointer;
import io.pbx3sbc.routingdb.manifest.SigningKeys;
import io.pbx3sbc.routingdb.store.FleetLayout;
import io.pbx3sbc.routingdb.store.ObjectStore;
import io.pbx3sbc.routingdb.store.VersionPublisher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Carries out a {@link PublishPlan} for one fleet: builds and signs the new version, publishes it
 * (immutable; the manifest last), points the release pointer's candidate at it, and deletes versions
 * past retention. A store failure throws, leaving everything already published as it was; the
 * reconciler retries with backoff.
 */
public final class FleetPublisher {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FleetPublisher.class);
    private final ObjectStore store;
    private final FleetLayout layout;
    private final VersionPublisher versions;
    private final KeyPair keys;
    private final Path workDir;
    private final Clock clock;
    private final ReleasePointerWriter.Sink pointers;
    private final VersionFiles files;

    /**
     * What a publish did: the plan it carried out, the compiled content's hash, the version holding that
     * content (new, or the equal candidate or active one), and the release pointer after it.
     */
    public record Outcome(PublishPlan plan, String contentSha256, long version, ReleasePointer pointer) {
        public boolean published() {
            return plan.publish();
        }
    }

    /** @param pointers signs and writes the release pointer ({@link ReleasePointerWriter}) */
    public FleetPublisher(ObjectStore store, FleetLayout layout, KeyPair keys, Path workDir, Clock clock,
                          ReleasePointerWriter.Sink pointers) {
        this(store, layout, keys, workDir, clock, pointers, new VersionFiles(workDir, layout.fleet()));
    }

    /** @param files the fleet's last built file, kept across reconciles so the next version patches it */
    public FleetPublisher(ObjectStore store, FleetLayout layout, KeyPair keys, Path workDir, Clock clock,
                          ReleasePointerWriter.Sink pointers, VersionFiles files) {
        this.files = Objects.requireNonNull(files, "files");
        this.pointers = Objects.requireNonNull(pointers, "pointers");
        this.store = Objects.requireNonNull(store, "store");
        this.layout = Objects.requireNonNull(layout, "layout");
        this.versions = new VersionPublisher(store, layout);
        this.keys = Objects.requireNonNull(keys, "keys");
        this.workDir = Objects.requireNonNull(workDir, "workDir");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** @param pointer the release pointer to build on ({@link ReleasePointerWriter#current}) */
    public Outcome publish(Compilation compilation, int retained, Long pinned, ReleasePointer pointer) throws IOException {
        long started = System.nanoTime();
        String sha = ContentHash.of(compilation.model());
        Map<Long, String> published = publishedContent(pointer);
        // A failed version the operator never published (a candidate put in by someone else) has no hash.
        String failedSha = pointer.history().stream().filter(h -> VersionOutcome.of(h.outcome()).failed())
                .map(ReleasePointer.HistoryEntry::contentSha256).filter(Objects::nonNull).reduce((a, b) -> b).orElse(null);
        PublishPlan plan = PublishPlan.decide(sha, published, pointer.active(), pointer.candidate(), pinned, retained,
                failedSha);
        long version = plan.publish() ? plan.nextVersion()
                : pointer.candidate() != null && sha.equals(published.get(pointer.candidate())) ? pointer.candidate()
                : pointer.active() != null ? pointer.active() : 0;
        if (plan.publish()) {
            long n = plan.nextVersion();
            VersionInfo info = new VersionInfo(n, layout.fleet(), clock.instant(), compilation.sourceGenerations());
            Files.createDirectories(workDir);
            Path file = workDir.resolve(layout.fleet() + "-" + n + ".db");
            try {
                long building = System.nanoTime();
                RoutingDbBuilder.Built built = files.build(compilation.model(), info, file);
                Manifest signed = SigningKeys.sign(VersionVerifier.manifestFor(built, info), keys);
                long uploading = System.nanoTime();
                versions.publish(built.file(), signed);
                LOG.info("version {}: hash and store read {} ms, build and sign {} ms, upload {} ms ({} bytes)", n,
                        (building - started) / 1_000_000, (uploading - building) / 1_000_000,
                        (System.nanoTime() - uploading) / 1_000_000, Files.size(built.file()));
                files.keep(built.file(), compilation.model());
            } finally {
                Files.deleteIfExists(file);
            }
            List<ReleasePointer.HistoryEntry> history = new ArrayList<>(pointer.history());
            history.add(new ReleasePointer.HistoryEntry(n, sha, VersionOutcome.PUBLISHED.wire(null), clock.instant()));
            pointer = pointers.write(pointer.with(pointer.active(), n, trim(history), clock.instant()));
        }
        for (long v : plan.delete()) {
            versions.delete(v);
        }
        return new Outcome(plan, sha, version, pointer);
    }

    /**
     * Every published version with its content hash where it matters. The hashes come from the pointer's
     * history (the operator wrote them); a manifest is read only for an active or candidate version the
     * history no longer names. Reading every manifest would cost seconds with 100,000 domains: each
     * carries the source generations. A number claimed without a manifest (an upload that failed, or
     * another writer's in progress) counts too, with no hash: the next version goes above it, and
     * retention removes it once it is old.
     */
    private Map<Long, String> publishedContent(ReleasePointer pointer) throws IOException {
        Map<Long, String> fromHistory = new TreeMap<>();
        for (ReleasePointer.HistoryEntry h : pointer.history()) {
            if (h.contentSha256() != null) {
                fromHistory.put(h.version(), h.contentSha256());
            }
        }
        Map<Long, String> published = new TreeMap<>();
        for (long v : versions.takenVersions()) {
            String known = fromHistory.get(v);
            if (known == null && (Long.valueOf(v).equals(pointer.active()) || Long.valueOf(v).equals(pointer.candidate()))) {
                known = versions.manifest(v).map(Manifest::contentSha256).orElse(null);
            }
            published.put(v, known == null ? "" : known);
        }
        return published;
    }

    /**
     * A key rotation: the manifests of the versions edges may need (active, candidate, pinned) signed again
     * with this publisher's key where another key signs them, then the pointer, so edges move their last
     * known good copies to the new key. Idempotent: what is signed with the key already is left alone.
     *
     * @return the pointer, re-signed when it was not signed with this key
     */
    public ReleasePointer resign(ReleasePointer pointer, Long pinned) throws IOException {
        String keyId = SigningKeys.keyId(keys.getPublic());
        for (Long v : new Long[] {pointer.active(), pointer.candidate(), pinned}) {
            if (v == null) {
                continue;
            }
            java.util.Optional<Manifest> m = versions.manifest(v);
            if (m.isPresent() && !keyId.equals(m.get().keyId())) {
                store.put(layout.manifest(v), SigningKeys.sign(m.get().withSignature(null), keys).toJson(),
                        "application/json");
                LOG.info("version {}: manifest signed again with key {}", v, keyId);
            }
        }
        return keyId.equals(pointer.keyId()) ? pointer : pointers.write(pointer);
    }

    /** What {@link #publish} found last time for the same inputs, with the pointer as it is now. */
    public static Outcome unchanged(Outcome previous, ReleasePointer now) {
        return new Outcome(new PublishPlan(false, previous.plan().nextVersion(), List.of()), previous.contentSha256(),
                previous.version(), now);
    }

    private static List<ReleasePointer.HistoryEntry> trim(List<ReleasePointer.HistoryEntry> history) {
        int kept = ReleasePointer.HISTORY_KEPT;
        return history.size() <= kept ? history : history.subList(history.size() - kept, history.size());
    }
}
