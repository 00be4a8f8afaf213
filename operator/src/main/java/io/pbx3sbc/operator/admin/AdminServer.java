package io.pbx3sbc.operator.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** /healthz (the process and its informers work), /readyz (started), /metrics (Prometheus text). */
public final class AdminServer implements AutoCloseable {
    private final HttpServer server;

    public AdminServer(String host, int port, BooleanSupplier healthy, BooleanSupplier ready, Supplier<String> metrics)
            throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext("/healthz", ex -> respond(ex, healthy.getAsBoolean() ? 200 : 503,
                healthy.getAsBoolean() ? "ok\n" : "informers unhealthy\n", "text/plain"));
        server.createContext("/readyz", ex -> respond(ex, ready.getAsBoolean() ? 200 : 503,
                ready.getAsBoolean() ? "ready\n" : "starting\n", "text/plain"));
        server.createContext("/metrics", ex -> respond(ex, 200, metrics.get(), "text/plain; version=0.0.4"));
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "operator-admin");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange ex, int code, String body, String type) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
