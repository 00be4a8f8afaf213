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
        String route = req.value("Route");
        SipUri routeUri = route == null ? null : NameAddr.parse(route).uri();
        SipUri ruri = req.requestUri();
        return new RequestView(req.method(), req.maxForwards(), ruri.hostName(), req.to().uri().hostName(),
                req.to().tag() != null, req.value("User-Agent"), req.callId(), route != null, self.isOurs(routeUri),
                self.isOurs(ruri), dialogTenant);
    }
}
