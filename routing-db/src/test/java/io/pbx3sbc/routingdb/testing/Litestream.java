package io.pbx3sbc.routingdb.testing;

import io.pbx3sbc.routingdb.store.LitestreamRestore;
import io.pbx3sbc.routingdb.store.S3Location;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs the real litestream v0.3 binary (never the npm wrapper, which always exits 0). */
public final class Litestream {
    private Litestream() {
    }

    public static Path binary() {
        String bin = System.getProperty("litestream.bin", System.getenv("LITESTREAM_BIN"));
        if (bin == null || !Files.isExecutable(Path.of(bin))) {
            throw new IllegalStateException("litestream binary not found (litestream.bin=" + bin
                    + "); ./hack/test.sh installs it under ~/.cache/pbx3sbc/litestream");
        }
        return Path.of(bin);
    }

    /** Result of one run: exit code and combined output. */
    public record Run(int exitCode, String output) {
    }

    /** {@code litestream restore} of one replica path into {@code out}, with the product's own config. */
    public static Run restore(S3Location location, String replicaPath, Path out) throws IOException, InterruptedException {
        Path config = Files.createTempFile(out.toAbsolutePath().getParent(), "litestream", ".yml");
        Files.writeString(config, LitestreamRestore.config(location, replicaPath));
        ProcessBuilder pb = new ProcessBuilder(binary().toString(), "restore", "-config", config.toString(),
                "-o", out.toString(), LitestreamRestore.DB_PATH).redirectErrorStream(true);
        pb.environment().put("AWS_ACCESS_KEY_ID", location.accessKeyId());
        pb.environment().put("AWS_SECRET_ACCESS_KEY", location.secretAccessKey());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("litestream restore did not finish in 60 s");
        }
        return new Run(p.exitValue(), output);
    }
}
