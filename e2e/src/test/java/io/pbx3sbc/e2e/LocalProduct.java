package io.pbx3sbc.e2e;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.pbx3sbc.routingdb.store.S3Location;
import io.pbx3sbc.routingdb.testing.LocalProcess;
import io.pbx3sbc.routingdb.testing.Ports;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The whole product as {@code ./hack/local-up.sh} runs it (control plane, S3Proxy, operator, edges on
 * 127.0.2.N, sipp backends), and the ways a test talks to it: the Kubernetes API, each edge's admin
 * port, sipp callers, and {@code ./hack/local-ctl.sh} to stop and start one part.
 */
final class LocalProduct implements AutoCloseable {
    static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    static final S3Location STORE = new S3Location(URI.create("http://127.0.0.1:19000"), "us-east-1", "sip-routing",
            "default/", true, "local", "local-secret-key");

    private final Path state;
    private final int edges;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<LocalProcess> callers = new ArrayList<>();

    private LocalProduct(Path state, int edges) {
        this.state = state;
        this.edges = edges;
    }

    static LocalProduct up(Path state, int edges) throws IOException, InterruptedException {
        run(List.of(REPO.resolve("hack/local-down.sh").toString()), state, 2); // a leftover from an aborted run
        Run r = run(List.of(REPO.resolve("hack/local-up.sh").toString(), String.valueOf(edges)), state, 20);
        LocalProduct p = new LocalProduct(state, edges);
        if (r.exitCode != 0) {
            p.close();
            throw new IOException("hack/local-up.sh failed (" + r.exitCode + "):\n" + r.output);
        }
        return p;
    }

    int edges() {
        return edges;
    }

