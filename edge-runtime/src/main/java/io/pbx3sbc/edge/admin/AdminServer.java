package io.pbx3sbc.edge.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pbx3sbc.edge.HostPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The admin port: {@code /healthz} (the process serves), {@code /readyz} (a routing table is loaded,
 * SIP listens and the edge is not draining), {@code /status} (JSON), {@code /metrics} (Prometheus
 * text) and, when tenant detail is allowed, {@code /lookup}. Kept off the SIP port and its threads, on
 * a small pool of its own with a bounded queue; the JDK server's request and response time limits
 * close a connection that sends its request slowly or never reads the answer, so a few slow clients
 * cannot keep {@code /healthz} from answering.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    static final int THREADS = 4;
    static final int QUEUE = 64;

    static {
        // Read once by the JDK's HTTP server: seconds for a whole request to arrive and an answer to leave.
        System.setProperty("sun.net.httpserver.maxReqTime", System.getProperty("sun.net.httpserver.maxReqTime", "5"));
        System.setProperty("sun.net.httpserver.maxRspTime", System.getProperty("sun.net.httpserver.maxRspTime", "10"));
        System.setProperty("sun.net.httpserver.idleInterval", System.getProperty("sun.net.httpserver.idleInterval", "30"));
    }

    private final HttpServer server;
    private final java.util.concurrent.ExecutorService pool;

    /** Readiness with the reason when not ready. */
    public record Readiness(boolean ready, String reason) {
    }

    /** An answer to a POST: status and a short text or JSON body. */
    public record Answer(int status, String body) {
    }

    /** Nudge bodies are a few hundred bytes; anything larger is not one. */
    static final int MAX_NUDGE_BYTES = 4096;

    /** What the active table says of a domain: the routing version and set id, or null when it does not route. */
    public record Lookup(long version, int setId, boolean enabled) {
    }

    public AdminServer(HostPort listen, Supplier<Readiness> readiness, Supplier<byte[]> statusJson,
                       Supplier<String> metrics, java.util.function.Function<String, Lookup> lookup) throws IOException {
        this(listen, readiness, statusJson, metrics, lookup, null);
    }

    /**
     * @param lookup null when tenant detail is not allowed: {@code /lookup} then answers 403
     * @param nudge  null when the edge takes no nudges (a fixed routing.db): {@code /nudge} then answers 404
     */
    public AdminServer(HostPort listen, Supplier<Readiness> readiness, Supplier<byte[]> statusJson,
                       Supplier<String> metrics, java.util.function.Function<String, Lookup> lookup,
                       java.util.function.Function<byte[], java.util.concurrent.CompletableFuture<Answer>> nudge) throws IOException {
        server = HttpServer.create(new InetSocketAddress(listen.host(), listen.port()), 16);
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        pool = new java.util.concurrent.ThreadPoolExecutor(THREADS, THREADS, 0, java.util.concurrent.TimeUnit.SECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(QUEUE), r -> {
                    Thread t = new Thread(r, "edge-admin-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new java.util.concurrent.ThreadPoolExecutor.DiscardPolicy());
        server.setExecutor(pool);
        server.createContext("/healthz", ex -> send(ex, 200, "text/plain", "ok\n".getBytes(StandardCharsets.UTF_8)));
        server.createContext("/readyz", ex -> {
            Readiness r = readiness.get();
            send(ex, r.ready() ? 200 : 503, "text/plain", ((r.ready() ? "ready" : "not ready: " + r.reason()) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        });
        server.createContext("/status", ex -> send(ex, 200, "application/json", statusJson.get()));
        // /lookup?domain=acme.voip.example.com: does the active table route this domain? (operations, convergence bench)
        server.createContext("/lookup", ex -> {
            if (lookup == null) {
                send(ex, 403, "text/plain", "tenant detail is off on this edge (--admin-detail)\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String q = ex.getRequestURI().getRawQuery();
            String domain = q == null || !q.startsWith("domain=") ? "" : java.net.URLDecoder.decode(q.substring(7),
                    StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT);
            Lookup l = domain.isEmpty() ? null : lookup.apply(domain);
            String body = l == null ? "{\"domain\":\"" + jsonSafe(domain) + "\",\"routes\":false}\n"
                    : "{\"domain\":\"" + jsonSafe(domain) + "\",\"routes\":" + l.enabled() + ",\"setId\":" + l.setId()
                    + ",\"version\":" + l.version() + "}\n";
            send(ex, l != null && l.enabled() ? 200 : 404, "application/json", body.getBytes(StandardCharsets.UTF_8));
        });
        server.createContext("/metrics", ex -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                metrics.get().getBytes(StandardCharsets.UTF_8)));
        // POST /nudge: the operator's signed "look at the release pointer now" (the only POST here). The
        // answer comes once the edge has looked, from the updater's thread: no admin thread waits for it,
        // so /healthz and /readyz stay quick during a long restore.
        server.createContext("/nudge", ex -> {
            try {
                if (nudge == null) {
                    reply(ex, 404, "this edge serves a fixed routing.db: nothing to look at\n");
                    return;
                }
                if (!ex.getRequestMethod().equals("POST")) {
                    ex.sendResponseHeaders(405, -1);
                    ex.close();
                    return;
                }
                byte[] body = ex.getRequestBody().readNBytes(MAX_NUDGE_BYTES + 1);
                if (body.length > MAX_NUDGE_BYTES) {
                    reply(ex, 413, "too large for a nudge\n");
                    return;
                }
                nudge.apply(body).completeOnTimeout(new Answer(202, "still looking (a restore in progress)\n"), 30,
                        java.util.concurrent.TimeUnit.SECONDS).whenComplete((a, e) -> {
                            try {
                                reply(ex, a != null ? a.status() : 500, a != null ? a.body() : "the look failed: " + e + "\n");
                            } catch (IOException | RuntimeException failed) {
                                LOG.debug("nudge answer failed: {}", failed.toString());
                                ex.close();
                            }
                        });
            } catch (IOException | RuntimeException e) {
                LOG.debug("admin request {} failed: {}", ex.getRequestURI(), e.toString());
                ex.close();
            }
        });
        server.start();
    }

    private static String jsonSafe(String s) {
        return s.replaceAll("[^a-z0-9.\\-]", "?");
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        try (ex) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", body.startsWith("{") ? "application/json" : "text/plain");
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            ex.getResponseHeaders().set("Content-Type", type);
            ex.sendResponseHeaders(status, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("admin request {} failed: {}", ex.getRequestURI(), e.toString());
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
