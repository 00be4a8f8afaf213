package io.pbx3sbc.edge.admin;

import io.pbx3sbc.edge.routing.RouteDecision.DropReason;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * The edge's counters, cheap on the hot path (one map lookup and a LongAdder increment) and rendered
 * as Prometheus text on demand. Label values come only from closed sets (methods we serve, drop
 * reasons, outcomes) or from the routing table (tenant domains): never from what a sender wrote,
 * so a scanner cannot blow up the number of series.
 */
public final class EdgeMetrics {
    /** What happened to a request, the {@code outcome} label. */
    public enum Outcome { FORWARDED, IN_DIALOG, REPLIED, DROPPED, MALFORMED;
        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final Set<String> KNOWN_METHODS = Set.of("INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER",
            "PRACK", "UPDATE", "INFO", "SUBSCRIBE", "NOTIFY", "REFER", "MESSAGE", "PUBLISH");

    private final ConcurrentHashMap<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> drops = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> tenants = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> responses = new ConcurrentHashMap<>();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder failovers = new LongAdder();
    private final LongAdder relayTimeouts = new LongAdder();
    private final LongAdder internalErrors = new LongAdder();

    public void request(String method, Outcome outcome) {
        count(requests, methodLabel(method) + "\u0000" + outcome.label());
    }

    public void dropped(DropReason reason) {
        count(drops, reason.label());
    }

    /** A request for a known tenant (domain from the routing table), by outcome. */
    public void tenant(String domain, Outcome outcome) {
        count(tenants, domain + "\u0000" + outcome.label());
    }

    /** A final response relayed back to a caller, by status class (2xx..6xx). */
    public void relayedFinal(int status) {
        count(responses, (status / 100) + "xx");
    }

    public void malformed() {
        malformed.increment();
    }

    public void failover() {
        failovers.increment();
    }

    public void relayTimeout() {
        relayTimeouts.increment();
    }

    public void internalError() {
        internalErrors.increment();
    }

    public long malformedCount() {
        return malformed.sum();
    }

    public long dropCount(DropReason reason) {
        LongAdder a = drops.get(reason.label());
        return a == null ? 0 : a.sum();
    }

    public long requestCount(String method, Outcome outcome) {
        LongAdder a = requests.get(methodLabel(method) + "\u0000" + outcome.label());
        return a == null ? 0 : a.sum();
    }

    public long failoverCount() {
        return failovers.sum();
    }

    public Map<String, Long> dropsByReason() {
        Map<String, Long> out = new TreeMap<>();
        drops.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    public Map<String, Long> requestsByMethodAndOutcome() {
        Map<String, Long> out = new TreeMap<>();
        requests.forEach((k, v) -> out.put(k.replace('\u0000', '/'), v.sum()));
        return out;
    }

    /** Writes the counters in Prometheus text format, with the per-tenant series; gauges are appended by the caller. */
    public void writeCounters(StringBuilder out) {
        writeCounters(out, true);
    }

    /** @param tenants whether to write the per-tenant series (their labels name the tenants' domains) */
    public void writeCounters(StringBuilder out, boolean tenants) {
        family(out, "pbx3sbc_edge_sip_requests_total", "SIP requests received, by method and outcome", "counter");
        each(requests, (k, v) -> {
            String[] p = k.split("\u0000");
            sample(out, "pbx3sbc_edge_sip_requests_total", "method", p[0], "outcome", p[1], v);
        });
        family(out, "pbx3sbc_edge_sip_drops_total", "Requests not routed, by reason (silent drops and error replies)", "counter");
        each(drops, (k, v) -> sample(out, "pbx3sbc_edge_sip_drops_total", "reason", k, null, null, v));
        if (tenants) {
            family(out, "pbx3sbc_edge_tenant_requests_total", "Requests for known tenant domains, by outcome", "counter");
            each(this.tenants, (k, v) -> {
                String[] p = k.split("\u0000");
                sample(out, "pbx3sbc_edge_tenant_requests_total", "domain", p[0], "outcome", p[1], v);
            });
        }
        family(out, "pbx3sbc_edge_sip_relayed_final_responses_total", "Final responses relayed to callers, by class", "counter");
        each(responses, (k, v) -> sample(out, "pbx3sbc_edge_sip_relayed_final_responses_total", "class", k, null, null, v));
        single(out, "pbx3sbc_edge_sip_malformed_total", "Messages dropped because they failed parsing or sanity checks", malformed.sum());
        single(out, "pbx3sbc_edge_relay_failovers_total", "Requests retried on another destination after a timeout or 5xx", failovers.sum());
        single(out, "pbx3sbc_edge_relay_timeouts_total", "Relayed requests a destination never answered", relayTimeouts.sum());
        single(out, "pbx3sbc_edge_internal_errors_total", "Unexpected errors caught at the SIP listener boundary", internalErrors.sum());
    }

    public static void family(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    public static void sample(StringBuilder out, String name, String k1, String v1, String k2, String v2, double value) {
        out.append(name);
        if (k1 != null) {
            out.append('{').append(k1).append("=\"").append(escape(v1)).append('"');
            if (k2 != null) {
                out.append(',').append(k2).append("=\"").append(escape(v2)).append('"');
            }
            out.append('}');
        }
        out.append(' ');
        if (value == Math.rint(value)) {
            out.append((long) value);
        } else {
            out.append(value);
        }
        out.append('\n');
    }

    private static void single(StringBuilder out, String name, String help, long value) {
        family(out, name, help, "counter");
        sample(out, name, null, null, null, null, value);
    }

    private static void each(ConcurrentHashMap<String, LongAdder> m, BiConsumer<String, Long> f) {
        new TreeMap<>(m).forEach((k, v) -> f.accept(k, v.sum()));
    }

    private static void count(ConcurrentHashMap<String, LongAdder> m, String key) {
        LongAdder a = m.get(key);
        if (a == null) {
            a = m.computeIfAbsent(key, k -> new LongAdder());
        }
        a.increment();
    }

    private static String methodLabel(String method) {
        return KNOWN_METHODS.contains(method) ? method : "other";
    }

    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