    KubernetesClient client() throws IOException {
        return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(
                Files.readString(state.resolve("control-plane/kubeconfig")))).build();
    }

    void stop(String part) throws IOException, InterruptedException {
        ctl("stop", part);
    }

    void start(String part) throws IOException, InterruptedException {
        ctl("start", part);
    }

    private void ctl(String action, String part) throws IOException, InterruptedException {
        Run r = run(List.of(REPO.resolve("hack/local-ctl.sh").toString(), action, part), state, 2);
        if (r.exitCode != 0) {
            throw new IOException("local-ctl.sh " + action + " " + part + ": " + r.output);
        }
    }

    static String edgeAddress(int edge) {
        return "127.0.2." + edge;
    }

    /**
     * What time does between polls, at once: every edge is nudged (signed with the fleet's key, as the
     * operator does) to read the release pointer now. Tests that write the pointer themselves, standing
     * in for a bucket writer or another operator, use it instead of waiting for the edges' slow poll.
     */
    void nudgeAll(java.security.KeyPair fleetKeys) throws IOException, InterruptedException {
        byte[] body = io.pbx3sbc.routingdb.manifest.SigningKeys.sign(new io.pbx3sbc.routingdb.manifest.Nudge(
                io.pbx3sbc.routingdb.manifest.Nudge.PURPOSE, "edge", 0, 0, java.time.Instant.now(), null, null), fleetKeys).toJson();
        // All at once, as the operator nudges: one after the other, the operator could decide on the first
        // edges' reports (a rejection fails a candidate at once) before the last edge had looked.
        List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int e = 1; e <= edges; e++) {
            calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://" + edgeAddress(e) + ":9090/nudge"))
                    .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (int e = 1; e <= edges; e++) {
            HttpResponse<String> r;
            try {
                r = calls.get(e - 1).join();
            } catch (java.util.concurrent.CompletionException failed) {
                throw new IOException("edge-" + e + " not nudged: " + failed.getCause(), failed.getCause());
            }
            if (r.statusCode() != 200) {
                throw new IOException("edge-" + e + " answered its nudge with " + r.statusCode() + ": " + r.body());
            }
        }
    }

    /**
     * A change to an object the operator also writes (its status): read, change, write, and again when the
     * write loses a race with the operator (409), as kubectl edit would have the user do.
     */
    static <T extends io.fabric8.kubernetes.api.model.HasMetadata> void edit(
            io.fabric8.kubernetes.client.dsl.Resource<T> resource, java.util.function.UnaryOperator<T> change) {
        for (int attempt = 1; ; attempt++) {
            try {
                resource.edit(change);
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }
    }

    /** The edge's answer to /lookup?domain=: the routing version it serves the domain from, or -1. */
    long routingVersionFor(int edge, String domain) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + edgeAddress(edge)
                    + ":9090/lookup?domain=" + domain)).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = Pattern.compile("\"version\":(\\d+)").matcher(r.body());
            return r.statusCode() == 200 && m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** One sample of the edge's /metrics, e.g. {@code pbx3sbc_edge_destination_requests_total{set="20",uri="..."}}; -1 when absent. */
    long metric(int edge, String series) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + edgeAddress(edge)
                    + ":9090/metrics")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            for (String line : r.body().split("\n")) {
                if (line.startsWith(series + " ")) {
                    return (long) Double.parseDouble(line.substring(series.length() + 1).trim());
                }
            }
            return -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    boolean ready(int edge) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://" + edgeAddress(edge) + ":9090/readyz"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Starts sipp calls for a tenant through one edge: {@code calls} calls at {@code rate} per second. */
    LocalProcess calls(String name, int edge, String domain, int calls, int rate) throws IOException {
        return calls(name, edge, domain, calls, rate, REPO.resolve("hack/sipp/uac-tenant.xml"));
    }

    /** The same with another caller scenario (e.g. longer calls). */
    LocalProcess calls(String name, int edge, String domain, int calls, int rate, Path scenario) throws IOException {
        LocalProcess p = LocalProcess.start(name, state.resolve(name + ".log"), List.of("sipp",
                edgeAddress(edge) + ":5060", "-sf", scenario.toString(),
                "-key", "domain", domain, "-s", "1000", "-i", "127.0.0.1", "-p", String.valueOf(Ports.free()),
                "-m", String.valueOf(calls), "-r", String.valueOf(rate), "-nostdin", "-timeout", "120s", "-timeout_error"));
        callers.add(p);
        return p;
    }

    /** sipp's final count of successful and failed calls, from its summary screen. */
    static int[] callCounts(LocalProcess sipp) {
        return new int[] {last(sipp.log(), "Successful call"), last(sipp.log(), "Failed call")};
    }

    private static int last(String log, String row) {
        Matcher m = Pattern.compile(row + "\\s+\\|\\s+\\d+\\s+\\|\\s+(\\d+)").matcher(log);
        int last = -1;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }

    // ---- The sample fleet ("edge" in namespace default) through the Kubernetes API

    static final String NS = "default";
    static final Duration WAIT = Duration.ofSeconds(90);

    static io.pbx3sbc.operator.api.v1alpha1.EdgeFleet fleet(KubernetesClient client) {
        return client.resources(io.pbx3sbc.operator.api.v1alpha1.EdgeFleet.class).inNamespace(NS).withName("edge").get();
    }

    /** The fleet is Ready with every edge of this product live on its active version; returns that version. */
    long awaitConverged(KubernetesClient client) throws InterruptedException {
        return awaitConverged(client, 0);
    }

    /**
     * The fleet's status says every edge serves the active version, and that version is at least
     * {@code atLeast}: the edges can switch before the operator has written its status (nudged edges
     * answer within the reconcile that writes it last).
     */
    long awaitConverged(KubernetesClient client, long atLeast) throws InterruptedException {
        return io.pbx3sbc.routingdb.testing.Await.until("fleet converged on version " + atLeast + " or later", WAIT,
                () -> fleet(client), f -> f.getStatus() != null
                && "Ready".equals(f.getStatus().phase) && f.getStatus().edgesTotal != null
                && f.getStatus().edgesTotal == edges && f.getStatus().edgesActive == edges
                && f.getStatus().activeVersion != null && f.getStatus().activeVersion >= atLeast).getStatus().activeVersion;
    }

    /** A SipDomain {@code <name>.voip.example.com} the sample fleet selects, routed to {@code set}. */
    static void addDomain(KubernetesClient client, String name, String set) {
        var d = new io.pbx3sbc.operator.api.v1alpha1.SipDomain();
        d.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace(NS)
                .withLabels(Map.of("pbx3sbc.io/fleet", "edge")).build());
        d.setSpec(new io.pbx3sbc.operator.api.v1alpha1.SipDomainSpec());
        d.getSpec().domain = name + ".voip.example.com";
        d.getSpec().dispatcherSetRef = set;
        client.resource(d).create();
    }

    /** The signing key pair in a key Secret the operator wrote. */
    static java.security.KeyPair signingKeys(KubernetesClient client, String secretName) {
        var secret = client.secrets().inNamespace(NS).withName(secretName).get();
        java.util.Base64.Decoder b64 = java.util.Base64.getDecoder();
        String pub = new String(b64.decode(secret.getData().get("signing.pub")), StandardCharsets.UTF_8);
        String key = new String(b64.decode(secret.getData().get("signing.key")), StandardCharsets.UTF_8);
        return new java.security.KeyPair(io.pbx3sbc.routingdb.manifest.SigningKeys.decodePublic(pub),
                io.pbx3sbc.routingdb.manifest.SigningKeys.decodePrivate(key));
    }

    /** One call for a tenant through one edge, which must complete. */
    void call(int edge, String domain) throws IOException, InterruptedException {
        LocalProcess sipp = calls("call-" + edge + "-" + domain + "-" + System.nanoTime(), edge, domain, 1, 1);
        int exit = sipp.awaitExit(Duration.ofSeconds(60));
        if (exit != 0) {
            throw new AssertionError("call for " + domain + " via edge-" + edge + " exited " + exit + ":\n" + sipp.log());
        }
    }

    String log(String part) throws IOException {
        Path p = state.resolve(part + ".log");
        return Files.exists(p) ? Files.readString(p) : "";
    }

    private record Run(int exitCode, String output) {
    }

    private static Run run(List<String> cmd, Path state, int minutes) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(REPO.toFile()).redirectErrorStream(true);
        pb.environment().putAll(Map.of("LOCAL_STATE", state.toString(), "LOCAL_UP_BUILD", "false"));
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IOException(cmd.get(0) + " did not finish within " + minutes + " min");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        for (LocalProcess c : callers) {
            c.close();
        }
        run(List.of(REPO.resolve("hack/local-down.sh").toString()), state, 3);
    }
}
