package io.pbx3sbc.edge.sip;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Per-source flood protection, Kamailio's {@code pike} in spirit: each source IP may send at most
 * {@code limit} messages per one-second window; a source over it is banned for {@code banMillis} and
 * everything it sends meanwhile is dropped before it is parsed. Both tables are bounded: a flood from
 * spoofed, ever-changing sources cannot grow them past {@code maxSources} (new sources beyond that are
 * let through uncounted until the next sweep frees room), and the cost per message is one map lookup.
 *
 * <p>Exempt addresses (the tenants' backends, trusted trunks) are never counted or banned.
 */
public final class FloodGuard {
    /** A guard that lets everything through. */
    public static final FloodGuard OFF = new FloodGuard(0, 0, 0, System::currentTimeMillis);

    private final int limit;
    private final long banMillis;
    private final int maxSources;
    private final LongSupplier clock;
    private final ConcurrentHashMap<InetAddress, Window> windows = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetAddress, Long> bans = new ConcurrentHashMap<>();
    private final LongAdder blocked = new LongAdder();
    private final LongAdder banned = new LongAdder();
    private volatile java.util.function.Predicate<InetAddress> exemptRule = a -> false;

    private static final class Window {
        long start;
        int count;
    }

    /**
     * @param limit      messages per second a source may send; 0 turns the guard off
     * @param banMillis  how long a source over the limit is ignored
     * @param maxSources how many sources are tracked at most (and banned at most)
     */
    public FloodGuard(int limit, long banMillis, int maxSources, LongSupplier clockMillis) {
        this.limit = limit;
        this.banMillis = banMillis;
        this.maxSources = maxSources;
        this.clock = clockMillis;
    }

    public boolean enabled() {
        return limit > 0;
    }

    /** Sources never counted: the table's destinations and configured trusted networks (trunks). */
    public void exemptWhen(java.util.function.Predicate<InetAddress> rule) {
        this.exemptRule = rule;
    }

    /** @return true when the message may be processed, false when its source floods or is banned */
    /** Whether {@code source} is one the guard never counts: a backend of the table or a trusted block. */
    public boolean exempt(InetAddress source) {
        return exemptRule.test(source);
    }

    public boolean admit(InetAddress source) {
        if (limit <= 0 || exemptRule.test(source)) {
            return true;
        }
        long now = clock.getAsLong();
        Long until = bans.get(source);
        if (until != null) {
            if (now < until) {
                blocked.increment();
                return false;
            }
            bans.remove(source, until);
        }
        Window w = windows.get(source);
        if (w == null) {
            if (windows.size() >= maxSources) {
                return true; // full: uncounted until the sweep makes room (bounded memory beats precision)
            }
            w = windows.computeIfAbsent(source, a -> new Window());
        }
        boolean over;
        synchronized (w) {
            if (now - w.start >= 1000) {
                w.start = now;
                w.count = 0;
            }
            over = ++w.count > limit;
        }
        if (over) {
            if (bans.size() < maxSources && bans.putIfAbsent(source, now + banMillis) == null) {
                banned.increment();
                windows.remove(source);
            }
            blocked.increment();
            return false;
        }
        return true;
    }

    /** Forgets quiet sources and expired bans; run about once a second. */
    public void sweep() {
        long now = clock.getAsLong();
        windows.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                return now - e.getValue().start >= 2000;
            }
        });
        bans.entrySet().removeIf(e -> e.getValue() <= now);
    }

    public long blockedCount() {
        return blocked.sum();
    }

    public long bannedCount() {
        return banned.sum();
    }

    public int bannedNow() {
        return bans.size();
    }

    public int trackedSources() {
        return windows.size();
    }
}
