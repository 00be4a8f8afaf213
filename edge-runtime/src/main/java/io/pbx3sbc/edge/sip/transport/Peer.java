package io.pbx3sbc.edge.sip.transport;

import java.net.InetSocketAddress;
import java.util.Locale;

/** The far end of one message: its transport and socket address (for TCP, the connection's remote end). */
public record Peer(Transport transport, InetSocketAddress address) {

    public enum Transport {
        UDP, TCP, TLS;

        /** The Via / URI transport token: "UDP", "TCP", "TLS". */
        public String token() {
            return name();
        }

        public static Transport of(String token) {
            if (token == null || token.isEmpty()) {
                return UDP;
            }
            return switch (token.toUpperCase(Locale.ROOT)) {
                case "UDP" -> UDP;
                case "TCP" -> TCP;
                case "TLS" -> TLS;
                default -> throw new IllegalArgumentException("unsupported transport " + token);
            };
        }
    }

    public static Peer udp(String host, int port) {
        return new Peer(Transport.UDP, new InetSocketAddress(host, port));
    }

    /** Whether messages go over a connection (TCP, TLS): no retransmission timers, framing by length. */
    public boolean reliable() {
        return transport != Transport.UDP;
    }

    public String hostAddress() {
        return address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
    }

    @Override
    public String toString() {
        return transport.token().toLowerCase(Locale.ROOT) + ":" + hostAddress() + ":" + address.getPort();
    }
}
