package io.pbx3sbc.edge;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * The edge process: parse flags and environment, start, and on SIGTERM drain then exit. Exits 2 on a
 * usage error and 1 when it cannot start (for example a routing.db that fails validation).
 */
public final class EdgeMain {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeMain.class);

    private EdgeMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.print(EdgeConfig.usage());
            return;
        }
        EdgeConfig config;
        try {
            config = EdgeConfig.parse(args, System.getenv());
        } catch (EdgeConfig.UsageException e) {
            System.err.println("edge: " + e.getMessage());
            System.err.print(EdgeConfig.usage());
            System.exit(2);
            return;
        }
        Edge edge;
        try {
            edge = Edge.start(config);
        } catch (Exception e) {
            LOG.error("edge cannot start: {}", e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                LOG.info("stopping: draining (no new dialogs, keepalive OPTIONS answered 503) for up to {}",
                        config.drainTimeout());
                int left = edge.drain(config.drainTimeout());
                LOG.info(left == 0 ? "drained: no open transactions" : "drain timeout: {} transactions left open", left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                edge.close();
                stopped.countDown();
            }
        }, "edge-shutdown"));
        LOG.info("edge started; {}", edge.readiness().ready() ? "ready" : "not ready yet: " + edge.readiness().reason());
        stopped.await();
    }
}
