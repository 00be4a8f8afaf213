package io.pbx3sbc.routingdb.testing;

import io.pbx3sbc.routingdb.store.S3Location;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real S3 server that enforces per-identity policies (SeaweedFS's {@code weed server} with its S3
 * gateway) on 127.0.0.1, for the tests that must show an edge's credential refused where it has no
 * business: S3Proxy accepts one identity and checks nothing. The binary comes from
 * {@code hack/seaweedfs/build.sh} (system property {@code seaweedfs.bin}).
 */
public final class SeaweedS3Server implements AutoCloseable {
    /** One access key and what it may do: SeaweedFS actions such as {@code Admin}, {@code Read:bucket}, {@code Write:bucket/prefix/*}. */
    public record Identity(String name, String accessKey, String secretKey, List<String> actions) {
    }

    private final Path workDir;
    private final List<Identity> identities;
    private final int s3Port;
    private Process process;

    public SeaweedS3Server(Path workDir, List<Identity> identities) throws IOException {
        this.workDir = Files.createDirectories(workDir.resolve("seaweedfs"));
        this.identities = List.copyOf(identities);
        this.s3Port = freePort();
    }

    /**
     * The identities of a fleet as the product wants them: the operator may do anything in the bucket;
     * an edge may read and list the bucket and write only under its fleet's reports prefix.
     */
    public static List<Identity> fleetIdentities(String bucket, String prefix, String fleet) {
        return List.of(
                new Identity("operator", "operator-key", "operator-secret", List.of("Admin", "Read", "List", "Tagging", "Write")),
                new Identity("edge", "edge-key", "edge-secret", List.of("Read:" + bucket, "List:" + bucket,
                        "Write:" + bucket + "/" + prefix + "fleets/" + fleet + "/edges/*")));
    }

    public static Path binary() {
        String bin = System.getProperty("seaweedfs.bin", System.getenv("SEAWEEDFS_BIN"));
        if (bin == null || !Files.isExecutable(Path.of(bin))) {
            throw new IllegalStateException("SeaweedFS weed not found (seaweedfs.bin=" + bin
                    + "); ./hack/test.sh builds it (hack/seaweedfs/build.sh)");
        }
        return Path.of(bin);
    }

    public SeaweedS3Server start() throws IOException, InterruptedException {
        Path config = workDir.resolve("s3.json");
        Files.writeString(config, "{\"identities\":[" + identities.stream().map(i -> "{\"name\":\"" + i.name()
                + "\",\"credentials\":[{\"accessKey\":\"" + i.accessKey() + "\",\"secretKey\":\"" + i.secretKey()
                + "\"}],\"actions\":[" + i.actions().stream().map(a -> "\"" + a + "\"").collect(Collectors.joining(","))
                + "]}").collect(Collectors.joining(",")) + "]}");
        Path data = Files.createDirectories(workDir.resolve("data"));
        // The filer and the S3 gateway also open their port + 10000 for gRPC: ports from a spread-out range.
        int master = freePortBelow(50000);
        int volume = freePortBelow(50000);
        int filer = freePortBelow(50000);
        process = new ProcessBuilder(binary().toString(), "server", "-dir=" + data, "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                "-master.port=" + master, "-volume.port=" + volume, "-filer", "-filer.port=" + filer,
                "-s3", "-s3.port=" + s3Port, "-s3.config=" + config)
                .redirectErrorStream(true).redirectOutput(workDir.resolve("weed.log").toFile()).start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException("weed exited with " + process.exitValue() + "; see " + workDir.resolve("weed.log"));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", s3Port), 200);
                Thread.sleep(1000); // the gateway listens before its filer connection is up
                return this;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IOException("SeaweedFS S3 did not listen on 127.0.0.1:" + s3Port + " within 60 s");
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + s3Port);
    }

    public S3Location location(String identityName, String bucket, String prefix) {
        Identity i = identities.stream().filter(x -> x.name().equals(identityName)).findFirst().orElseThrow();
        return new S3Location(endpoint(), "us-east-1", bucket, prefix, true, i.accessKey(), i.secretKey());
    }

    /** weed takes more than 15 s to exit on SIGTERM: a short grace, then SIGKILL. */
    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static int freePort() throws IOException {
        return freePortBelow(65536);
    }

    /** A free port whose + 10000 is a valid port too (SeaweedFS's gRPC ports). */
    private static int freePortBelow(int limit) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                int p = s.getLocalPort();
                if (p < limit && p + 10000 < 65536) {
                    return p;
                }
            }
        }
        throw new IOException("no free port below " + limit);
    }
}
