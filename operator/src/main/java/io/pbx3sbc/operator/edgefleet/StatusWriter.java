package io.pbx3sbc.operator.edgefleet;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.PriorityBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.TimeUnit;

/**
 * Writes SipDomain/DispatcherSet statuses in the background, so a fleet's reconcile (and the next
 * version) never waits on them: the first publish of 100,000 domains writes 100,000 statuses. Writes
 * are keyed by object; a newer write for an object still queued replaces the older one. Urgent writes
 * (what tells a user something: a refusal, a change, health) go before routine ones (a new object carried
 * as expected), so a refused tenant hears why in seconds even behind 100,000 routine writes. A failed
 * write is logged; the next reconcile (at the latest the periodic one) computes it again.
 */
final class StatusWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);

    private final Map<String, Runnable> pending = new ConcurrentHashMap<>();
    private final Map<String, Boolean> pendingUrgent = new ConcurrentHashMap<>();
    private final PriorityBlockingQueue<Queued> queue = new PriorityBlockingQueue<>();
    private final AtomicLong sequence = new AtomicLong();
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

    /** Queued so: urgent first, then in submission order. */
    private record Queued(boolean urgent, long sequence, String key) implements Comparable<Queued> {
        @Override
        public int compareTo(Queued o) {
            return urgent != o.urgent ? (urgent ? -1 : 1) : Long.compare(sequence, o.sequence);
        }
    }

    void submit(String objectKey, Runnable write, boolean urgent) {
        boolean queued = pending.put(objectKey, write) != null;
        boolean wasUrgent = Boolean.TRUE.equals(pendingUrgent.get(objectKey));
        if (!queued || (urgent && !wasUrgent)) { // a routine write made urgent is queued again, ahead
            pendingUrgent.put(objectKey, urgent || wasUrgent);
            queue.add(new Queued(urgent, sequence.incrementAndGet(), objectKey));
        }
    }

    /** Writes queued and not yet taken (for metrics and tests). */
    int backlog() {
        return pending.size();
    }

    /** Writes queued and not yet taken whose object key matches. */
    int backlog(java.util.function.Predicate<String> keys) {
        return (int) pending.keySet().stream().filter(keys).count();
    }

    /** Urgent writes queued and not yet taken. */
    int urgentBacklog() {
        return (int) pendingUrgent.values().stream().filter(Boolean::booleanValue).count();
    }

    private void drain() {
        while (!closed) {
            Queued item;
            try {
                item = queue.poll(200, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (item == null) {
                continue;
            }
            String key = item.key();
            Runnable write = pending.remove(key);
            pendingUrgent.remove(key);
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
