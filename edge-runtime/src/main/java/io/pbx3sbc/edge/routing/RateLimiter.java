package io.pbx3sbc.edge.routing;

import io.pbx3sbc.routingdb.model.RateLimit;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-tenant token buckets (refill {@code requestsPerSecond}, depth {@code burst}), keyed by domain so
 * they survive version swaps; a changed limit takes effect on the bucket's next refill.
 */
public final class RateLimiter {
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;

    public RateLimiter(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    public RateLimiter() {
        this(System::nanoTime);
    }

    /** True when the tenant may send one more request now. Tenants without a limit always may. */
    public boolean tryAcquire(Tenant tenant) {
        RateLimit limit = tenant.rateLimit();
        if (limit == null) {
            return true;
        }
        return buckets.computeIfAbsent(tenant.domain(), d -> new Bucket(limit.burst(), nanoClock.getAsLong()))
                .tryTake(limit, nanoClock.getAsLong());
    }

    private static final class Bucket {
        private double tokens;
        private long lastRefill;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.lastRefill = now;
        }

        synchronized boolean tryTake(RateLimit limit, long now) {
            tokens = Math.min(limit.burst(), tokens + (now - lastRefill) / 1e9 * limit.requestsPerSecond());
            lastRefill = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }
}
