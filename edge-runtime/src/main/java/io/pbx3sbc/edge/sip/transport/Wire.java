package io.pbx3sbc.edge.sip.transport;

/** Sends one encoded SIP message. Never blocks the caller on the network; a failure is reported, not thrown. */
@FunctionalInterface
public interface Wire {
    /** @return false when the message could not be handed to the transport (unreachable, queue full) */
    boolean send(byte[] message, Peer to);

    /**
     * Sends over the flow a peer opened to us (RFC 5626): its UDP address, or its TCP/TLS connection if
     * that is still up; never a new connection (behind a NAT, the address reaches nothing).
     *
     * @return false when the flow is gone
     */
    default boolean sendOnFlow(byte[] message, Peer to) {
        return send(message, to);
    }
}
