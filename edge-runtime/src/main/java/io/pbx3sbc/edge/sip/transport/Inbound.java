package io.pbx3sbc.edge.sip.transport;

/** Where the transports hand each received message: one datagram, or one framed message from a stream. */
@FunctionalInterface
public interface Inbound {
    void received(byte[] message, Peer from);
}
