package io.pbx3sbc.edge.routing;

/**
 * The few facts of a parsed SIP request the routing decision needs, extracted once by the SIP layer.
 *
 * @param maxForwards      -1 when the header is absent (the proxy then adds one)
 * @param requestUriHost   lower-case host of the Request-URI
 * @param toHost           lower-case host of the To URI
 * @param topRouteIsOurs   the top Route header is this edge's own Record-Route
 * @param addressedToEdge  the Request-URI names the edge itself (keepalive OPTIONS from endpoints or balancers)
 * @param dialogTenant     for an in-dialog request: the tenant named by the Record-Route token the edge signed
 *                         for this dialog, when the token verifies for this Call-ID and the request goes to one
 *                         of the dialog's peers; null otherwise (forged, foreign or stale)
 * @param toFlow           the top Route is ours and names a registered phone's flow (our Path entry)
 * @param flowTenant       for such a request: the flow's tenant, when the token verifies and the request
 *                         comes from one of the table's destinations (a PBX); null otherwise
 */
public record RequestView(String method, int maxForwards, String requestUriHost, String toHost, boolean hasToTag,
                          String userAgent, String callId, boolean hasRoute, boolean topRouteIsOurs,
                          boolean addressedToEdge, String dialogTenant, boolean toFlow, String flowTenant) {

    public RequestView(String method, int maxForwards, String requestUriHost, String toHost, boolean hasToTag, String userAgent,
                       String callId, boolean hasRoute, boolean topRouteIsOurs, boolean addressedToEdge, String dialogTenant) {
        this(method, maxForwards, requestUriHost, toHost, hasToTag, userAgent, callId, hasRoute, topRouteIsOurs, addressedToEdge,
                dialogTenant, false, null);
    }
}
