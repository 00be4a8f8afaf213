package io.pbx3sbc.routingdb.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * How an edge picks a destination among the healthy ones of a set. Each maps to the Kamailio
 * dispatcher algorithm number that behaves the same, so a classic edge can read our data too.
 */
public enum Algorithm {
    /** Next healthy destination in turn. */
    ROUND_ROBIN("round-robin", 4),
    /**
     * Highest priority value first; the others only when it is down (failover). Kamailio's algorithm 8
     * ("serial") takes its destinations in the order its dispatcher keeps them, highest priority first.
     */
    PRIORITY("priority", 8),
    /** Random, proportional to each destination's weight. */
    WEIGHTED("weighted", 9),
    /**
     * Hash over Call-ID, so every request of a call reaches the same backend. The edge hashes by
     * rendezvous (highest random weight): a destination going down moves only its own share of calls.
     * Kamailio's algorithm 0 takes the hash modulo the destinations, which reshuffles most of them.
     */
    HASH_CALL_ID("hash-callid", 0);

    private final String wireName;
    private final int kamailioAlgorithm;

    Algorithm(String wireName, int kamailioAlgorithm) {
        this.wireName = wireName;
        this.kamailioAlgorithm = kamailioAlgorithm;
    }

    /** The name used in resources and in the database, e.g. {@code round-robin}. */
    public String wireName() {
        return wireName;
    }

    public int kamailioAlgorithm() {
        return kamailioAlgorithm;
    }

    public static Algorithm fromWireName(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (Algorithm a : values()) {
            if (a.wireName.equals(wanted)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown algorithm '" + name + "', expected one of " + wireNames());
    }

    public static String wireNames() {
        return Arrays.stream(values()).map(Algorithm::wireName).toList().toString();
    }
}
