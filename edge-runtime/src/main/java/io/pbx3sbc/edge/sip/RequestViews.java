package io.pbx3sbc.edge.sip;

import io.pbx3sbc.edge.routing.RequestView;
import io.pbx3sbc.edge.sip.msg.NameAddr;
import io.pbx3sbc.edge.sip.msg.SipMessage;
import io.pbx3sbc.edge.sip.msg.SipUri;

/** Reads the few facts the {@link io.pbx3sbc.edge.routing.Router} needs out of a parsed request, once. */
final class RequestViews {
    private RequestViews() {
    }

    static RequestView of(SipMessage req, SelfAddress self, String dialogTenant) {
        return of(req, self, dialogTenant, null);
    }

    /** @param flow for an initial request on our Path entry: the flow it names (verified, from a backend), else null */
    static RequestView of(SipMessage req, SelfAddress self, String dialogTenant, DialogTokens.Flow flow) {
        SipUri routeUri = topRoute(req);
        SipUri ruri = req.requestUri();
        // a Route with a verified flow token of this fleet is ours whichever edge of the fleet it names
        boolean ours = self.isOurs(routeUri) || flow != null;
        return new RequestView(req.method(), req.maxForwards(), ruri.hostName(), req.to().uri().hostName(),
                req.to().tag() != null, req.value("User-Agent"), req.callId(), routeUri != null, ours,
                self.isOurs(ruri), dialogTenant, ours && DialogTokens.looksLikeFlowToken(routeUri.user()),
                flow == null ? null : flow.tenant());
    }

    static SipUri topRoute(SipMessage req) {
        String route = req.value("Route");
        return route == null ? null : NameAddr.parse(route).uri();
    }
}
