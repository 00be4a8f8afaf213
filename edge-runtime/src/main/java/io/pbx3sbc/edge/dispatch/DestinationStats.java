package io.pbx3sbc.edge.dispatch;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the edge sends to each destination, keyed by URI so it survives version swaps: initial requests
 * relayed to it, failovers away from it, and the dialogs up on it. A dialog opens when a 2xx to an
 * INVITE this edge relayed comes back from the destination and closes at the first BYE of its Call-ID
 * (either direction). A dialog whose BYE never crossed this edge is forgotten after {@code maxAge}, as
 * Kamailio's dialog module times dialogs out. Memory is bounded: past {@code maxDialogs} new dialogs
 * are not tracked (and counted as such), so a flood of answered INVITEs cannot fill the heap.
 *
 * <p>An operator drains a destination by waiting for its dialog count to reach zero on every edge.
 */
public final class DestinationStats {
    /** Kamailio's dialog module default timeout: 12 hours. */
    public static final long DEFAULT_MAX_AGE_MILLIS = 12 * 3600_000L;
    public static final int DEFAULT_MAX_DIALOGS = 500_000;

    private record Dialog(String uri, long openedAtMillis) {
    }

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> failovers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
    private final Map<String, Dialog> dialogs = new ConcurrentHashMap<>();
    private final LongAdder untracked = new LongAdder();
    private final long maxAgeMillis;
    private final int maxDialogs;

    public DestinationStats(long maxAgeMillis, int maxDialogs) {
        this.maxAgeMillis = maxAgeMillis;
        this.maxDialogs = maxDialogs;
    }

    public DestinationStats() {
        this(DEFAULT_MAX_AGE_MILLIS, DEFAULT_MAX_DIALOGS);
    }

    /** An initial request was sent to this destination. */
    public void relayed(String uri) {
        counter(requests, uri).increment();
    }

    /** A request left this destination for another one (timeout or 5xx). */
    public void failedOver(String uri) {
        counter(failovers, uri).increment();
    }

    /** A 2xx to an INVITE relayed to {@code uri} went back to the caller: a dialog is up on it. */
    public void dialogOpened(String callId, String uri, long nowMillis) {
        if (callId == null || dialogs.containsKey(callId)) {
            return; // a retransmitted 2xx, or a second 2xx of a forked INVITE: one dialog to close per Call-ID
        }
        if (dialogs.size() >= maxDialogs) {
            untracked.increment();
            return;
        }
        AtomicInteger count = open.computeIfAbsent(uri, k -> new AtomicInteger());
        count.incrementAndGet(); // before the dialog is visible, so a racing BYE finds its counter
        if (dialogs.putIfAbsent(callId, new Dialog(uri, nowMillis)) != null) {
            count.decrementAndGet();
        }
    }

    /** A BYE of this Call-ID crossed the edge: the dialog is over. */
    public void dialogClosed(String callId) {
        Dialog d = callId == null ? null : dialogs.remove(callId);
        if (d != null) {
            open.get(d.uri).decrementAndGet();
        }
    }

    /** Forgets dialogs older than the maximum age. @return how many were forgotten */
    public int expire(long nowMillis) {
        int[] n = {0};
        dialogs.entrySet().removeIf(e -> {
            if (nowMillis - e.getValue().openedAtMillis > maxAgeMillis) {
                open.get(e.getValue().uri).decrementAndGet();
                n[0]++;
                return true;
            }
            return false;
        });
        return n[0];
    }

    public int dialogs(String uri) {
        AtomicInteger n = open.get(uri);
        return n == null ? 0 : n.get();
    }

    public long requests(String uri) {
        LongAdder a = requests.get(uri);
        return a == null ? 0 : a.sum();
    }

    public long failovers(String uri) {
        LongAdder a = failovers.get(uri);
        return a == null ? 0 : a.sum();
    }

    /** Dialogs not tracked because the table was full. */
    public long untrackedDialogs() {
        return untracked.sum();
    }

    /**
     * Forgets the counters of destinations no longer in any set. Dialogs stay until their BYE or their
     * maximum age: a destination removed from its set may still have calls up.
     */
    public void retainOnly(java.util.Set<String> uris) {
        requests.keySet().retainAll(uris);
        failovers.keySet().retainAll(uris);
        open.entrySet().removeIf(e -> !uris.contains(e.getKey()) && e.getValue().get() <= 0);
    }

    private static LongAdder counter(Map<String, LongAdder> m, String uri) {
        LongAdder a = m.get(uri);
        return a != null ? a : m.computeIfAbsent(uri, k -> new LongAdder());
    }
}
