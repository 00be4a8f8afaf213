package io.pbx3sbc.edge.admin;

import org.slf4j.Logger;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Logs at most {@code perSecond} lines a second and then says how many it left out, so a flood of
 * door-knocks is visible in the log without the log becoming the flood.
 */
public final class RateLimitedLog {
    private final Logger log;
    private final int perSecond;
    private final AtomicLong window = new AtomicLong();
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong suppressed = new AtomicLong();

    public RateLimitedLog(Logger log, int perSecond) {
        this.log = log;
        this.perSecond = perSecond;
    }

    public void info(String format, Object... args) {
        log(false, format, args);
    }

    public void warn(String format, Object... args) {
        log(true, format, args);
    }

    private void log(boolean warn, String format, Object... args) {
        long second = System.nanoTime() / 1_000_000_000L;
        long w = window.get();
        if (w != second && window.compareAndSet(w, second)) {
            used.set(0);
            long skipped = suppressed.getAndSet(0);
            if (skipped > 0) {
                log.info("{} similar lines suppressed in the last second", skipped);
            }
        }
        if (used.incrementAndGet() <= perSecond) {
            if (warn) {
                log.warn(format, args);
            } else {
                log.info(format, args);
            }
        } else {
            suppressed.incrementAndGet();
        }
    }
}
