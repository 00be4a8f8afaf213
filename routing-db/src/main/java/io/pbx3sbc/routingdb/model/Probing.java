package io.pbx3sbc.routingdb.model;

import java.util.List;
import java.util.Objects;

/**
 * OPTIONS health probing of a set's destinations. Defaults are the seed's Kamailio settings:
 * every 30 s, 2 probes to mark up or down, only 200 counts as alive.
 */
public record Probing(String method, int intervalSeconds, int probingThreshold, int inactiveThreshold,
                      List<Integer> replyCodes, int timeoutMillis) {

    public static final Probing DEFAULT = new Probing("OPTIONS", 30, 2, 2, List.of(200), 5000);

    public Probing {
        Objects.requireNonNull(method, "method");
        replyCodes = List.copyOf(replyCodes).stream().sorted().distinct().toList();
        if (!method.equals("OPTIONS")) {
            throw new IllegalArgumentException("probing method must be OPTIONS, got " + method);
        }
        if (intervalSeconds < 1 || intervalSeconds > 3600) {
            throw new IllegalArgumentException("probing interval must be 1..3600 s, got " + intervalSeconds);
        }
        if (probingThreshold < 1 || inactiveThreshold < 1) {
            throw new IllegalArgumentException("probing thresholds must be at least 1");
        }
        if (replyCodes.isEmpty() || replyCodes.stream().anyMatch(c -> c < 100 || c > 699)) {
            throw new IllegalArgumentException("reply codes must be SIP status codes 100..699, got " + replyCodes);
        }
        if (timeoutMillis < 100 || timeoutMillis > 60_000) {
            throw new IllegalArgumentException("probe timeout must be 100..60000 ms, got " + timeoutMillis);
        }
    }

    /** Reply codes as stored in the database: comma separated, ascending. */
    public String replyCodesText() {
        return String.join(",", replyCodes.stream().map(String::valueOf).toList());
    }

    public static List<Integer> parseReplyCodes(String text) {
        return java.util.Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(Integer::valueOf).toList();
    }
}
