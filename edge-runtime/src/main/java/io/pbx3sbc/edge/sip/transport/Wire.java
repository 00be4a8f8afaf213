package io.pbx3sbc.edge.sip.transport;

/** Sends one encoded SIP message. Never blocks the caller on the network; a failure is reported, not thrown. */
@FunctionalInterface
public interface Wire {
    /** @return false when the message could not be handed to the transport (unreachable, queue full) */
    boolean send(byte[] message, Peer to);
}
