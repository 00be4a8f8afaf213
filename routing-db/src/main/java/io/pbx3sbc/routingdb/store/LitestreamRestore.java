package io.pbx3sbc.routingdb.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Restores one published version with the real {@code litestream restore}, as the seed's edges do.
 * Litestream v0.3 cannot name a custom endpoint in its URL form, so it gets a config file
 * ({@link #config}); its database path is a placeholder, {@code -o} names the real output.
 */
public final class LitestreamRestore {
    /** The database path named in the config; {@code litestream restore} takes it as the replica's key. */
    public static final String DB_PATH = "/pbx3sbc/routing.db";

    private final Path binary;
    private final S3Location location;
    private final Path scratch;

    public LitestreamRestore(Path binary, S3Location location, Path scratch) {
        this.binary = binary;
        this.location = location;
        this.scratch = scratch;
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

    /** @throws IOException with litestream's own words when it fails */
    public void restore(String replicaPath, Path out) throws IOException, InterruptedException {
        Files.createDirectories(scratch);
        Path config = Files.createTempFile(scratch, "litestream", ".yml");
        try {
            Files.writeString(config, config(location, replicaPath));
            Files.deleteIfExists(out);
            ProcessBuilder pb = new ProcessBuilder(binary.toString(), "restore", "-config", config.toString(),
                    "-o", out.toString(), DB_PATH).redirectErrorStream(true);
            pb.environment().put("AWS_ACCESS_KEY_ID", location.accessKeyId());
            pb.environment().put("AWS_SECRET_ACCESS_KEY", location.secretAccessKey());
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("litestream restore of " + replicaPath + " did not finish in 120 s");
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(out)) {
                String last = output.strip().lines().reduce((a, b) -> b).orElse("no output");
                throw new IOException("litestream restore of " + replicaPath + " failed (exit " + p.exitValue() + "): " + last);
            }
        } finally {
            Files.deleteIfExists(config);
        }
    }
}
