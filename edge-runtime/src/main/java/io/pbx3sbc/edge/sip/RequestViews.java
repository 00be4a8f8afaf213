package io.pbx3sbc.edge.sip;

import gov.nist.javax.sip.header.SIPHeader;
import io.pbx3sbc.edge.routing.RequestView;

import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CallIdHeader;
import javax.sip.header.Header;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.RouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.UserAgentHeader;
import javax.sip.message.Request;
import java.util.Locale;

/** Reads the few facts the {@link io.pbx3sbc.edge.routing.Router} needs out of a parsed request, once. */
final class RequestViews {
    private RequestViews() {
    }

    static RequestView of(Request req, SelfAddress self, String dialogTenant) {
        MaxForwardsHeader mf = (MaxForwardsHeader) req.getHeader(MaxForwardsHeader.NAME);
        ToHeader to = (ToHeader) req.getHeader(ToHeader.NAME);
        RouteHeader route = (RouteHeader) req.getHeader(RouteHeader.NAME);
        Header ua = req.getHeader(UserAgentHeader.NAME);
        URI ruri = req.getRequestURI();
        return new RequestView(req.getMethod(), mf == null ? -1 : mf.getMaxForwards(), host(ruri),
                host(to.getAddress().getURI()), to.getTag() != null && !to.getTag().isEmpty(),
                ua instanceof SIPHeader h ? h.getHeaderValue() : null,
                ((CallIdHeader) req.getHeader(CallIdHeader.NAME)).getCallId(),
                route != null, route != null && self.isOurs(route.getAddress().getURI()), self.isOurs(ruri), dialogTenant);
    }

    private static String host(URI uri) {
        return uri instanceof SipURI sip && sip.getHost() != null ? sip.getHost().toLowerCase(Locale.ROOT) : null;
    }
}
