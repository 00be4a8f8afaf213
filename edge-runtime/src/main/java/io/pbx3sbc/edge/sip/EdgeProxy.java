package io.pbx3sbc.edge.sip;

import gov.nist.javax.sip.RequestEventExt;
import gov.nist.javax.sip.stack.SIPServerTransaction;
import io.pbx3sbc.edge.admin.EdgeMetrics;
import io.pbx3sbc.edge.admin.EdgeMetrics.Outcome;
import io.pbx3sbc.edge.dispatch.DestinationStats;
import io.pbx3sbc.edge.dispatch.HealthTracker;
import io.pbx3sbc.edge.routing.ActiveTable;
import io.pbx3sbc.edge.routing.Backend;
import io.pbx3sbc.edge.routing.RequestView;
import io.pbx3sbc.edge.routing.RouteDecision;
import io.pbx3sbc.edge.routing.RouteDecision.Cancel;
import io.pbx3sbc.edge.routing.RouteDecision.Drop;
import io.pbx3sbc.edge.routing.RouteDecision.DropReason;
import io.pbx3sbc.edge.routing.RouteDecision.Forward;
import io.pbx3sbc.edge.routing.RouteDecision.ForwardInDialog;
import io.pbx3sbc.edge.routing.RouteDecision.Reply;
import io.pbx3sbc.edge.routing.Router;
import io.pbx3sbc.edge.routing.RoutingTable;
import io.pbx3sbc.edge.sip.SipEndpoint.SipFactories;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sip.ClientTransaction;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.Hop;
import javax.sip.address.SipURI;
import javax.sip.header.CallIdHeader;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.RouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The SIP listener: a translator between JAIN-SIP and the pure {@link Router}. For each request it reads
 * the active {@link RoutingTable} once, asks the router, and applies the decision: relay statefully
 * (with failover), relay along the dialog's Route set, answer with a status, or say nothing.
 *
 * <p>Relaying is transaction-stateful as Kamailio's {@code t_relay}: the caller gets our 100 Trying at
 * once and never the backend's; a backend that does not answer within the fr timer, or answers 5xx
 * before any final answer, is replaced by the next healthy destination of the set; a ringing INVITE is
 * cancelled after the fr_inv timer. Every exception stops at this boundary: a bad message never takes
 * the listener down.
 */
