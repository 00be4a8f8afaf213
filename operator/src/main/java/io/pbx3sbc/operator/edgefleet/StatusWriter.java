package io.pbx3sbc.operator.edgefleet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Writes SipDomain/DispatcherSet statuses in the background, so a fleet's reconcile (and the next
 * version) never waits on them: the first publish of 100,000 domains writes 100,000 statuses. Writes
 * are keyed by object; a newer write for an object still queued replaces the older one. A failed write
 * is logged; the next reconcile (at the latest the periodic one) computes it again.
 */
final class StatusWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);

    private final Map<String, Runnable> pending = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final Thread[] workers;
    private volatile boolean closed;

    StatusWriter(int threads) {
        workers = new Thread[threads];
        for (int i = 0; i < threads; i++) {
            workers[i] = new Thread(this::drain, "status-writer-" + i);
            workers[i].setDaemon(true);
            workers[i].start();
        }
    }

    void submit(String objectKey, Runnable write) {
        if (pending.put(objectKey, write) == null) {
            queue.add(objectKey);
        }
    }

    /** Writes queued and not yet taken (for metrics and tests). */
    int backlog() {
        return pending.size();
    }

    private void drain() {
        while (!closed) {
            String key;
            try {
                key = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (key == null) {
                continue;
            }
            Runnable write = pending.remove(key);
            if (write == null) {
                continue;
            }
            try {
                write.run();
            } catch (RuntimeException e) {
                LOG.warn("status of {} not written, retried at the next reconcile: {}", key, e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : workers) {
            t.interrupt();
        }
    }
}
