package io.pbx3sbc.operator.edgefleet;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Turns a burst of SipDomain/DispatcherSet changes into one routing version: a fleet is compiled once
 * its sources have been quiet for {@code quiet}, or at the latest {@code maxWait} after the first change
 * of the burst, so a steady stream of edits still gets published. Thread-safe; time from a nano clock.
 */
public final class ChangeCoalescer {
    private record Burst(long firstNanos, long lastNanos) {
    }

    private final Map<String, Burst> bursts = new ConcurrentHashMap<>();
    private final long quietNanos;
    private final long maxWaitNanos;
    private final LongSupplier nanoClock;

    public ChangeCoalescer(Duration quiet, Duration maxWait, LongSupplier nanoClock) {
        this.quietNanos = quiet.toNanos();
        this.maxWaitNanos = maxWait.toNanos();
        this.nanoClock = nanoClock;
    }

    /** A source of {@code fleet} changed now. */
    public void changed(String fleet) {
        long now = nanoClock.getAsLong();
        bursts.merge(fleet, new Burst(now, now), (old, fresh) -> new Burst(old.firstNanos, now));
    }

    /**
     * How long the fleet's compile should still wait; zero means compile now, and the burst is then
     * considered consumed.
     */
    public Duration waitBeforeCompile(String fleet) {
        Burst b = bursts.get(fleet);
        if (b == null) {
            return Duration.ZERO;
        }
        long now = nanoClock.getAsLong();
        long untilQuiet = b.lastNanos + quietNanos - now;
        long untilMax = b.firstNanos + maxWaitNanos - now;
        long wait = Math.min(untilQuiet, untilMax);
        if (wait <= 0) {
            bursts.remove(fleet, b);
            return Duration.ZERO;
        }
        return Duration.ofNanos(wait);
    }

    public void forget(String fleet) {
        bursts.remove(fleet);
    }
}
