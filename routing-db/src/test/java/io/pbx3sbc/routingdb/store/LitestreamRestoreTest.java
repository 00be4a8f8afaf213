package io.pbx3sbc.routingdb.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The restore's own failure modes, with stand-ins for the litestream binary. */
class LitestreamRestoreTest {
    static final S3Location STORE = new S3Location(URI.create("http://127.0.0.1:1"), "us-east-1", "b", "p/", true, "k", "s");

    @TempDir
    Path dir;

    private Path fakeBinary(String script) throws IOException {
        Path bin = dir.resolve("litestream");
        Files.writeString(bin, "#!/bin/sh\n" + script + "\n");
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    @Test
    void aHungRestoreIsKilledAtItsTimeoutEvenWithItsOutputOpen() throws Exception {
        // Prints, then sleeps with stdout open: reading the output to its end would wait forever.
        Path bin = fakeBinary("echo restoring; sleep 600");
        LitestreamRestore restore = new LitestreamRestore(bin, STORE, dir.resolve("scratch"), Duration.ofSeconds(1));
        long started = System.nanoTime();
        assertThatThrownBy(() -> restore.restore("fleets/edge/versions/1", dir.resolve("out.db")))
                .isInstanceOf(IOException.class).hasMessageContaining("did not finish in 1 s and was killed");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
        assertThat(dir.resolve("out.db")).doesNotExist();
        try (var scratch = Files.list(dir.resolve("scratch"))) {
            assertThat(scratch).as("config and log are cleaned up").isEmpty();
        }
    }

    @Test
    void aFailedRestoreSaysLitestreamsLastLine() throws Exception {
        Path bin = fakeBinary("echo first line; echo 'cannot fetch generations: access denied' >&2; exit 1");
        LitestreamRestore restore = new LitestreamRestore(bin, STORE, dir.resolve("scratch"), Duration.ofSeconds(30));
        assertThatThrownBy(() -> restore.restore("fleets/edge/versions/1", dir.resolve("out.db")))
                .hasMessageContaining("failed (exit 1): cannot fetch generations: access denied");
    }
}
