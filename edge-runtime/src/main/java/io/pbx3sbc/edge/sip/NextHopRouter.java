package io.pbx3sbc.edge.sip;

import gov.nist.javax.sip.stack.HopImpl;

import javax.sip.SipException;
import javax.sip.SipStack;
import javax.sip.address.Hop;
import javax.sip.address.Router;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.RouteHeader;
import javax.sip.message.Request;
import java.util.List;
import java.util.ListIterator;
import java.util.concurrent.Callable;

/**
 * JAIN-SIP asks its Router where to send each request it creates a transaction for. The edge knows
 * that already (the backend the {@code Router} picked, Kamailio's {@code $du}), without rewriting the
 * Request-URI or adding a Route header: the chosen hop is handed over on the calling thread for the
 * duration of the send. Without one, the hop is the top Route, else the Request-URI.
 */
public final class NextHopRouter implements Router {
    private static final ThreadLocal<Hop> CHOSEN = new ThreadLocal<>();

    /** JAIN-SIP instantiates routers reflectively with this signature (javax.sip.ROUTER_PATH). */
    public NextHopRouter(SipStack stack, String outboundProxy) {
    }

    public static <T> T via(Hop hop, Callable<T> send) throws SipException {
        Hop before = CHOSEN.get();
        CHOSEN.set(hop);
        try {
            return send.call();
        } catch (SipException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new SipException(e.getMessage(), e);
        } finally {
            CHOSEN.set(before);
        }
    }

    public static Hop hopOf(URI uri) {
        SipURI sip = (SipURI) uri;
        String transport = sip.getTransportParam() == null ? (sip.isSecure() ? "tls" : "udp") : sip.getTransportParam();
        int port = sip.getPort() > 0 ? sip.getPort() : (sip.isSecure() ? 5061 : 5060);
        return new HopImpl(sip.getHost(), port, transport.toLowerCase(java.util.Locale.ROOT));
    }

    public static Hop hop(String host, int port, String transport) {
        return new HopImpl(host, port, transport);
    }

    @Override
    public Hop getNextHop(Request request) throws SipException {
        Hop chosen = CHOSEN.get();
        if (chosen != null) {
            return chosen;
        }
        RouteHeader route = (RouteHeader) request.getHeader(RouteHeader.NAME);
        return hopOf(route != null ? route.getAddress().getURI() : request.getRequestURI());
    }

    @Override
    public Hop getOutboundProxy() {
        return null;
    }

    @Override
    @Deprecated
    public ListIterator getNextHops(Request request) {
        try {
            return List.of(getNextHop(request)).listIterator();
        } catch (SipException e) {
            return List.of().listIterator();
        }
    }
}
