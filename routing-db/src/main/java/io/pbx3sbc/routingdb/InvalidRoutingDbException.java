package io.pbx3sbc.routingdb;

/** A routing database that must not be used, with the one-sentence reason why. */
public final class InvalidRoutingDbException extends Exception {
    public InvalidRoutingDbException(String reason) {
        super(reason);
    }

    public InvalidRoutingDbException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
