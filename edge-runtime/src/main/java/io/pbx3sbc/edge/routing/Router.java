package io.pbx3sbc.edge.routing;

import io.pbx3sbc.edge.routing.RouteDecision.Cancel;
import io.pbx3sbc.edge.routing.RouteDecision.Drop;
import io.pbx3sbc.edge.routing.RouteDecision.DropReason;
import io.pbx3sbc.edge.routing.RouteDecision.Forward;
import io.pbx3sbc.edge.routing.RouteDecision.ForwardInDialog;
import io.pbx3sbc.edge.routing.RouteDecision.ForwardToFlow;
import io.pbx3sbc.edge.routing.RouteDecision.Reply;

import java.util.Objects;
import java.util.Set;

/**
 * The seed's {@code request_route}, as a pure function of a request, one routing table and the
 * destination health. The order matters and is the seed's: hop limit, scanners, in-dialog, allowed
 * methods, then domain checks, per-tenant rate limit and a healthy destination. Malformed messages
 * never get here: the SIP layer drops them.
 *
 * <p>Open-relay safety lives here: an initial request is only ever forwarded to a backend of the
 * tenant's set, whatever its Request-URI or Route headers say, and an in-dialog request only along
 * a Record-Route the edge signed for that dialog, towards one of its peers, after the method list and
 * the tenant's rate limit (the seed's Kamailio relays any in-dialog request whose top Route is ours).
 */
public final class Router {
    private final ProtectionPolicy policy;
    private final java.util.List<String> allowed;
    private final DestinationSelector selector;
    private final RateLimiter rateLimiter;

    public Router(ProtectionPolicy policy, DestinationSelector selector, RateLimiter rateLimiter) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.allowed = policy.allowedMethods().stream().sorted().toList();
        this.selector = Objects.requireNonNull(selector, "selector");
        this.rateLimiter = Objects.requireNonNull(rateLimiter, "rateLimiter");
    }

    /** The methods served, sorted: what a 405 or a keepalive 200 lists in Allow. */
    public java.util.List<String> allowedMethods() {
        return allowed;
    }

    /**
     * @param tried    backends already tried for this request (failover); empty for a first attempt
     * @param draining the edge is shutting down: no new dialogs, keepalive OPTIONS get 503
     */
    public RouteDecision route(RequestView r, RoutingTable table, HealthView health, Set<String> tried, boolean draining) {
        if (r.maxForwards() == 0) {
            return new Reply(483, "Too Many Hops", 0, DropReason.TOO_MANY_HOPS);
        }
        if (policy.isScanner(r.userAgent())) {
            return new Drop(DropReason.SCANNER);
        }
        boolean ack = r.method().equals("ACK");
        if (r.hasToTag()) {
            if (!r.topRouteIsOurs()) {
                // An ACK cannot be answered; anything else learns there is no such dialog here.
                return ack ? new Drop(DropReason.FOREIGN_ROUTE) : new Reply(404, "Not Here", 0, DropReason.FOREIGN_ROUTE);
            }
            if (!policy.allowedMethods().contains(r.method())) {
                return new Reply(405, "Method Not Allowed", 0, DropReason.METHOD_NOT_ALLOWED);
            }
            if (r.dialogTenant() == null) { // our address, but not a Record-Route we signed for this dialog
                return ack ? new Drop(DropReason.UNSIGNED_ROUTE) : new Reply(404, "Not Here", 0, DropReason.UNSIGNED_ROUTE);
            }
            Tenant owner = table.tenant(r.dialogTenant());
            // Ending a call always works; anything else in a dialog spends the tenant's tokens.
            boolean ends = ack || r.method().equals("BYE") || r.method().equals("CANCEL");
            if (owner != null && !ends && !rateLimiter.tryAcquire(owner)) {
                return new Reply(503, "Service Unavailable", 1, DropReason.RATE_LIMITED);
            }
            return new ForwardInDialog();
        }
        if (!policy.allowedMethods().contains(r.method())) {
            return new Reply(405, "Method Not Allowed", 0, DropReason.METHOD_NOT_ALLOWED);
        }
        if (r.toFlow() && r.topRouteIsOurs()) {
            return toFlow(r, table, ack, draining);
        }
        if (r.addressedToEdge() && r.method().equals("OPTIONS")) {
            return draining ? new Reply(503, "Draining", 0, DropReason.DRAINING) : new Reply(200, "OK", 0, DropReason.NONE);
        }
        String host = r.requestUriHost();
        if (host == null || host.isEmpty()) {
            return new Drop(DropReason.NO_DOMAIN);
        }
        if (policy.requireRequestUriMatchesTo() && !host.equalsIgnoreCase(r.toHost())) {
            return new Drop(DropReason.DOMAIN_MISMATCH);
        }
        Tenant tenant = table.tenant(host);
        if (tenant == null) {
            return new Drop(DropReason.UNKNOWN_DOMAIN);
        }
        if (!tenant.enabled()) {
            return new Drop(DropReason.DISABLED_DOMAIN);
        }
        // CANCEL and ACK belong to a transaction already admitted: no new backend, no token, no drain refusal.
        if (r.method().equals("CANCEL")) {
            return new Cancel();
        }
        if (ack) {
            return new Drop(DropReason.STRAY_ACK); // an ACK without a To tag belongs to no transaction here
        }
        if (draining) {
            return new Reply(503, "Service Unavailable", 5, DropReason.DRAINING);
        }
        if (tried.isEmpty() && !rateLimiter.tryAcquire(tenant)) {
            return new Reply(503, "Service Unavailable", 1, DropReason.RATE_LIMITED);
        }
        BackendSet set = table.set(tenant.setId());
        Backend backend = set == null ? null : selector.select(set, health, r.callId(), tried);
        if (backend == null) {
            return new Reply(503, "Service Unavailable", 0, DropReason.NO_HEALTHY_BACKEND);
        }
        return new Forward(tenant, set, backend);
    }

    /** A PBX calling a phone registered through the edge: the signed flow is the route; no domain lookup. */
    private RouteDecision toFlow(RequestView r, RoutingTable table, boolean ack, boolean draining) {
        if (r.flowTenant() == null) { // forged or foreign token, or not from a backend: the edge is no open relay
            return new Drop(DropReason.UNSIGNED_ROUTE);
        }
        if (r.method().equals("CANCEL")) {
            return new Cancel();
        }
        if (ack) {
            return new Drop(DropReason.STRAY_ACK);
        }
        if (draining) {
            return new Reply(503, "Service Unavailable", 5, DropReason.DRAINING);
        }
        Tenant owner = table.tenant(r.flowTenant());
        if (owner != null && !rateLimiter.tryAcquire(owner)) {
            return new Reply(503, "Service Unavailable", 1, DropReason.RATE_LIMITED);
        }
        return new ForwardToFlow();
    }
}