public final class EdgeProxy implements SipListener {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeProxy.class);
    /** The CANCEL legs we send: their 200 needs no handling. */
    private static final Object CANCEL_LEG = new Object();

    private final SipProvider provider;
    private final SipFactories f;
    private final SelfAddress self;
    private final ActiveTable tables;
    private final Router router;
    private final HealthTracker health;
    private final EdgeMetrics metrics;
    private final ScheduledExecutorService timers;
    private final Duration frTimer;
    private final Duration frInvTimer;
    private final ProbeResponses probes;
    private final DestinationStats stats;
    private final RateLimitedLog doorKnockLog = new RateLimitedLog(LoggerFactory.getLogger("io.pbx3sbc.edge.doorknock"), 20);
    private final RateLimitedLog errorLog = new RateLimitedLog(LOG, 5);
    private final AtomicInteger openTransactions = new AtomicInteger();
    private volatile boolean draining;

    /** Where the answers to our OPTIONS probes go (the prober owns them). */
    public interface ProbeResponses {
        boolean owns(Object applicationData);

        void answered(Object applicationData, int status);

        void timedOut(Object applicationData);

        /** A relayed request to this destination went unanswered: check it now. */
        void probeSoon(String uri);
    }

    public EdgeProxy(SipProvider provider, SipFactories factories, SelfAddress self, ActiveTable tables, Router router,
                     HealthTracker health, EdgeMetrics metrics, ScheduledExecutorService timers, Duration frTimer,
                     Duration frInvTimer, ProbeResponses probes, DestinationStats stats) {
        this.provider = provider;
        this.f = factories;
        this.self = self;
        this.tables = tables;
        this.router = router;
        this.health = health;
        this.metrics = metrics;
        this.timers = timers;
        this.frTimer = frTimer;
        this.frInvTimer = frInvTimer;
        this.probes = probes;
        this.stats = stats;
    }

    /** Stop taking new dialogs: new requests get 503, keepalive OPTIONS get 503 so balancers move away. */
    public void startDraining() {
        draining = true;
    }

    public boolean draining() {
        return draining;
    }

    /** Relayed transactions not finished yet (drain waits for zero). */
    public int openTransactions() {
        return openTransactions.get();
    }

    // ---------------------------------------------------------------------------------------------
    // Requests

    @Override
    public void processRequest(RequestEvent event) {
        Request req = event.getRequest();
        String method = req.getMethod();
        try {
            RoutingTable table = tables.current();
            if (table == null) {
                metrics.request(method, Outcome.DROPPED);
                metrics.dropped(DropReason.NOT_READY);
                return;
            }
            RequestView view = RequestViews.of(req, self);
            RouteDecision decision = router.route(view, table, health, Set.of(), draining);
            if (decision instanceof Drop d) {
                drop(req, view, d.reason(), event);
            } else if (decision instanceof Reply r) {
                reply(event, req, r);
            } else if (decision instanceof Cancel) {
                cancel(event, req);
            } else if (decision instanceof Forward fw) {
                relayInitial(event, req, view, table, fw);
            } else if (decision instanceof ForwardInDialog) {
                relayInDialog(event, req, table);
            }
        } catch (TransactionAlreadyExistsException retransmission) {
            // A retransmission raced its original into the listener; the transaction answers it.
        } catch (Exception | LinkageError e) {
            metrics.internalError();
            errorLog.info("request {} {} not handled: {}", method, req.getRequestURI(), e.toString());
            LOG.debug("request not handled", e);
        }
    }

    private void drop(Request req, RequestView view, DropReason reason, RequestEvent event) {
        metrics.request(req.getMethod(), Outcome.DROPPED);
        metrics.dropped(reason);
        switch (reason) {
            case UNKNOWN_DOMAIN, DISABLED_DOMAIN, DOMAIN_MISMATCH, SCANNER -> doorKnockLog.info(
                    "Door-knock dropped: reason={} domain={} src={}", reason.label(), view.requestUriHost(), source(event));
            default -> {
            }
        }
        if (reason == DropReason.DISABLED_DOMAIN) {
            metrics.tenant(view.requestUriHost(), Outcome.DROPPED);
        }
    }

    private void reply(RequestEvent event, Request req, Reply r) throws Exception {
        metrics.request(req.getMethod(), Outcome.REPLIED);
        if (r.countedAs() != DropReason.NONE) {
            metrics.dropped(r.countedAs());
        }
        if (req.getMethod().equals(Request.ACK)) {
            return; // never answer an ACK
        }
        Response resp = f.messages().createResponse(r.status(), req);
        resp.setReasonPhrase(r.reasonPhrase());
        if (r.retryAfterSeconds() > 0) {
            resp.addHeader(f.headers().createRetryAfterHeader(r.retryAfterSeconds()));
        }
        if (r.status() == 405 || r.status() == 200) {
            for (String m : router.allowedMethods()) {
                resp.addHeader(f.headers().createAllowHeader(m));
            }
        }
        tagIfNeeded(resp);
        serverTransaction(event, req).sendResponse(resp);
    }

    private ServerTransaction serverTransaction(RequestEvent event, Request req) throws Exception {
        ServerTransaction st = event.getServerTransaction();
        return st != null ? st : provider.getNewServerTransaction(req);
    }

    private void relayInitial(RequestEvent event, Request req, RequestView view, RoutingTable table, Forward fw)
            throws Exception {
        ServerTransaction st = serverTransaction(event, req);
        Relay relay = new Relay(st, req, view, table, fw.tenant().domain());
        st.setApplicationData(relay);
        openTransactions.incrementAndGet();
        metrics.request(req.getMethod(), Outcome.FORWARDED);
        metrics.tenant(fw.tenant().domain(), Outcome.FORWARDED);
        if (req.getMethod().equals(Request.INVITE)) {
            st.sendResponse(f.messages().createResponse(Response.TRYING, req));
        }
        synchronized (relay) {
            sendTo(relay, fw.backend());
        }
    }

    /** Sends the relay's request to a backend; on an immediate send failure moves on like a timeout. */
    private void sendTo(Relay relay, Backend backend) {
        relay.tried.add(backend.uri());
        relay.backend = backend;
        relay.provisional = false;
        stats.relayed(backend.uri());
        Hop hop = NextHopRouter.hop(backend.address().host(), backend.address().port(), backend.address().transport());
        try {
            Request out = outgoing(relay.original, relay.original.getMethod().equals(Request.INVITE), hop.getTransport());
            startLeg(relay, out, hop);
        } catch (Exception e) {
            errorLog.info("relay to {} failed: {}", backend.uri(), e.toString());
            legFailed(relay, relay.current, true);
        }
    }

    private void startLeg(Relay relay, Request out, Hop hop) throws Exception {
        ClientTransaction ct = NextHopRouter.via(hop, () -> provider.getNewClientTransaction(out));
        ct.setApplicationData(relay);
        relay.current = ct;
        relay.hop = hop;
        NextHopRouter.via(hop, () -> {
            ct.sendRequest();
            return null;
        });
        relay.arm(timers, frTimer, () -> onTimer(relay, ct));
    }

    private void relayInDialog(RequestEvent event, Request req, RoutingTable table) throws Exception {
        Request out = (Request) req.clone();
        while (out.getHeader(RouteHeader.NAME) instanceof RouteHeader top && self.isOurs(top.getAddress().getURI())) {
            out.removeFirst(RouteHeader.NAME);
        }
        RouteHeader next = (RouteHeader) out.getHeader(RouteHeader.NAME);
        javax.sip.address.URI target = next != null ? next.getAddress().getURI() : out.getRequestURI();
        if (!(target instanceof SipURI)) {
            reply(event, req, new Reply(404, "Not Here", 0, DropReason.FOREIGN_ROUTE));
            return;
        }
        Hop hop = NextHopRouter.hopOf(target);
        // Open-relay guard: a request from outside may only travel towards one of our backends.
        String src = sourceHost(event);
        if ((src == null || !table.isDestinationHost(src)) && !table.isDestination(hop.getHost(), hop.getPort())) {
            reply(event, req, new Reply(404, "Not Here", 0, DropReason.FOREIGN_ROUTE));
            return;
        }
        if (req.getMethod().equals(Request.BYE)) {
            stats.dialogClosed(((CallIdHeader) req.getHeader(CallIdHeader.NAME)).getCallId());
        }
        decrementMaxForwards(out);
        String transport = hop.getTransport();
        if (req.getMethod().equals(Request.ACK)) {
            out.addFirst(via(transport, statelessBranch(req)));
            metrics.request(req.getMethod(), Outcome.IN_DIALOG);
            NextHopRouter.via(hop, () -> {
                provider.sendRequest(out);
                return null;
            });
            return;
        }
        out.addFirst(via(transport, null));
        ServerTransaction st = serverTransaction(event, req);
        Relay relay = new Relay(st, req, null, table, null);
        st.setApplicationData(relay);
        openTransactions.incrementAndGet();
        metrics.request(req.getMethod(), Outcome.IN_DIALOG);
        synchronized (relay) {
            try {
                startLeg(relay, out, hop);
            } catch (Exception e) {
                errorLog.info("in-dialog relay to {} failed: {}", hop, e.toString());
                finishLocally(relay, Response.SERVICE_UNAVAILABLE);
            }
        }
    }

    private void cancel(RequestEvent event, Request cancel) throws Exception {
        ServerTransaction cst = serverTransaction(event, cancel);
        SIPServerTransaction invite = ((SIPServerTransaction) cst).getCanceledInviteTransaction();
        if (invite == null || !(invite.getApplicationData() instanceof Relay relay)) {
            metrics.request(cancel.getMethod(), Outcome.REPLIED);
            cst.sendResponse(f.messages().createResponse(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, cancel));
            return;
        }
        metrics.request(cancel.getMethod(), Outcome.FORWARDED);
        cst.sendResponse(f.messages().createResponse(Response.OK, cancel));
        synchronized (relay) {
            if (relay.finished) {
                return;
            }
            relay.cancelled = true;
            if (relay.provisional) {
                sendCancel(relay);
            }
            // else: CANCEL may only follow a provisional (RFC 3261 9.1); it is sent when one arrives,
            // and the fr timer answers 487 if the backend never speaks.
        }
    }

    private void sendCancel(Relay relay) {
        try {
            Request c = relay.current.createCancel();
            ClientTransaction cct = NextHopRouter.via(relay.hop, () -> provider.getNewClientTransaction(c));
            cct.setApplicationData(CANCEL_LEG);
            NextHopRouter.via(relay.hop, () -> {
                cct.sendRequest();
                return null;
            });
            relay.cancelSent = true;
        } catch (Exception e) {
            errorLog.info("CANCEL towards {} failed: {}", relay.hop, e.toString());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Responses and timers

    @Override
    public void processResponse(ResponseEvent event) {
        Response resp = event.getResponse();
        try {
            ClientTransaction ct = event.getClientTransaction();
            Object app = ct == null ? null : ct.getApplicationData();
            if (app instanceof Relay relay) {
                onRelayResponse(relay, ct, resp);
            } else if (app != null && probes.owns(app)) {
                probes.answered(app, resp.getStatusCode());
            } else if (app == null) {
                forwardStateless(resp); // 2xx retransmissions after the transaction ended
            }
        } catch (Exception | LinkageError e) {
            metrics.internalError();
            errorLog.info("response {} not handled: {}", resp.getStatusCode(), e.toString());
            LOG.debug("response not handled", e);
        }
    }

    private void onRelayResponse(Relay relay, ClientTransaction ct, Response resp) throws Exception {
        int code = resp.getStatusCode();
        synchronized (relay) {
            if (relay.finished || ct != relay.current) {
                if (code / 100 == 2 && relay.isInvite()) {
                    forwardStateless(resp); // a late 2xx still creates a dialog the caller must see
                }
                return;
            }
            if (code < 200) {
                if (!relay.provisional) {
                    relay.provisional = true;
                    if (relay.isInvite()) {
                        relay.arm(timers, frInvTimer, () -> onTimer(relay, ct));
                    }
                }
                if (relay.cancelled && !relay.cancelSent && relay.isInvite()) {
                    sendCancel(relay);
                }
                if (code > 100) {
                    relay.st.sendResponse(upstream(resp, relay.original));
                }
                return;
            }
            if (code >= 500 && relay.canFailOver() && tryNextBackend(relay)) {
                return;
            }
            metrics.relayedFinal(code);
            if (code / 100 == 2 && relay.isInvite() && relay.tenant != null) {
                stats.dialogOpened(relay.view.callId(), relay.backend.uri(), System.currentTimeMillis());
            }
            try {
                relay.st.sendResponse(upstream(resp, relay.original));
            } finally {
                relay.finish(openTransactions); // after the send: a draining edge may exit at zero
            }
        }
    }

    private void onTimer(Relay relay, ClientTransaction ct) {
        try {
            synchronized (relay) {
                if (relay.finished || ct != relay.current) {
                    return;
                }
                if (relay.provisional) { // an INVITE rang for fr_inv, or a non-INVITE went quiet after a 1xx
                    if (relay.isInvite()) {
                        sendCancel(relay);
                    }
                    finishLocally(relay, relay.cancelled ? Response.REQUEST_TERMINATED : Response.REQUEST_TIMEOUT);
                    return;
                }
                metrics.relayTimeout();
                legFailed(relay, ct, true);
            }
        } catch (Exception | LinkageError e) {
            metrics.internalError();
            errorLog.info("relay timer failed: {}", e.toString());
        }
    }

    /** The current leg got no answer (or could not be sent): have the backend probed, fail over or answer. */
    private void legFailed(Relay relay, ClientTransaction ct, boolean noAnswer) {
        if (ct != null) {
            try {
                ct.terminate();
            } catch (Exception ignored) {
                // already gone
            }
        }
        if (noAnswer && relay.backend != null) {
            probes.probeSoon(relay.backend.uri());
        }
        if (relay.cancelled) {
            finishLocally(relay, Response.REQUEST_TERMINATED);
        } else if (!relay.canFailOver() || !tryNextBackend(relay)) {
            finishLocally(relay, Response.REQUEST_TIMEOUT);
        }
    }

    private boolean tryNextBackend(Relay relay) {
        RouteDecision next = router.route(relay.view, relay.table, health, relay.tried, false);
        if (next instanceof Forward fw) {
            metrics.failover();
            if (relay.backend != null) {
                stats.failedOver(relay.backend.uri());
            }
            sendTo(relay, fw.backend());
            return true;
        }
        return false;
    }

    private void finishLocally(Relay relay, int status) {
        if (relay.finished) {
            return;
        }
        metrics.relayedFinal(status);
        try {
            Response r = f.messages().createResponse(status, relay.original);
            tagIfNeeded(r);
            relay.st.sendResponse(r);
        } catch (Exception e) {
            errorLog.info("could not answer {}: {}", status, e.toString());
        } finally {
            relay.finish(openTransactions); // after the send: a draining edge may exit at zero
        }
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        if (event.isServerTransaction()) {
            return;
        }
        ClientTransaction ct = event.getClientTransaction();
        Object app = ct.getApplicationData();
        if (app instanceof Relay relay) {
            synchronized (relay) {
                if (!relay.finished && ct == relay.current) {
                    metrics.relayTimeout();
                    legFailed(relay, ct, !relay.provisional);
                }
            }
        } else if (app != null && probes.owns(app)) {
            probes.timedOut(app);
        }
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        LOG.debug("transport error towards {}:{}/{}", event.getHost(), event.getPort(), event.getTransport());
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
        if (event.isServerTransaction() && event.getServerTransaction().getApplicationData() instanceof Relay relay) {
            synchronized (relay) {
                relay.finish(openTransactions);
            }
        }
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
        // no dialogs: AUTOMATIC_DIALOG_SUPPORT is off
    }

    /** Sends one health probe (OPTIONS) to a destination; the answer goes to {@link ProbeResponses}. */
    public Runnable sendProbe(Backend destination, Object probe) throws Exception {
        SipURI target = (SipURI) f.addresses().createURI(destination.uri());
        Hop hop = NextHopRouter.hop(destination.address().host(), destination.address().port(), destination.address().transport());
        SipURI fromUri = f.addresses().createSipURI("pbx3sbc-edge", self.advertised().host());
        Request options = f.messages().createRequest(target, Request.OPTIONS, provider.getNewCallId(),
                f.headers().createCSeqHeader(1L, Request.OPTIONS),
                f.headers().createFromHeader(f.addresses().createAddress(fromUri),
                        "p" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL)),
                f.headers().createToHeader(f.addresses().createAddress(target), null),
                new java.util.ArrayList<>(java.util.List.of(via(hop.getTransport(), null))),
                f.headers().createMaxForwardsHeader(70));
        ClientTransaction ct = NextHopRouter.via(hop, () -> provider.getNewClientTransaction(options));
        ct.setApplicationData(probe);
        NextHopRouter.via(hop, () -> {
            ct.sendRequest();
            return null;
        });
        return () -> {
            try {
                ct.terminate(); // stop retransmitting a probe we no longer wait for
            } catch (Exception ignored) {
                // already terminated
            }
        };
    }

    // ---------------------------------------------------------------------------------------------
    // Message building

    /** A copy of an initial request ready for a backend: Max-Forwards, our Via, Record-Route for INVITE. */
    private Request outgoing(Request original, boolean recordRoute, String transport) throws Exception {
        Request out = (Request) original.clone();
        // A pre-loaded Route set from outside is never honoured: the backend is ours to choose.
        out.removeHeader(RouteHeader.NAME);
        decrementMaxForwards(out);
        if (recordRoute) {
            SipURI rr = f.addresses().createSipURI(null, self.advertised().host());
            rr.setPort(self.advertised().port());
            rr.setLrParam();
            String inbound = ((ViaHeader) original.getHeader(ViaHeader.NAME)).getTransport();
            if (inbound != null && inbound.equalsIgnoreCase("tcp")) {
                rr.setTransportParam("tcp");
            }
            RecordRouteHeader rrh = f.headers().createRecordRouteHeader(f.addresses().createAddress(rr));
            out.addFirst(rrh);
        }
        out.addFirst(via(transport, null));
        return out;
    }

    private ViaHeader via(String transport, String branch) throws Exception {
        ViaHeader via = f.headers().createViaHeader(self.via().host(), self.via().port(), transport,
                branch != null ? branch : "z9hG4bK-e" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        via.setRPort();
        return via;
    }

    /** A stateless relay of an ACK must reuse the same branch for retransmissions (RFC 3261 16.11). */
    private static String statelessBranch(Request req) {
        ViaHeader top = (ViaHeader) req.getHeader(ViaHeader.NAME);
        String key = top.getBranch() + "|" + req.getRequestURI();
        return "z9hG4bK-s" + Integer.toHexString(key.hashCode());
    }

    private void decrementMaxForwards(Request out) throws Exception {
        MaxForwardsHeader mf = (MaxForwardsHeader) out.getHeader(MaxForwardsHeader.NAME);
        if (mf == null) {
            out.addHeader(f.headers().createMaxForwardsHeader(70));
        } else {
            mf.decrementMaxForwards();
        }
    }

    /** A backend's response made ready for the caller: our Via removed. */
    private static Response upstream(Response resp) {
        Response up = (Response) resp.clone();
        up.removeFirst(ViaHeader.NAME);
        return up;
    }

    /**
     * A backend's response for the caller's transaction, with the caller's Via headers taken from the
     * request we received: correct even when a backend echoes a shortened Via list (as UAs answering
     * an INVITE after a CANCEL sometimes do).
     */
    private static Response upstream(Response resp, Request original) throws javax.sip.SipException {
        Response up = (Response) resp.clone();
        up.removeHeader(ViaHeader.NAME);
        for (var it = original.getHeaders(ViaHeader.NAME); it.hasNext(); ) {
            up.addLast((ViaHeader) ((ViaHeader) it.next()).clone());
        }
        return up;
    }

    /** A response no client transaction wants (see {@link StrayResponseValve}): forward it if it is ours. */
    public void strayResponse(Response resp) {
        try {
            forwardStateless(resp);
        } catch (Exception | LinkageError e) {
            metrics.internalError();
            errorLog.info("stray response {} not forwarded: {}", resp.getStatusCode(), e.toString());
        }
    }

    private void forwardStateless(Response resp) throws Exception {
        ViaHeader top = (ViaHeader) resp.getHeader(ViaHeader.NAME);
        if (top == null || !self.isOurVia(top.getHost(), top.getPort())) {
            return; // not a response to anything we sent
        }
        Response up = upstream(resp);
        if (up.getHeader(ViaHeader.NAME) != null) {
            provider.sendResponse(up);
        }
    }

    private void tagIfNeeded(Response r) throws Exception {
        ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
        if (r.getStatusCode() > 100 && to.getTag() == null) {
            to.setTag("e" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL));
        }
    }

    private static String source(RequestEvent event) {
        return event instanceof RequestEventExt ext ? ext.getRemoteIpAddress() + ":" + ext.getRemotePort() : "?";
    }

    private static String sourceHost(RequestEvent event) {
        return event instanceof RequestEventExt ext ? ext.getRemoteIpAddress() : null;
    }

    /** One relayed request: its server transaction, the current client leg and what was tried. Guarded by itself. */
    static final class Relay {
        final ServerTransaction st;
        final Request original;
        final RequestView view;
        final RoutingTable table;
        /** Tenant domain for initial requests; null for in-dialog ones (no failover along a Route set). */
        final String tenant;
        final Set<String> tried = new java.util.HashSet<>(4);
        ClientTransaction current;
        Backend backend;
        Hop hop;
        boolean provisional;
        boolean cancelled;
        boolean cancelSent;
        boolean finished;
        java.util.concurrent.ScheduledFuture<?> timer;

        Relay(ServerTransaction st, Request original, RequestView view, RoutingTable table, String tenant) {
            this.st = st;
            this.original = original;
            this.view = view;
            this.table = table;
            this.tenant = tenant;
        }

        boolean isInvite() {
            return original.getMethod().equals(Request.INVITE);
        }

        boolean canFailOver() {
            return tenant != null && !cancelled;
        }

        void arm(ScheduledExecutorService timers, Duration after, Runnable action) {
            if (timer != null) {
                timer.cancel(false);
            }
            timer = timers.schedule(action, after.toMillis(), TimeUnit.MILLISECONDS);
        }

        void finish(AtomicInteger open) {
            if (!finished) {
                finished = true;
                open.decrementAndGet();
                if (timer != null) {
                    timer.cancel(false);
                }
            }
        }
    }
}
