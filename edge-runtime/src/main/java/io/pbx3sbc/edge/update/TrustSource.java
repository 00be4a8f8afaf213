package io.pbx3sbc.edge.update;

import io.pbx3sbc.routingdb.manifest.TrustedKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The keys the edge trusts now. From a flag they are fixed; from a file (a ConfigMap volume in a pod,
 * which the kubelet updates in place) they are read again when the file changes, so a signing key
 * rotation needs no pod restart. A file that cannot be read or parsed keeps the keys trusted before.
 */
public final class TrustSource implements Supplier<TrustedKeys> {
    private static final Logger LOG = LoggerFactory.getLogger(TrustSource.class);

    private final Path file;
    private volatile TrustedKeys keys;
    private FileTime modified;
    private long size = -1;

    private TrustSource(Path file, TrustedKeys keys) {
        this.file = file;
        this.keys = keys;
    }

    public static TrustSource fixed(TrustedKeys keys) {
        return new TrustSource(null, Objects.requireNonNull(keys, "keys"));
    }

    /** @throws IOException or IllegalArgumentException when the file does not hold at least one key at start */
    public static TrustSource file(Path file) throws IOException {
        TrustSource t = new TrustSource(file, null);
        t.keys = TrustedKeys.parse(Files.readString(file, StandardCharsets.US_ASCII));
        t.modified = Files.getLastModifiedTime(file);
        t.size = Files.size(file);
        return t;
    }

    @Override
    public TrustedKeys get() {
        if (file != null) {
            reloadIfChanged();
        }
        return keys;
    }

    private synchronized void reloadIfChanged() {
        try {
            FileTime m = Files.getLastModifiedTime(file);
            long s = Files.size(file);
            if (m.equals(modified) && s == size) {
                return;
            }
            TrustedKeys next = TrustedKeys.parse(Files.readString(file, StandardCharsets.US_ASCII));
            modified = m;
            size = s;
            if (!next.ids().equals(keys.ids())) {
                LOG.info("trusted signing keys now {} (were {})", next, keys);
            }
            keys = next;
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("cannot read the trusted keys from {}, keeping {}: {}", file, keys, e.getMessage());
        }
    }
}
