package io.pbx3sbc.edge.update;

import io.pbx3sbc.routingdb.manifest.Manifest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The edge's durable copy of the last version it activated, in its state directory (which may outlive
 * the pod: a hostPath or a volume the EdgeFleet names, shared by the fleet's edges on one node):
 * <pre>
 * last-known-good/&lt;version&gt;/routing.db, manifest.json   one directory per version, renamed into place whole
 * last-known-good/active                                   the version activated last
 * </pre>
 * Each version directory is written under a unique temporary name and renamed into place, so edges that
 * share the directory never see half a copy. A copy is only ever served after it verifies again.
 */
final class LastKnownGood {
    /** One stored copy. */
    record Copy(long version, Path file, Manifest manifest) {
    }

    private static final int KEPT = 2;

    private final Path dir;
    private final String edgeId;

    LastKnownGood(Path stateDir, String edgeId) {
        this.dir = stateDir.resolve("last-known-good");
        this.edgeId = edgeId;
    }

    Path dir() {
        return dir;
    }

    void save(long version, Path file, Manifest manifest) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(Long.toString(version));
        if (!Files.isRegularFile(target.resolve("manifest.json"))) {
            Path tmp = dir.resolve(".tmp-" + version + "-" + edgeId + "-" + System.nanoTime());
            Files.createDirectories(tmp);
            Files.copy(file, tmp.resolve("routing.db"), StandardCopyOption.REPLACE_EXISTING);
            Files.write(tmp.resolve("manifest.json"), manifest.toJson());
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException sharedAndDone) {
                deleteTree(tmp); // another edge of the fleet saved the same version first
            } catch (AtomicMoveNotSupportedException e) {
                deleteTree(tmp);
                throw e;
            }
        }
        Path marker = dir.resolve(".active-" + edgeId);
        Files.writeString(marker, version + "\n", StandardCharsets.US_ASCII);
        Files.move(marker, dir.resolve("active"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        prune(version);
    }

    /** The key id that signs the stored manifest of a version; null when there is none. */
    String keyId(long version) {
        return copy(version).map(Copy::manifest).map(m -> m == null ? null : m.keyId()).orElse(null);
    }

    /** Checks a stored copy with a fresh manifest. */
    @FunctionalInterface
    interface Check {
        void verify(Copy withFreshManifest) throws io.pbx3sbc.routingdb.InvalidRoutingDbException;
    }

    /**
     * Replaces a version's manifest with a re-signed one, after {@code check} accepted the stored copy with it.
     *
     * @return the copy's directory, or null when there is no copy of that version
     */
    Path refreshManifest(long version, Manifest fresh, Check check)
            throws IOException, io.pbx3sbc.routingdb.InvalidRoutingDbException {
        Path d = dir.resolve(Long.toString(version));
        if (!Files.isRegularFile(d.resolve("routing.db"))) {
            return null;
        }
        check.verify(new Copy(version, d.resolve("routing.db"), fresh));
        Path tmp = d.resolve(".manifest-" + edgeId + "-" + System.nanoTime());
        Files.write(tmp, fresh.toJson());
        Files.move(tmp, d.resolve("manifest.json"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return d;
    }

    /** The copies to try, the one activated last first, then the others newest first. */
    List<Copy> candidates() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        Optional<Long> active = Optional.empty();
        try {
            active = Optional.of(Long.parseLong(Files.readString(dir.resolve("active"), StandardCharsets.US_ASCII).trim()));
        } catch (IOException | NumberFormatException none) {
            // no marker: newest first
        }
        Optional<Long> first = active;
        return versions().stream()
                .sorted(Comparator.<Long, Boolean>comparing(v -> !first.equals(Optional.of(v))).thenComparing(Comparator.reverseOrder()))
                .map(v -> copy(v)).flatMap(Optional::stream).toList();
    }

    private Optional<Copy> copy(long version) {
        Path d = dir.resolve(Long.toString(version));
        try {
            return Optional.of(new Copy(version, d.resolve("routing.db"),
                    Manifest.fromJson(Files.readAllBytes(d.resolve("manifest.json")))));
        } catch (IOException unreadable) {
            return Optional.of(new Copy(version, d.resolve("routing.db"), null));
        }
    }

    private List<Long> versions() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+")).map(Long::parseLong).toList();
        }
    }

    /** Keeps the newest copies (the active one always). */
    private void prune(long active) throws IOException {
        List<Long> old = versions().stream().filter(v -> v != active).sorted(Comparator.reverseOrder())
                .skip(KEPT - 1).toList();
        for (long v : old) {
            deleteTree(dir.resolve(Long.toString(v)));
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
