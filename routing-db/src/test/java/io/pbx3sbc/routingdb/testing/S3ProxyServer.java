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

/**
 * A real S3 protocol server (S3Proxy, filesystem backend) in a child JVM on 127.0.0.1, for ITs.
 * It can be stopped and started again on the same port and data directory, to test outages.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String ACCESS_KEY = "routingadmin";
    public static final String SECRET_KEY = "routingsecret123";

    private final Path dataDir;
    private final int port;
    private Process process;

    public S3ProxyServer(Path workDir) throws IOException {
        this.dataDir = Files.createDirectories(workDir.resolve("s3data"));
        this.port = freePort();
    }

    public static Path jar() {
        String jar = System.getProperty("s3proxy.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("S3Proxy jar not found (system property s3proxy.jar=" + jar
                    + "); run the ITs through Maven (mvn verify) so it is copied to target/it-tools");
        }
        return Path.of(jar);
    }

    public S3ProxyServer start() throws IOException, InterruptedException {
        Path props = dataDir.getParent().resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + dataDir,
                ""));
        process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", jar().toString(), "--properties", props.toString())
                .redirectErrorStream(true)
                .redirectOutput(dataDir.getParent().resolve("s3proxy.log").toFile())
                .start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException("S3Proxy exited with " + process.exitValue() + "; see "
                        + dataDir.getParent().resolve("s3proxy.log"));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return this;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IOException("S3Proxy did not listen on 127.0.0.1:" + port + " within 60 s");
    }

    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            process.waitFor();
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    public S3Location location(String bucket, String prefix) {
        return new S3Location(endpoint(), "us-east-1", bucket, prefix, true, ACCESS_KEY, SECRET_KEY);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
