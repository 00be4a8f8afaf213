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
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The admin port: {@code /healthz} (the process serves), {@code /readyz} (a routing table is loaded,
 * SIP listens and the edge is not draining), {@code /status} (JSON) and {@code /metrics} (Prometheus
 * text). Kept off the SIP port and its threads, on one small thread of its own.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final HttpServer server;

    /** Readiness with the reason when not ready. */
    public record Readiness(boolean ready, String reason) {
    }

    /** What the active table says of a domain: the routing version and set id, or null when it does not route. */
    public record Lookup(long version, int setId, boolean enabled) {
    }

    public AdminServer(HostPort listen, Supplier<Readiness> readiness, Supplier<byte[]> statusJson,
                       Supplier<String> metrics, java.util.function.Function<String, Lookup> lookup) throws IOException {
        server = HttpServer.create(new InetSocketAddress(listen.host(), listen.port()), 16);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "edge-admin");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/healthz", ex -> send(ex, 200, "text/plain", "ok\n".getBytes(StandardCharsets.UTF_8)));
        server.createContext("/readyz", ex -> {
            Readiness r = readiness.get();
            send(ex, r.ready() ? 200 : 503, "text/plain", ((r.ready() ? "ready" : "not ready: " + r.reason()) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        });
        server.createContext("/status", ex -> send(ex, 200, "application/json", statusJson.get()));
        // /lookup?domain=acme.voip.example.com: does the active table route this domain? (operations, convergence bench)
        server.createContext("/lookup", ex -> {
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
        server.start();
    }

    private static String jsonSafe(String s) {
        return s.replaceAll("[^a-z0-9.\\-]", "?");
    }

    public int port() {
        return server.getAddress().getPort();
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
    }
}
