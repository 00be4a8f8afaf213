package io.pbx3sbc.routingdb.store;

import io.pbx3sbc.routingdb.manifest.Manifest;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.TreeSet;
import java.util.SortedSet;

/**
 * Publishes immutable versions of a fleet's routing.db. The snapshot goes first and the signed
 * manifest last, so a version whose manifest exists is complete. A version is never overwritten:
 * publishing N when anything already exists under N, or when another writer claimed N first, fails.
 */
public final class VersionPublisher {
    private final ObjectStore store;
    private final FleetLayout layout;

    public VersionPublisher(ObjectStore store, FleetLayout layout) {
        this.store = Objects.requireNonNull(store, "store");
        this.layout = Objects.requireNonNull(layout, "layout");
    }

    public void publish(Path db, Manifest signed) throws IOException {
        if (signed.signature() == null) {
            throw new IllegalArgumentException("refusing to publish an unsigned manifest");
        }
        if (!signed.fleet().equals(layout.fleet())) {
            throw new IllegalArgumentException("manifest is for fleet " + signed.fleet() + ", not " + layout.fleet());
        }
        long n = signed.version();
        if (!store.list(layout.versionPrefix(n)).isEmpty()) {
            throw new VersionExistsException(layout.fleet(), n);
        }
        // Two operators that both believe they lead may pick the same number at once: the first claim
        // wins, the other retries with the next number instead of mixing its objects into this version.
        // The claim is unique to this attempt, so a refusal of the HTTP client's own retry (its first try
        // landed, the answer was lost) reads back as ours.
        byte[] claim = (signed.contentSha256() + "\n" + java.util.UUID.randomUUID() + "\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try {
            store.putIfMatch(layout.versionClaim(n), claim, "text/plain", null);
        } catch (ObjectStore.PreconditionFailed e) {
            if (!store.get(layout.versionClaim(n)).map(b -> java.util.Arrays.equals(b, claim)).orElse(false)) {
                throw new VersionExistsException(layout.fleet(), n);
            }
        }
        String replica = layout.replicaPath(n);
        LitestreamReplica.write(store, replica, LitestreamReplica.generationFor(replica, signed.contentSha256()), db);
        store.put(layout.manifest(n), signed.toJson(), "application/json");
    }

    /** Versions with a manifest (complete ones), ascending. */
    public SortedSet<Long> publishedVersions() throws ObjectStoreException {
        SortedSet<Long> versions = new TreeSet<>();
        for (String key : store.list(layout.versionsPrefix())) {
            if (key.endsWith("/manifest.json")) {
                layout.versionOf(key).ifPresent(versions::add);
            }
        }
        return versions;
    }

    /**
     * Every version number with any object: the complete ones, and those claimed or left half uploaded
     * (a failed upload, another writer still at it). A new version takes a number above all of them.
     */
    public SortedSet<Long> takenVersions() throws ObjectStoreException {
        SortedSet<Long> versions = new TreeSet<>();
        for (String key : store.list(layout.versionsPrefix())) {
            layout.versionOf(key).ifPresent(versions::add);
        }
        return versions;
    }

    public java.util.Optional<Manifest> manifest(long version) throws IOException {
        var bytes = store.get(layout.manifest(version));
        return bytes.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(Manifest.fromJson(bytes.get()));
    }

    /** Removes every object of version N (retention). */
    public void delete(long version) throws ObjectStoreException {
        // Manifest first: a half-deleted version must not look complete.
        store.delete(layout.manifest(version));
        for (String key : store.list(layout.versionPrefix(version))) {
            store.delete(key);
        }
    }

    /** Thrown when a version number is already taken; versions are immutable. */
    public static final class VersionExistsException extends IOException {
        public VersionExistsException(String fleet, long version) {
            super("version " + version + " of fleet " + fleet + " already exists; versions are immutable");
        }
    }
}
