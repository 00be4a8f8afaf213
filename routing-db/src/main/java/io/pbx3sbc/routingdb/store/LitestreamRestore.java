package io.pbx3sbc.routingdb.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Restores one published version with the real {@code litestream restore}, as the seed's edges do.
 * Litestream v0.3 cannot name a custom endpoint in its URL form, so it gets a config file
 * ({@link #config}); its database path is a placeholder, {@code -o} names the real output.
 */
public final class LitestreamRestore {
    /** The database path named in the config; {@code litestream restore} takes it as the replica's key. */
    public static final String DB_PATH = "/pbx3sbc/routing.db";

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    private final Path binary;
    private final S3Location location;
    private final Path scratch;
    private final Duration timeout;

    public LitestreamRestore(Path binary, S3Location location, Path scratch) {
        this(binary, location, scratch, DEFAULT_TIMEOUT);
    }

    /** @param timeout a restore still running after this is killed and fails (a hung store or binary) */
    public LitestreamRestore(Path binary, S3Location location, Path scratch, Duration timeout) {
        this.binary = binary;
        this.location = location;
        this.scratch = scratch;
        this.timeout = timeout;
    }

    /** A litestream.yml that restores {@code replicaPath} of the store at {@code location}. */
    public static String config(S3Location location, String replicaPath) {
        return """
                dbs:
                  - path: %s
                    replicas:
                      - type: s3
                        bucket: %s
                        path: %s
                        endpoint: %s
                        region: %s
                        force-path-style: %s
                """.formatted(DB_PATH, location.bucket(), location.prefix() + replicaPath,
                location.endpoint() == null ? "" : location.endpoint(), location.region(), location.pathStyle());
    }

    /**
     * The output goes to a file, not a pipe read to its end, so the timeout fires even when litestream
     * hangs with its output open; the process (and anything it started) is then killed.
     *
     * @throws IOException with litestream's own words when it fails, or saying it was killed
     */
    public void restore(String replicaPath, Path out) throws IOException, InterruptedException {
        Files.createDirectories(scratch);
        Path config = Files.createTempFile(scratch, "litestream", ".yml");
        Path log = Files.createTempFile(scratch, "litestream", ".log");
        Process p = null;
        try {
            Files.writeString(config, config(location, replicaPath));
            Files.deleteIfExists(out);
            ProcessBuilder pb = new ProcessBuilder(binary.toString(), "restore", "-config", config.toString(),
                    "-o", out.toString(), DB_PATH).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("AWS_ACCESS_KEY_ID", location.accessKeyId());
            pb.environment().put("AWS_SECRET_ACCESS_KEY", location.secretAccessKey());
            p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(p);
                Files.deleteIfExists(out);
                throw new IOException("litestream restore of " + replicaPath + " did not finish in "
                        + timeout.toSeconds() + " s and was killed");
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(out)) {
                String output = Files.readString(log, StandardCharsets.UTF_8);
                String last = output.strip().lines().reduce((a, b) -> b).orElse("no output");
                throw new IOException("litestream restore of " + replicaPath + " failed (exit " + p.exitValue() + "): " + last);
            }
        } catch (InterruptedException e) {
            if (p != null) {
                kill(p);
            }
            throw e;
        } finally {
            Files.deleteIfExists(config);
            Files.deleteIfExists(log);
        }
    }

    private static void kill(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
    }
}
