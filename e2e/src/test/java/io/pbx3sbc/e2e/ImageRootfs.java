package io.pbx3sbc.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pbx3sbc.routingdb.testing.LocalProcess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An image tarball (docker-archive, as Jib writes it) unpacked layer by layer into a directory and run
 * the way a container runtime would: its own root filesystem (chroot), /proc mounted, its user, its
 * environment only, its entrypoint. No container runtime is needed; root is.
 */
final class ImageRootfs implements AutoCloseable {
    private final Path root;
    private final JsonNode config;
    private boolean procMounted;

    private ImageRootfs(Path root, JsonNode config) {
        this.root = root;
        this.config = config;
    }

    static ImageRootfs unpack(Path tarball, Path dir) throws IOException, InterruptedException {
        if (!Files.isRegularFile(tarball)) {
            throw new IllegalStateException(tarball + " is missing: hack/test.sh prepares the image root filesystem "
                    + "(hack/images/runtime.sh) so that mvn package builds the image tarballs");
        }
        Path archive = Files.createDirectories(dir.resolve("archive"));
        Path root = Files.createDirectories(dir.resolve("rootfs"));
        run(List.of("tar", "-xf", tarball.toString(), "-C", archive.toString()));
        ObjectMapper json = new ObjectMapper();
        JsonNode manifest = json.readTree(archive.resolve("manifest.json").toFile()).get(0);
        for (JsonNode layer : manifest.get("Layers")) {
            run(List.of("tar", "-xzf", archive.resolve(layer.asText()).toString(), "-C", root.toString()));
        }
        JsonNode config = json.readTree(archive.resolve(manifest.get("Config").asText()).toFile()).get("config");
        ImageRootfs image = new ImageRootfs(root, config);
        Files.createDirectories(root.resolve("proc"));
        run(List.of("mount", "-t", "proc", "proc", root.resolve("proc").toString()));
        image.procMounted = true;
        run(List.of("chmod", "1777", root.resolve("tmp").toString()));
        return image;
    }

    Path root() {
        return root;
    }

    List<String> entrypoint() {
        List<String> out = new ArrayList<>();
        config.get("Entrypoint").forEach(n -> out.add(n.asText()));
        return out;
    }

    String user() {
        return config.get("User").asText();
    }

    /** Starts a command inside the image as its user, with the image's environment plus {@code env}. */
    LocalProcess start(String name, Path log, List<String> command, Map<String, String> env) throws IOException {
        // env -i: nothing of this JVM's environment leaks in; only the image's and the given variables.
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/env", "-i"));
        config.path("Env").forEach(n -> cmd.add(n.asText()));
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(List.of("/usr/sbin/chroot", "--userspec=" + user(), root.toString()));
        cmd.addAll(command);
        return LocalProcess.start(name, log, cmd);
    }

    /** Makes a directory inside the image writable by the image's user (what a pod's emptyDir mount gives). */
    void writableDir(String path) throws IOException, InterruptedException {
        Path p = Files.createDirectories(root.resolve(path.substring(1)));
        run(List.of("chown", user(), p.toString()));
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (procMounted) {
            run(List.of("umount", root.resolve("proc").toString()));
            procMounted = false;
        }
    }
}
