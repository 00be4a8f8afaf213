package io.pbx3sbc.edge.sip.msg;

/** A message the edge will not take: the reason goes to a counter and a rate-limited log, never to the sender. */
public final class MalformedMessageException extends RuntimeException {
    public MalformedMessageException(String message) {
        super(message, null, false, false); // thrown at every piece of garbage: no stack trace to fill
    }
}
