package io.pbx3sbc.routingdb.store;

import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes (and reads back) a database in Litestream v0.3's replica layout, as a snapshot-only
 * generation: {@code <path>/generations/<16 hex>/snapshots/00000000.snapshot.lz4}, an LZ4 frame of
 * the whole file. {@code litestream restore} of that path yields the file byte for byte; nothing
 * else is needed because a published version never changes (no WAL segments).
 */
public final class LitestreamReplica {
    static final String SNAPSHOT_NAME = "00000000.snapshot.lz4";

    private LitestreamReplica() {
    }

    /**
     * A generation name derived from what is published, so that retrying a publish of the same
     * version writes the same keys instead of a second generation that restore would prefer.
     */
    public static String generationFor(String replicaPath, String contentSha256) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest((replicaPath + "\n" + contentSha256).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String snapshotKey(String replicaPath, String generation) {
        return replicaPath + "/generations/" + generation + "/snapshots/" + SNAPSHOT_NAME;
    }

    public static void write(ObjectStore store, String replicaPath, String generation, Path db) throws IOException {
        ByteArrayOutputStream compressed = new ByteArrayOutputStream((int) Math.min(Files.size(db) / 2, Integer.MAX_VALUE - 8));
        try (OutputStream out = new LZ4FrameOutputStream(compressed, LZ4FrameOutputStream.BLOCKSIZE.SIZE_4MB);
             InputStream in = Files.newInputStream(db)) {
            in.transferTo(out);
        }
        store.put(snapshotKey(replicaPath, generation), compressed.toByteArray(), "application/octet-stream");
    }

    /** Restores the newest snapshot of a snapshot-only replica into {@code target} (a Java stand-in for the CLI). */
    public static void restore(ObjectStore store, String replicaPath, Path target) throws IOException {
        List<String> snapshots = store.list(replicaPath + "/generations/").stream()
                .filter(k -> k.endsWith("/snapshots/" + SNAPSHOT_NAME)).toList();
        if (snapshots.size() != 1) {
            throw new IOException("expected one snapshot under " + replicaPath + ", found " + snapshots.size());
        }
        byte[] bytes = store.get(snapshots.get(0)).orElseThrow(() -> new IOException("snapshot vanished: " + snapshots.get(0)));
        try (InputStream in = new LZ4FrameInputStream(new ByteArrayInputStream(bytes))) {
            Files.copy(in, target);
        }
    }
}
