package io.pbx3sbc.edge.routing;

/** What the edge does with one request: the {@link Router}'s whole answer. */
public sealed interface RouteDecision {

    /** Relay an initial request to this backend, adding our Record-Route. */
    record Forward(Tenant tenant, BackendSet set, Backend backend) implements RouteDecision {
    }

    /** A CANCEL for a known tenant: cancel the matching INVITE transaction, wherever it was sent. */
    record Cancel() implements RouteDecision {
    }

    /** Relay a backend's initial request to the registered phone its Path flow token names (RFC 3327, RFC 5626). */
    record ForwardToFlow() implements RouteDecision {
    }

    /** Relay an in-dialog request along its Route set (its top Route is ours). */
    record ForwardInDialog() implements RouteDecision {
    }

    /** Answer with a status; {@code retryAfterSeconds} is 0 when no Retry-After header is due. */
    record Reply(int status, String reasonPhrase, int retryAfterSeconds, DropReason countedAs) implements RouteDecision {
    }

    /** Say nothing at all (door-knockers, scanners): counted by reason, never answered. */
    record Drop(DropReason reason) implements RouteDecision {
    }

    /** Why a request was not routed; the metric label. */
    enum DropReason {
        SCANNER("scanner"),
        UNKNOWN_DOMAIN("unknown_domain"),
        DISABLED_DOMAIN("disabled_domain"),
        DOMAIN_MISMATCH("ruri_to_mismatch"),
        NO_DOMAIN("no_domain"),
        FOREIGN_ROUTE("foreign_route"),
        UNSIGNED_ROUTE("unsigned_route"),
        STRAY_RESPONSE("stray_response"),
        OVERLOAD("overload"),
        STRAY_ACK("stray_ack"),
        NOT_READY("not_ready"),
        TOO_MANY_HOPS("too_many_hops"),
        METHOD_NOT_ALLOWED("method_not_allowed"),
        RATE_LIMITED("rate_limited"),
        NO_HEALTHY_BACKEND("no_healthy_backend"),
        DRAINING("draining"),
        NONE("none");

        private final String label;

        DropReason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
