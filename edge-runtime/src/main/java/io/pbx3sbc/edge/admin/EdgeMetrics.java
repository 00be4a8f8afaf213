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

    /** Hands the counters to a scrape, with the per-tenant series; gauges are added by the caller. */
    public void writeCounters(Scrape out) {
        writeCounters(out, true);
    }

    /** @param tenants whether to write the per-tenant series (their labels name the tenants' domains) */
    public void writeCounters(Scrape out, boolean tenants) {
        out.family("pbx3sbc_edge_sip_requests_total", "SIP requests received, by method and outcome", "counter");
        each(requests, (k, v) -> {
            String[] p = k.split("\u0000");
            out.sample("method", p[0], "outcome", p[1], v);
        });
        out.family("pbx3sbc_edge_sip_drops_total", "Requests not routed, by reason (silent drops and error replies)", "counter");
        each(drops, (k, v) -> out.sample("reason", k, null, null, v));
        if (tenants) {
            out.family("pbx3sbc_edge_tenant_requests_total", "Requests for known tenant domains, by outcome", "counter");
            each(this.tenants, (k, v) -> {
                String[] p = k.split("\u0000");
                out.sample("domain", p[0], "outcome", p[1], v);
            });
        }
        out.family("pbx3sbc_edge_sip_relayed_final_responses_total", "Final responses relayed to callers, by class", "counter");
        each(responses, (k, v) -> out.sample("class", k, null, null, v));
        out.single("pbx3sbc_edge_sip_malformed_total", "Messages dropped because they failed parsing or sanity checks", "counter", malformed.sum());
        out.single("pbx3sbc_edge_relay_failovers_total", "Requests retried on another destination after a timeout or 5xx", "counter", failovers.sum());
        out.single("pbx3sbc_edge_relay_timeouts_total", "Relayed requests a destination never answered", "counter", relayTimeouts.sum());
        out.single("pbx3sbc_edge_internal_errors_total", "Unexpected errors caught at the SIP listener boundary", "counter", internalErrors.sum());
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
}
