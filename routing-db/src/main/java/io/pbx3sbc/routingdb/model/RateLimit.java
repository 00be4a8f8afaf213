package io.pbx3sbc.routingdb.model;

/** Per-tenant request budget: a token bucket refilled at {@code requestsPerSecond}, {@code burst} deep. */
public record RateLimit(int requestsPerSecond, int burst) {
    public RateLimit {
        if (requestsPerSecond < 1) {
            throw new IllegalArgumentException("rate limit requests per second must be at least 1, got " + requestsPerSecond);
        }
        if (burst < 1) {
            throw new IllegalArgumentException("rate limit burst must be at least 1, got " + burst);
        }
    }
}
