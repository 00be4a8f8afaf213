package io.pbx3sbc.operator.testing;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real etcd + kube-apiserver started by the project's own {@code hack/control-plane/up.sh} (built from
 * Go modules and cached on first use), and {@code kubectl} against it as a user would run it.
 */
public final class LocalControlPlane implements AutoCloseable {
    private static final Path HACK = Path.of("../hack/control-plane").toAbsolutePath().normalize();

    private final Path state;

    private LocalControlPlane(Path state) {
        this.state = state;
    }

    public static LocalControlPlane start(Path state) throws IOException, InterruptedException {
        Result r = run(List.of(HACK.resolve("up.sh").toString(), state.toString()), null, 20);
        if (r.exitCode != 0) {
            throw new IOException("hack/control-plane/up.sh failed (" + r.exitCode + "):\n" + r.output);
        }
        LocalControlPlane cluster = new LocalControlPlane(state);
        // A test JVM that dies early (System.exit, a crash of the fork) must not leave etcd and kube-apiserver behind.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                cluster.close();
            } catch (IOException | InterruptedException e) {
                // best effort at exit
            }
        }, "local-control-plane-down"));
        return cluster;
    }

    public Path kubeconfig() {
        return state.resolve("kubeconfig");
    }

    public KubernetesClient client() throws IOException {
        return new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig(), StandardCharsets.UTF_8))).build();
    }

    /** What kubectl printed (stdout and stderr together) and its exit code. */
    public record Result(int exitCode, String output) {
    }

    public Result kubectl(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(state.resolve("kubectl").toString(), "--kubeconfig", kubeconfig().toString()));
        cmd.addAll(List.of(args));
        return run(cmd, stdin, 1);
    }

    private static Result run(List<String> cmd, String stdin, int timeoutMinutes) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(HACK.getParent().getParent().toFile());
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException(cmd.get(0) + " did not finish in " + timeoutMinutes + " min");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        run(List.of(HACK.resolve("down.sh").toString(), state.toString()), null, 1);
    }
}
