package io.pbx3sbc.edge.update;

import io.pbx3sbc.routingdb.manifest.ReleasePointer;
import io.pbx3sbc.routingdb.manifest.SigningKeys;
import io.pbx3sbc.routingdb.manifest.TrustedKeys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.util.Objects;

/**
 * Decides whether a release pointer read from the bucket may steer this edge: signed by a trusted
 * key, of this edge's fleet, and not older ({@code (epoch, sequence)}) than the newest pointer it
 * accepted before, which it keeps in its state directory so a restart does not forget it. Everything
 * else is refused with the reason, and the edge keeps serving what it serves. Edges of a fleet that
 * share a state directory share the newest order too (read and written under a file lock).
 */
public final class PointerGuard {
    /** Why a pointer was refused. */
    public static final class RefusedPointer extends Exception {
        public RefusedPointer(String message) {
            super(message);
        }
    }

    private final String fleet;
    private final java.util.function.Supplier<TrustedKeys> trusted;
    private final Path stateFile;
    private final Path lockFile;
    private long epoch;
    private long sequence;

    public PointerGuard(String fleet, java.util.function.Supplier<TrustedKeys> trusted, Path stateDir) throws IOException {
        this.fleet = Objects.requireNonNull(fleet, "fleet");
        this.trusted = Objects.requireNonNull(trusted, "trusted");
        this.stateFile = stateDir.resolve("accepted-pointer");
        this.lockFile = stateDir.resolve("accepted-pointer.lock");
        long[] stored = read();
        epoch = stored[0];
        sequence = stored[1];
    }

    private long[] read() throws IOException {
        if (!Files.isRegularFile(stateFile)) {
            return new long[] {0, 0};
        }
        String[] parts = Files.readString(stateFile, StandardCharsets.US_ASCII).trim().split("\\s+");
        try {
            return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
        } catch (RuntimeException e) {
            throw new IOException("cannot read " + stateFile + " (expected 'epoch sequence'): " + e.getMessage());
        }
    }

    /** Accepts the pointer (and remembers its order) or says why not. */
    public synchronized void accept(ReleasePointer p) throws RefusedPointer, IOException {
        TrustedKeys keys = trusted.get();
        if (!SigningKeys.verify(p, keys)) {
            throw new RefusedPointer("release pointer sequence " + p.sequence() + " is not signed by a trusted key (key "
                    + p.keyId() + ", trusted " + keys + ")");
        }
        if (!fleet.equals(p.fleet())) {
            throw new RefusedPointer("release pointer of fleet " + p.fleet() + " found where fleet " + fleet + "'s belongs");
        }
        try (FileChannel lock = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = lock.lock()) {
            long[] stored = read();
            if (stored[0] > epoch || (stored[0] == epoch && stored[1] > sequence)) {
                epoch = stored[0]; // another edge sharing the state directory accepted a newer one
                sequence = stored[1];
            }
            if (p.olderThan(epoch, sequence)) {
                throw new RefusedPointer("release pointer (epoch " + p.epoch() + ", sequence " + p.sequence()
                        + ") is older than the accepted (epoch " + epoch + ", sequence " + sequence + "): rollback refused");
            }
            if (p.epoch() != stored[0] || p.sequence() != stored[1]) {
                Path tmp = stateFile.resolveSibling("accepted-pointer.tmp");
                Files.writeString(tmp, p.epoch() + " " + p.sequence() + "\n", StandardCharsets.US_ASCII);
                Files.move(tmp, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            epoch = p.epoch();
            sequence = p.sequence();
        }
    }

    public synchronized long sequence() {
        return sequence;
    }

    public synchronized long epoch() {
        return epoch;
    }
}
