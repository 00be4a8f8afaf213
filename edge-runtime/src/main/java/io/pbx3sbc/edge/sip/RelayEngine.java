package io.pbx3sbc.edge.sip;

import io.pbx3sbc.edge.HostPort;
import io.pbx3sbc.edge.admin.EdgeMetrics;
import io.pbx3sbc.edge.admin.EdgeMetrics.Outcome;
import io.pbx3sbc.edge.admin.RateLimitedLog;
import io.pbx3sbc.edge.dns.BackendResolver;
import io.pbx3sbc.edge.dns.BackendResolver.Target;
import io.pbx3sbc.edge.dispatch.DestinationStats;
import io.pbx3sbc.edge.dispatch.HealthTracker;
import io.pbx3sbc.edge.dispatch.OptionsProber;
import io.pbx3sbc.edge.dispatch.ProbeOutcomes;
import io.pbx3sbc.edge.routing.ActiveTable;
import io.pbx3sbc.edge.routing.Backend;
import io.pbx3sbc.edge.routing.RequestView;
import io.pbx3sbc.edge.routing.RouteDecision;
import io.pbx3sbc.edge.routing.RouteDecision.Cancel;
import io.pbx3sbc.edge.routing.RouteDecision.Drop;
import io.pbx3sbc.edge.routing.RouteDecision.DropReason;
import io.pbx3sbc.edge.routing.RouteDecision.Forward;
import io.pbx3sbc.edge.routing.RouteDecision.ForwardInDialog;
import io.pbx3sbc.edge.routing.RouteDecision.ForwardToFlow;
import io.pbx3sbc.edge.routing.RouteDecision.Reply;
import io.pbx3sbc.edge.routing.Router;
import io.pbx3sbc.edge.routing.RoutingTable;
import io.pbx3sbc.edge.sip.DialogTokens.DialogPeers;
import io.pbx3sbc.edge.sip.DialogTokens.Flow;
import io.pbx3sbc.edge.sip.DialogTokens.Hop;
import io.pbx3sbc.edge.sip.msg.NameAddr;
import io.pbx3sbc.edge.sip.msg.SipMessage;
import io.pbx3sbc.edge.sip.msg.SipUri;
import io.pbx3sbc.edge.sip.msg.ViaHop;
import io.pbx3sbc.edge.sip.transport.Peer;
import io.pbx3sbc.edge.sip.transport.Wire;
import io.pbx3sbc.edge.sip.txn.Relay;
import io.pbx3sbc.edge.sip.txn.Relay.Leg;
import io.pbx3sbc.edge.sip.txn.TimerWheel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The edge's stateful proxy core, Kamailio's {@code tm} + {@code sl} for the seed's routing: parsed
 * messages and timer ticks in, encoded messages out through a {@link Wire}. It has no socket and no
 * clock of its own, so tests drive it by hand.
 *
 * <ul>
 *   <li>Requests refused before routing are answered statelessly: nothing is kept for them.</li>
 *   <li>A routed request gets a {@link Relay} keyed by its branch: retransmissions are absorbed (and
 *   answered with the last answer), 100 Trying goes out at once for INVITE, the backend's leg is
 *   retransmitted over UDP (timers A/E), a backend silent for the fr timer or answering 5xx is replaced
 *   by the next healthy one, a ringing INVITE is cancelled after fr_inv, CANCEL follows a provisional,
 *   a non-2xx final is ACKed hop by hop and retransmitted upstream until the caller's ACK (timer G/H).
 *   A finished relay lingers {@code waitMillis} (Kamailio's wt_timer) to absorb retransmissions.</li>
 *   <li>2xx retransmissions after that (RFC 6026) are forwarded only on a branch this fleet signed for
 *   the address they go to; any other response that matches nothing is dropped and counted.</li>
 *   <li>In-dialog requests follow only a Record-Route the edge signed for that Call-ID, to the other
 *   side of the dialog as the token names it (see {@link DialogTokens}). When the two sides use
 *   different transports (TLS from a phone, UDP to the PBX) the edge record-routes twice, once per side.</li>
 *   <li>REGISTER gets a Path entry with the phone's flow token; a backend's request on that Path goes
 *   back over the phone's connection or NAT binding, or gets 430 Flow Failed when it is gone.</li>
 * </ul>
 */
public final class RelayEngine implements OptionsProber.ProbeSender {
    private static final Logger LOG = LoggerFactory.getLogger(RelayEngine.class);
    static final long T1 = 500;
    static final long T2 = 4_000;
    static final long T4 = 5_000;
    static final long TIMER_H = 64 * T1;
    /** The Record-Route URI parameter carrying the dialog token. */
    static final String TOKEN_PARAM = "pbxt";

    /**
     * @param frMillis        time a backend has for any answer before the next one is tried
     * @param frInvMillis     time an INVITE may ring before it is cancelled
     * @param waitMillis      time a finished transaction lingers to absorb retransmissions
     * @param maxTransactions relays kept at most (open and lingering); beyond, new requests get 503
     */
    public record Settings(long frMillis, long frInvMillis, long waitMillis, int maxTransactions) {
    }

    private final Wire wire;
    private final TimerWheel wheel;
    private final SelfAddress self;
    private final DialogTokens tokens;
    private final ActiveTable tables;
    private final Router router;
    private final HealthTracker health;
    private final EdgeMetrics metrics;
    private final DestinationStats stats;
    private final ProbeOutcomes probes;
    private final Settings settings;
    private final BackendResolver resolver;
    /** Health of each resolved target ({@code ip:port}) of a destination named by DNS: false once it missed a probe round. */
    private final ConcurrentHashMap<String, Boolean> targetUp = new ConcurrentHashMap<>();
    private final Set<String> probePending = ConcurrentHashMap.newKeySet();
    /** Server transactions by key: a {@link Relay} while it needs one, then its compact {@link Answered} tombstone. */
    private final ConcurrentHashMap<String, Object> servers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Object> clients = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder absorbed = new LongAdder();
    private final LongAdder retransmitted = new LongAdder();
    private final RateLimitedLog doorKnockLog = new RateLimitedLog(LoggerFactory.getLogger("io.pbx3sbc.edge.doorknock"), 20);
    private final RateLimitedLog errorLog = new RateLimitedLog(LOG, 5);
    private volatile boolean draining;

    public RelayEngine(Wire wire, TimerWheel wheel, SelfAddress self, DialogTokens tokens, ActiveTable tables, Router router,
                       HealthTracker health, EdgeMetrics metrics, DestinationStats stats, ProbeOutcomes probes, Settings settings,
                       BackendResolver resolver) {
        this.resolver = resolver;
        this.wire = wire;
        this.wheel = wheel;
        this.self = self;
        this.tokens = tokens;
        this.tables = tables;
        this.router = router;
        this.health = health;
        this.metrics = metrics;
        this.stats = stats;
        this.probes = probes;
        this.settings = settings;
    }

    /** Stop taking new dialogs: new requests get 503, keepalive OPTIONS get 503 so balancers move away. */
    public void startDraining() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }

    /** Relayed requests without a final answer yet (drain waits for zero). */
    public int openTransactions() {
        return open.get();
    }

    /** Relays in the table, open and lingering. */
    public int transactions() {
        return servers.size();
    }

    /** Branches in the table: relay legs and probes. */
    public int clientBranches() {
        return clients.size();
    }

    public long absorbedRetransmissions() {
        return absorbed.sum();
    }

    public long retransmissionsSent() {
        return retransmitted.sum();
    }

    // ---------------------------------------------------------------------------------------------
    // Requests

    public void onRequest(SipMessage req, Peer from) {
        String method = req.method();
        try {
            // force_rport: answers go where the request came from, never to what its Via claims.
            ViaHop top = req.topVia().received(from.hostAddress(), from.address().getPort());
            req.setTopVia(top);
            String key = serverKey(req, top, method);
            Object known = method.equals("CANCEL") ? null : servers.get(key);
            if (method.equals("ACK")) {
                if (known instanceof Relay r && ackAbsorbed(r)) {
                    return;
                }
                if (known instanceof Answered a && a.finalStatus() >= 300) {
                    absorbed.increment(); // the ACK for our non-2xx, after timer G ended
                    return;
                }
            } else if (known instanceof Relay r) {
                retransmission(r);
                return;
            } else if (known instanceof Answered a) {
                absorbed.increment();
                if (a.lastUpstream() != null) {
                    reply(a.lastUpstream(), a.caller());
                }
                return;
            }
            RoutingTable table = tables.current();
            if (table == null) {
                metrics.request(method, Outcome.DROPPED);
                metrics.dropped(DropReason.NOT_READY);
                return;
            }
            InDialog dialog = req.to().tag() != null ? inDialog(req) : InDialog.NONE;
            Flow flow = req.to().tag() == null ? flowOf(req, from, table) : null;
            RequestView view = RequestViews.of(req, self, dialog.tenant(), flow);
            RouteDecision decision = router.route(view, table, health, Set.of(), draining);
            if (decision instanceof Drop d) {
                drop(req, view, d.reason(), from);
            } else if (decision instanceof Reply r) {
                metrics.request(method, Outcome.REPLIED);
                if (r.countedAs() != DropReason.NONE) {
                    metrics.dropped(r.countedAs());
                }
                replyStateless(req, from, r.status(), r.reasonPhrase(), r.retryAfterSeconds());
            } else if (decision instanceof Cancel) {
                cancel(req, from, serverKey(req, top, "INVITE"));
            } else if (decision instanceof Forward fw) {
                relayInitial(req, from, key, view, table, fw);
            } else if (decision instanceof ForwardInDialog) {
                relayInDialog(req, from, key, table, dialog);
            } else if (decision instanceof ForwardToFlow) {
                relayToFlow(req, from, key, table, flow);
            }
        } catch (Exception | LinkageError e) {
            metrics.internalError();
            errorLog.info("request {} not handled: {}", method, e.toString());
            LOG.debug("request not handled", e);
        }
    }

    /**
     * RFC 3261 §17.2.3: branch and sent-by identify the server transaction; ACK matches its INVITE. A
     * pre-3261 branch falls back to the Call-ID, CSeq number and From tag.
     */
    static String serverKey(SipMessage req, ViaHop top, String method) {
        String m = method.equals("ACK") ? "INVITE" : method;
        String branch = top.branch();
        String sentBy = top.host() + ":" + top.port();
        if (branch != null && branch.startsWith("z9hG4bK")) {
            return branch + "|" + sentBy + "|" + m;
        }
        return req.callId() + "|" + req.cseqNumber() + "|" + req.from().tag() + "|" + sentBy + "|" + m;
    }

    private void drop(SipMessage req, RequestView view, DropReason reason, Peer from) {
        metrics.request(req.method(), Outcome.DROPPED);
        metrics.dropped(reason);
        switch (reason) {
            case UNKNOWN_DOMAIN, DISABLED_DOMAIN, DOMAIN_MISMATCH, SCANNER -> doorKnockLog.info(
                    "Door-knock dropped: reason={} domain={} src={}", reason.label(), view.requestUriHost(), from);
            default -> {
            }
        }
        if (reason == DropReason.DISABLED_DOMAIN) {
            metrics.tenant(view.requestUriHost(), Outcome.DROPPED);
        }
    }

    /** An answer that keeps no state (Kamailio's {@code sl_send_reply}): a retransmission is simply answered again. */
    private void replyStateless(SipMessage req, Peer to, int status, String reason, int retryAfterSeconds) {
        if (req.method().equals("ACK")) {
            return; // never answer an ACK
        }
        SipMessage resp = req.response(status, reason, status > 100 ? statelessTag(req) : null);
        if (retryAfterSeconds > 0) {
            resp.append("Retry-After", String.valueOf(retryAfterSeconds));
        }
        if (status == 405 || (status == 200 && req.method().equals("OPTIONS"))) {
            resp.append("Allow", String.join(", ", router.allowedMethods()));
        }
        reply(resp.withEmptyBody().encode(), to);
    }

    private void retransmission(Relay r) {
        byte[] again;
        Peer to;
        synchronized (r) {
            absorbed.increment();
            again = r.state == Relay.State.GONE ? null : r.lastUpstream;
            to = r.caller;
        }
        if (again != null) {
            reply(again, to);
        }
    }

    private void relayInitial(SipMessage req, Peer from, String key, RequestView view, RoutingTable table, Forward fw) {
        Relay r = register(req, from, key);
        if (r == null) {
            return;
        }
        metrics.request(req.method(), Outcome.FORWARDED);
        metrics.tenant(fw.tenant().domain(), Outcome.FORWARDED);
        synchronized (r) {
            r.view = view;
            r.table = table;
            r.tenant = fw.tenant().domain();
            if (r.invite) {
                r.lastUpstream = req.response(100, "Trying", null).withEmptyBody().encode();
                reply(r.lastUpstream, r.caller);
            }
            sendToBackend(r, fw.backend());
        }
    }

    /**
     * A new open relay in the table, or null when the table is full (answered with a stateless 503) or the
     * same request is already being handled on another reader thread (a retransmission raced its original).
     */
    private Relay register(SipMessage req, Peer from, String key) {
        if (servers.size() >= settings.maxTransactions) {
            metrics.request(req.method(), Outcome.REPLIED);
            metrics.dropped(DropReason.OVERLOAD);
            replyStateless(req, from, 503, "Service Unavailable", 5);
            return null;
        }
        Relay r = newRelay(key, from, req);
        if (servers.putIfAbsent(key, r) != null) {
            absorbed.increment();
            return null;
        }
        open.incrementAndGet();
        return r;
    }

    private Relay newRelay(String key, Peer from, SipMessage req) {
        Relay r = new Relay(key, from, req, req.method());
        r.callerVias = List.copyOf(req.vias());
        return r;
    }

    /**
     * Sends the relay's request to a backend (to its best untried target when it is named by DNS); an
     * immediate send failure, or a name with no target, moves on like a timeout.
     */
    private void sendToBackend(Relay r, Backend backend) {
        r.tried.add(backend.uri());
        stats.relayed(backend.uri());
        try {
            Target target = nextTarget(backend, r);
            if (target == null) {
                errorLog.info("relay to {} failed: no address (it does not resolve, or every target was tried)", backend.uri());
                legFailed(r, null, true);
                return;
            }
            r.triedTargets.add(target.key());
            Peer peer = target.peer();
            SipMessage out = r.original.copy();
            // A pre-loaded Route set from outside is never honoured: the backend is ours to choose.
            out.removeAll("Route");
            decrementMaxForwards(out);
            if (r.invite) {
                recordRoute(out, r, Hop.of(r.caller, r.caller.reliable()), Hop.of(peer, false), r.tenant);
            }
            if (r.method.equals("REGISTER")) { // RFC 3327: the registrar's requests for this phone come back through us
                String flow = tokens.flowToken(new Flow(Hop.of(r.caller, r.caller.reliable()), r.tenant));
                out.prepend("Path", "<" + self.pathUriFor(peer.transport(), flow, ";lr") + ">");
            }
            startLeg(r, out, peer, backend, false);
        } catch (Exception e) {
            errorLog.info("relay to {} failed: {}", backend.uri(), e.toString());
            legFailed(r, null, true);
        }
    }

    /**
     * Our Record-Route, with the signed token naming both hops. A side that reaches us on another
     * transport (or port) gets an entry of its own (RFC 3261 §16.6 step 4, "double Record-Route"): the
     * callee uses the entry on top, the caller the one below.
     */
    private void recordRoute(SipMessage out, Relay r, Hop caller, Hop callee, String tenant) {
        String token = tokens.routeToken(out.callId(), new DialogPeers(out.from().tag() == null ? "" : out.from().tag(),
                caller, callee, tenant));
        String params = ";lr;" + TOKEN_PARAM + "=" + token;
        String callerSide = "<" + self.uriFor(r.caller.transport(), null, params) + ">";
        String calleeSide = "<" + self.uriFor(callee.transport(), null, params) + ">";
        if (!callerSide.equals(calleeSide)) {
            out.prepend("Record-Route", callerSide);
        }
        out.prepend("Record-Route", calleeSide);
    }

    /** Adds our Via with a fresh signed branch, registers the leg, sends it and arms its timers. */
    private void startLeg(Relay r, SipMessage out, Peer peer, Backend backend, boolean flowOnly) {
        String branch = tokens.branch('r', r.callerBinding);
        out.prepend("Via", via(peer.transport(), branch));
        byte[] bytes = out.encode();
        Leg leg = new Leg(r, branch, peer, backend, out, bytes);
        leg.flowOnly = flowOnly;
        r.legs.add(leg);
        r.current = leg;
        clients.put(branch, leg);
        if (!sendLeg(leg, bytes)) {
            if (flowOnly) {
                leg.stopTimers();
                finishLocally(r, 430); // RFC 5626 §5.3: the phone's flow is gone (or lives on another edge)
                return;
            }
            legFailed(r, leg, true);
            return;
        }
        if (peer.transport() == Peer.Transport.UDP) {
            leg.retransmitInterval = T1;
            leg.retransmit = wheel.schedule(T1, () -> retransmitLeg(leg));
        }
        leg.fr = wheel.schedule(settings.frMillis, () -> frExpired(leg));
    }

    private void relayInDialog(SipMessage req, Peer from, String key, RoutingTable table, InDialog dialog) {
        SipMessage out = req.copy();
        removeOurRoutes(out);
        decrementMaxForwards(out);
        String method = req.method();
        if (method.equals("BYE")) {
            stats.dialogClosed(req.callId());
        }
        if (method.equals("ACK")) { // end to end: relayed statelessly, the same branch for its retransmissions
            String branch = tokens.derivedBranch('s', req.topVia().branch() + "|" + req.requestUri(),
                    from.hostAddress() + ":" + from.address().getPort());
            out.prepend("Via", via(dialog.target().transport(), branch));
            metrics.request(method, Outcome.IN_DIALOG);
            if (dialog.flowOnly()) {
                wire.sendOnFlow(out.encode(), dialog.target());
            } else {
                send(out.encode(), dialog.target());
            }
            return;
        }
        Relay r = register(req, from, key);
        if (r == null) {
            return;
        }
        metrics.request(method, Outcome.IN_DIALOG);
        synchronized (r) {
            r.table = table;
            try {
                startLeg(r, out, dialog.target(), null, dialog.flowOnly());
            } catch (Exception e) {
                errorLog.info("in-dialog relay to {} failed: {}", dialog.target(), e.toString());
                finishLocally(r, 503);
            }
        }
    }

    /** A backend's initial request on our Path entry: to the phone over the flow it registered from. */
    private void relayToFlow(SipMessage req, Peer from, String key, RoutingTable table, Flow flow) {
        Relay r = register(req, from, key);
        if (r == null) {
            return;
        }
        metrics.request(req.method(), Outcome.FORWARDED);
        synchronized (r) {
            r.table = table;
            try {
                if (r.invite) {
                    r.lastUpstream = req.response(100, "Trying", null).withEmptyBody().encode();
                    reply(r.lastUpstream, r.caller);
                }
                SipMessage out = req.copy();
                out.removeFirst("Route"); // the Path entry with the flow token
                removeOurRoutes(out);
                decrementMaxForwards(out);
                if (r.invite) {
                    recordRoute(out, r, Hop.of(from, false), flow.hop(), flow.tenant());
                }
                startLeg(r, out, flow.hop().peer(), null, true);
            } catch (Exception e) {
                errorLog.info("relay to the flow {} failed: {}", flow.hop(), e.toString());
                finishLocally(r, 430);
            }
        }
    }

    /** Takes off the top Route entries that name this edge (RFC 3261 §16.4). */
    private void removeOurRoutes(SipMessage out) {
        for (String route = out.value("Route"); route != null && self.isOurs(NameAddr.parse(route).uri()); route = out.value("Route")) {
            out.removeFirst("Route");
        }
    }

    /** The flow our top Route's Path token names, when it verifies and the request comes from a backend. */
    private Flow flowOf(SipMessage req, Peer from, RoutingTable table) {
        SipUri top = RequestViews.topRoute(req);
        // the token, not the host, says it is ours: a Path names the edge that made it, and any edge of
        // the fleet can carry a UDP flow or say 430 for a connection it does not hold
        if (top == null || !DialogTokens.looksLikeFlowToken(top.user())) {
            return null;
        }
        if (!table.isDestinationHost(from.hostAddress()) && !resolver.isBackendAddress(from.hostAddress())) {
            return null; // only the tenants' PBXes may call a registered phone through us
        }
        return tokens.verifyFlow(top.user()).orElse(null);
    }

    private void cancel(SipMessage cancel, Peer from, String inviteKey) {
        Object known = servers.get(inviteKey);
        if (known instanceof Answered) { // too late: the INVITE has its final answer; the CANCEL changes nothing
            metrics.request("CANCEL", Outcome.REPLIED);
            replyStateless(cancel, from, 200, "OK", 0);
            return;
        }
        if (!(known instanceof Relay r) || !r.invite) {
            metrics.request("CANCEL", Outcome.REPLIED);
            replyStateless(cancel, from, 481, "Call/Transaction Does Not Exist", 0);
            return;
        }
        metrics.request("CANCEL", Outcome.FORWARDED);
        replyStateless(cancel, from, 200, "OK", 0);
        synchronized (r) {
            if (r.finished() || r.cancelled) {
                return;
            }
            r.cancelled = true;
            if (r.current != null && r.current.provisional) {
                sendCancel(r);
            }
            // else: CANCEL may only follow a provisional (RFC 3261 §9.1): it goes when one arrives, and
            // the fr timer answers 487 if the backend never speaks.
        }
    }

    private void sendCancel(Relay r) {
        Leg leg = r.current;
        try {
            sendLeg(leg, leg.request.cancel().encode());
            r.cancelSent = true;
            // the backend has fr to answer 487; if it never does, the caller still gets one
            if (leg.fr != null) {
                leg.fr.cancel();
            }
            leg.fr = wheel.schedule(settings.frMillis, () -> frExpired(leg));
        } catch (Exception e) {
            errorLog.info("CANCEL towards {} failed: {}", leg.peer, e.toString());
        }
    }

    /** The ACK for our non-2xx answer ends timer G; any other ACK on an INVITE's branch goes on to routing. */
    private boolean ackAbsorbed(Relay r) {
        synchronized (r) {
            if (r.finalStatus < 300 || r.state == Relay.State.GONE) {
                return false; // a 2xx ACK reusing the INVITE's branch is end to end
            }
            absorbed.increment();
            if (r.state == Relay.State.COMPLETED) {
                if (r.upstreamTimer != null) {
                    r.upstreamTimer.cancel();
                }
                r.state = Relay.State.LINGERING;
                r.lastUpstream = null;
                r.upstreamTimer = wheel.schedule(r.caller.transport() == Peer.Transport.UDP ? T4 : 0, () -> remove(r));
            }
            return true;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Responses

    public void onResponse(SipMessage resp, Peer from) {
        try {
            String branch = resp.topVia().branch();
            Object owner = branch == null ? null : clients.get(branch);
            if (owner instanceof Leg leg) {
                if (!"CANCEL".equals(resp.cseqMethod())) { // the 200 to our CANCEL needs nothing
                    legResponse(leg, resp);
                }
            } else if (owner instanceof ProbeLeg probe) {
                if (resp.status() >= 200 && clients.remove(branch, probe)) {
                    probe.stop();
                    probePending.remove(probe.target);
                    boolean alive = probe.probe.alive(resp.status());
                    targetUp.put(probe.target, alive);
                    if (probe.round.decides(alive)) {
                        probes.answered(probe.probe, resp.status());
                    }
                }
            } else {
                stray(resp, branch);
            }
        } catch (Exception | LinkageError e) {
            metrics.internalError();
            errorLog.info("response {} not handled: {}", resp.status(), e.toString());
            LOG.debug("response not handled", e);
        }
    }

    private void legResponse(Leg leg, SipMessage resp) {
        Relay r = leg.relay;
        int code = resp.status();
        synchronized (r) {
            if (r.finished() || leg != r.current) {
                if (r.invite && code / 100 == 2) {
                    forwardStateless(resp); // a late or retransmitted 2xx still creates a dialog the caller must see
                } else if (r.invite && code >= 300) {
                    ackHopByHop(leg, resp); // our ACK was lost: the backend retransmits its answer
                }
                return;
            }
            if (code < 200) {
                if (!leg.provisional) {
                    leg.provisional = true;
                    if (r.invite) { // timer A stops; the call may now ring for fr_inv
                        if (leg.retransmit != null) {
                            leg.retransmit.cancel();
                            leg.retransmit = null;
                        }
                        leg.fr.cancel();
                        leg.fr = wheel.schedule(settings.frInvMillis, () -> frExpired(leg));
                    }
                }
                if (r.cancelled && !r.cancelSent && r.invite) {
                    sendCancel(r);
                }
                if (code > 100) {
                    r.lastUpstream = upstream(r, resp);
                    reply(r.lastUpstream, r.caller);
                }
                return;
            }
            leg.stopTimers();
            if (r.invite && code >= 300) {
                ackHopByHop(leg, resp);
            }
            if (code >= 500 && r.canFailOver() && tryNextBackend(r)) {
                return;
            }
            metrics.relayedFinal(code);
            if (code / 100 == 2 && r.invite && r.tenant != null && leg.backend != null) {
                stats.dialogOpened(resp.callId(), leg.backend.uri(), System.currentTimeMillis());
            }
            byte[] bytes = upstream(r, resp);
            reply(bytes, r.caller);
            finish(r, code, bytes);
        }
    }

    /** The 'ACK for a non-2xx final is the proxy's own (RFC 3261 §17.1.1.3), the same one for each retransmission. */
    private void ackHopByHop(Leg leg, SipMessage resp) {
        if (leg.ackBytes == null) {
            if (leg.request == null) {
                return;
            }
            leg.ackBytes = leg.request.ackFor(resp).encode();
        }
        sendLeg(leg, leg.ackBytes);
    }

    /**
     * A backend's response for the caller's transaction, with the caller's Via list taken from the
     * request we received: correct even when a backend echoes a shortened Via list.
     */
    private static byte[] upstream(Relay r, SipMessage resp) {
        resp.setVias(r.callerVias);
        return resp.encode();
    }

    /**
     * A response that matches no leg: forwarded only when it is a 2xx to an INVITE (RFC 6026: they come
     * after the transaction is gone) and its branch is one this fleet made for the address it goes to.
     */
    private void stray(SipMessage resp, String branch) {
        List<ViaHop> vias = resp.vias();
        if (vias.size() < 2 || resp.status() / 100 != 2 || !"INVITE".equals(resp.cseqMethod())) {
            metrics.dropped(DropReason.STRAY_RESPONSE);
            return;
        }
        Peer to = responseTarget(vias.get(1));
        if (to == null || !tokens.isOurBranch(branch, to.hostAddress() + ":" + to.address().getPort())) {
            metrics.dropped(DropReason.STRAY_RESPONSE);
            return;
        }
        resp.removeFirst("Via");
        reply(resp.encode(), to);
    }

    private void forwardStateless(SipMessage resp) {
        stray(resp, resp.topVia().branch());
    }

    /** Where a response goes by a Via we rewrote on the way in: its received and rport. */
    private static Peer responseTarget(ViaHop via) {
        String host = via.received() != null ? via.received() : via.host();
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = via.rport() > 0 ? via.rport() : via.port() > 0 ? via.port() : 5060;
        if (host == null || !HostPort.isIpLiteral(host)) {
            return null;
        }
        try {
            return new Peer(Peer.Transport.of(via.transport()), new InetSocketAddress(host, port));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Timers

    private void retransmitLeg(Leg leg) {
        Relay r = leg.relay;
        synchronized (r) {
            if (r.finished() || leg != r.current || leg.bytes == null || (r.invite && leg.provisional)) {
                return;
            }
            sendLeg(leg, leg.bytes);
            retransmitted.increment();
            leg.retransmitInterval = r.invite ? leg.retransmitInterval * 2 : Math.min(leg.retransmitInterval * 2, T2);
            leg.retransmit = wheel.schedule(leg.retransmitInterval, () -> retransmitLeg(leg));
        }
    }

    private void frExpired(Leg leg) {
        Relay r = leg.relay;
        try {
            synchronized (r) {
                if (r.finished() || leg != r.current) {
                    return;
                }
                if (leg.provisional) { // an INVITE rang for fr_inv, or a non-INVITE went quiet after a 1xx
                    if (r.invite && !r.cancelSent) {
                        sendCancel(r);
                    }
                    finishLocally(r, r.cancelled ? 487 : 408);
                    return;
                }
                metrics.relayTimeout();
                legFailed(r, leg, true);
            }
        } catch (RuntimeException | LinkageError e) {
            metrics.internalError();
            errorLog.info("relay timer failed: {}", e.toString());
        }
    }

    /** The leg got no answer (or could not be sent): have the backend probed, fail over or answer. */
    private void legFailed(Relay r, Leg leg, boolean noAnswer) {
        if (leg != null) {
            leg.stopTimers();
            if (noAnswer && leg.backend != null) {
                probes.probeSoon(leg.backend.uri());
            }
        }
        if (r.cancelled) {
            finishLocally(r, 487);
        } else if (!r.canFailOver() || !tryNextBackend(r)) {
            finishLocally(r, 408);
        }
    }

    /** The destination's first untried target that has not missed a probe round (else its first untried one). */
    private Target nextTarget(Backend backend, Relay r) {
        Target fallback = null;
        for (Target t : resolver.targets(backend)) {
            if (r.triedTargets.contains(t.key())) {
                continue;
            }
            if (!Boolean.FALSE.equals(targetUp.get(t.key()))) {
                return t;
            }
            if (fallback == null) {
                fallback = t;
            }
        }
        return fallback;
    }

    private boolean tryNextBackend(Relay r) {
        Leg failed = r.current;
        if (failed != null && failed.backend != null && nextTarget(failed.backend, r) != null) {
            metrics.failover(); // another address of the same destination (another pod behind its name)
            stats.failedOver(failed.backend.uri());
            sendToBackend(r, failed.backend);
            return true;
        }
        RouteDecision next = router.route(r.view, r.table, health, r.tried, false);
        if (next instanceof Forward fw) {
            metrics.failover();
            if (r.current != null && r.current.backend != null) {
                stats.failedOver(r.current.backend.uri());
            }
            sendToBackend(r, fw.backend());
            return true;
        }
        return false;
    }

    private void finishLocally(Relay r, int status) {
        if (r.finished()) {
            return;
        }
        metrics.relayedFinal(status);
        byte[] bytes = null;
        try {
            bytes = r.original.response(status, phrase(status), statelessTag(r.original)).withEmptyBody().encode();
            reply(bytes, r.caller);
        } catch (RuntimeException e) {
            errorLog.info("could not answer {}: {}", status, e.toString());
        } finally {
            finish(r, status, bytes); // after the send: a draining edge may exit at zero
        }
    }

    /** The final answer went upstream: release what only an open relay needs, then linger or await the ACK. */
    private void finish(Relay r, int status, byte[] answer) {
        r.finalStatus = status;
        r.release();
        open.decrementAndGet();
        if (r.invite && status >= 300 && r.caller.transport() == Peer.Transport.UDP && answer != null) {
            r.state = Relay.State.COMPLETED; // timer G until the ACK, timer H gives up
            r.lastUpstream = answer;
            r.upstreamInterval = T1;
            long giveUpAt = wheel.now() + TIMER_H;
            r.upstreamTimer = wheel.schedule(T1, () -> retransmitUpstream(r, giveUpAt));
            return;
        }
        r.state = Relay.State.LINGERING;
        // INVITE retransmissions after a 2xx are absorbed in silence; others get the answer again
        r.lastUpstream = r.invite && status < 300 ? null : answer;
        if (r.invite && status >= 300) { // its legs stay: a backend that missed our ACK resends its answer
            r.upstreamTimer = wheel.schedule(settings.waitMillis, () -> remove(r));
            return;
        }
        // Lingering costs a key and a tombstone, not a relay: what survives young collections is what
        // a collection copies (at 3,000 calls/s, 30,000 lingering relays were most of every pause).
        Answered tombstone = new Answered(r.lastUpstream, r.caller, status);
        servers.replace(r.key, r, tombstone);
        r.state = Relay.State.GONE;
        for (Leg leg : r.legs) {
            leg.stopTimers();
            clients.remove(leg.branch, leg); // a late 2xx still goes up: its branch is signed (see stray)
        }
        String key = r.key;
        wheel.schedule(settings.waitMillis, () -> servers.remove(key, tombstone));
    }

    /** A finished transaction as it lingers: the answer to repeat for a retransmitted request, if any. */
    private record Answered(byte[] lastUpstream, Peer caller, int finalStatus) {
    }

    private void retransmitUpstream(Relay r, long giveUpAt) {
        synchronized (r) {
            if (r.state != Relay.State.COMPLETED) {
                return;
            }
            if (wheel.now() >= giveUpAt) {
                remove(r);
                return;
            }
            reply(r.lastUpstream, r.caller);
            retransmitted.increment();
            r.upstreamInterval = Math.min(r.upstreamInterval * 2, T2);
            r.upstreamTimer = wheel.schedule(r.upstreamInterval, () -> retransmitUpstream(r, giveUpAt));
        }
    }

    private void remove(Relay r) {
        synchronized (r) {
            r.state = Relay.State.GONE;
            r.lastUpstream = null;
            servers.remove(r.key, r);
            for (Leg leg : r.legs) {
                leg.stopTimers();
                clients.remove(leg.branch, leg);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Probes

    private static final class ProbeLeg {
        final OptionsProber.Probe probe;
        final String target;
        final ProbeRound round;
        volatile TimerWheel.Timeout retransmit;

        ProbeLeg(OptionsProber.Probe probe, String target, ProbeRound round) {
            this.probe = probe;
            this.target = target;
            this.round = round;
        }

        void stop() {
            if (retransmit != null) {
                retransmit.cancel();
            }
        }
    }

    /**
     * Sends one health probe (OPTIONS) to each target of a destination: the destination is up when any
     * answers (its first answer goes to {@link ProbeOutcomes}); a target that let a whole round pass
     * without answering is passed over by new calls until it answers again.
     */
    @Override
    public Runnable send(Backend destination, OptionsProber.Probe probe) throws Exception {
        List<Target> targets = resolver.targets(destination);
        if (targets.isEmpty()) {
            throw new IllegalStateException(destination.uri() + " has no address");
        }
        ProbeRound round = new ProbeRound(targets.size());
        List<Runnable> abandons = new java.util.ArrayList<>(targets.size());
        for (Target t : targets) {
            if (targets.size() > 1 && probePending.contains(t.key())) {
                targetUp.put(t.key(), false); // silent for a whole round
            }
            probePending.add(t.key());
            abandons.add(sendProbe(destination, t, probe, round));
        }
        return () -> abandons.forEach(Runnable::run);
    }

    /** One probe of a destination over all its targets: alive at the first alive answer, dead when every target said so. */
    private static final class ProbeRound {
        final java.util.concurrent.atomic.AtomicInteger unanswered;
        final java.util.concurrent.atomic.AtomicBoolean decided = new java.util.concurrent.atomic.AtomicBoolean();

        ProbeRound(int targets) {
            this.unanswered = new java.util.concurrent.atomic.AtomicInteger(targets);
        }

        /** @return whether this answer decides the destination's probe */
        boolean decides(boolean alive) {
            boolean last = unanswered.decrementAndGet() == 0;
            return (alive || last) && decided.compareAndSet(false, true);
        }
    }

    private Runnable sendProbe(Backend destination, Target target, OptionsProber.Probe probe, ProbeRound round) {
        Peer peer = target.peer();
        String branch = tokens.branch('p', "probe");
        String edgeHost = self.advertised().host().indexOf(':') >= 0 ? "[" + self.advertised().host() + "]" : self.advertised().host();
        SipMessage options = SipMessage.request("OPTIONS", destination.uri(), List.of(
                new String[] {"Via", via(peer.transport(), branch)},
                new String[] {"Max-Forwards", "70"},
                new String[] {"From", "<sip:pbx3sbc-edge@" + edgeHost + ">;tag=p"
                        + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL)},
                new String[] {"To", "<" + destination.uri() + ">"},
                new String[] {"Call-ID", Long.toHexString(ThreadLocalRandom.current().nextLong()) + "@" + edgeHost},
                new String[] {"CSeq", "1 OPTIONS"}));
        byte[] bytes = options.encode();
        ProbeLeg leg = new ProbeLeg(probe, target.key(), round);
        clients.put(branch, leg);
        send(bytes, peer);
        if (peer.transport() == Peer.Transport.UDP) { // timer E until answered or abandoned: a lost datagram is not a dead host
            retransmitProbe(leg, branch, bytes, peer, T1);
        }
        return () -> {
            clients.remove(branch, leg);
            leg.stop();
        };
    }

    private void retransmitProbe(ProbeLeg leg, String branch, byte[] bytes, Peer peer, long interval) {
        leg.retransmit = wheel.schedule(interval, () -> {
            if (clients.get(branch) == leg) {
                send(bytes, peer);
                retransmitProbe(leg, branch, bytes, peer, Math.min(interval * 2, T2));
            }
        });
    }

    // ---------------------------------------------------------------------------------------------
    // In-dialog requests: the signed Record-Route and where it allows the request to go

    /** Where an in-dialog request goes: the other side's hop as the token names it, and the dialog's tenant. */
    record InDialog(Peer target, boolean flowOnly, String tenant) {
        static final InDialog NONE = new InDialog(null, false, null);
    }

    /**
     * The other side of the dialog, when our top Route carries a token for this Call-ID: the dialog is
     * recognised by its signed token and the request's tags, not by host strings, so a backend named by
     * DNS, answering from another address, or a phone behind a NAT all keep their dialogs. The
     * Request-URI (the other side's Contact) is left as it is; the packet goes to the recorded hop.
     */
    private InDialog inDialog(SipMessage req) {
        String token = null;
        for (String route : req.values("Route")) {
            SipUri uri = NameAddr.parse(route).uri();
            if (!self.isOurs(uri)) {
                break;
            }
            token = uri.param(TOKEN_PARAM);
            if (token != null) {
                break;
            }
        }
        if (token == null) {
            return InDialog.NONE;
        }
        Optional<DialogPeers> peers = tokens.verifyRoute(req.callId(), token);
        if (peers.isEmpty()) {
            return InDialog.NONE;
        }
        Hop next = peers.get().towards(req.from().tag(), req.to().tag());
        if (next == null) {
            return InDialog.NONE;
        }
        try {
            return new InDialog(next.peer(), next.flowOnly(), peers.get().tenant());
        } catch (IllegalArgumentException e) {
            return InDialog.NONE;
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Small pieces

    private static Peer peerOf(String host, int port, String transport) {
        return new Peer(Peer.Transport.of(transport), new InetSocketAddress(host, port));
    }

    private String via(Peer.Transport transport, String branch) {
        HostPort at = self.viaFor(transport);
        return ViaHop.ours(transport.token(), at.host(), at.port(), branch).toString();
    }

    private static void decrementMaxForwards(SipMessage out) {
        int mf = out.maxForwards();
        out.set("Max-Forwards", String.valueOf(mf < 0 ? 70 : Math.max(0, mf - 1)));
    }

    /** A tag derived from the request: the same answer to each retransmission (Kamailio's sl does the same). */
    private static String statelessTag(SipMessage req) {
        int h = (req.callId() + "|" + req.from().tag() + "|" + req.topVia().branch()).hashCode();
        return "e" + Integer.toHexString(h);
    }

    private static String phrase(int status) {
        return switch (status) {
            case 408 -> "Request Timeout";
            case 430 -> "Flow Failed";
            case 487 -> "Request Terminated";
            case 503 -> "Service Unavailable";
            default -> "Error";
        };
    }

    private boolean send(byte[] bytes, Peer to) {
        return bytes != null && wire.send(bytes, to);
    }

    /** Towards the side that sent us the request: over its flow, never a new connection to it. */
    private boolean reply(byte[] bytes, Peer to) {
        return bytes != null && wire.sendOnFlow(bytes, to);
    }

    private boolean sendLeg(Leg leg, byte[] bytes) {
        return leg.flowOnly ? reply(bytes, leg.peer) : send(bytes, leg.peer);
    }
}
