package io.pbx3sbc.edge.sip;

import io.pbx3sbc.edge.HostPort;
import io.pbx3sbc.edge.sip.msg.SipMessage;
import io.pbx3sbc.edge.sip.transport.Peer;
import io.pbx3sbc.edge.sip.transport.TcpTransport;
import io.pbx3sbc.edge.sip.transport.TlsContexts;
import io.pbx3sbc.edge.sip.transport.UdpTransport;
import io.pbx3sbc.edge.sip.transport.Wire;
import io.pbx3sbc.edge.sip.txn.TimerWheel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Function;

/**
 * The SIP side of the edge, as thin as it can be: UDP and TCP on one address, TLS on another when it
 * has a certificate (or only outbound, towards {@code sips:} backends), the flood guard in front of
 * all, the strict parser (see {@link MessageCodec}) and the {@link RelayEngine} behind, with the one
 * thread that drives the timer wheel. Bytes in, parsed messages to the engine, bytes out.
 *
 * <p>Transports not offered to callers (a TLS-only edge) still carry the backends' side: UDP and TCP
 * stay bound, but take messages only from the table's destinations and trusted blocks.
 */
public final class SipCore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SipCore.class);
    private static final long TICK_MILLIS = 10;

    private final UdpTransport udp;
    private final TcpTransport tcp;
    private final TcpTransport tls;
    private final java.util.Set<Peer.Transport> offered;
    private final TimerWheel wheel;
    private final FloodGuard guard;
    private final HostPort viaAddress;
    private final Thread ticker;
    private RelayEngine engine;
    private volatile boolean closed;

    private SipCore(UdpTransport udp, TcpTransport tcp, TcpTransport tls, java.util.Set<Peer.Transport> offered,
                    FloodGuard guard, HostPort viaAddress) {
        this.udp = udp;
        this.tcp = tcp;
        this.tls = tls;
        this.offered = java.util.Set.copyOf(offered);
        this.guard = guard;
        this.viaAddress = viaAddress;
        this.wheel = new TimerWheel(TICK_MILLIS, 4096, System::currentTimeMillis);
        this.ticker = new Thread(this::tick, "sip-timers");
        ticker.setDaemon(true);
    }

    /** Binds UDP and TCP on {@code listen}, every transport offered, no TLS. */
    public static SipCore bind(HostPort listen, FloodGuard guard, TcpTransport.Limits tcpLimits) throws IOException {
        return bind(listen, null, null, java.util.EnumSet.of(Peer.Transport.UDP, Peer.Transport.TCP), guard, tcpLimits);
    }

    /**
     * Binds UDP and TCP on {@code listen} and, with a certificate, TLS on {@code tlsListen}; nothing is
     * read until {@link #start}.
     *
     * @param tlsContexts null: no TLS at all; without a certificate: TLS towards backends only
     * @param offered     transports callers may use; the others answer only backends and trusted blocks
     */
    public static SipCore bind(HostPort listen, HostPort tlsListen, TlsContexts tlsContexts, java.util.Set<Peer.Transport> offered,
                               FloodGuard guard, TcpTransport.Limits tcpLimits) throws IOException {
        InetSocketAddress at = new InetSocketAddress(listen.host(), listen.port());
        UdpTransport udp = new UdpTransport(at, 4 << 20);
        TcpTransport tcp = null;
        TcpTransport tls = null;
        try {
            tcp = new TcpTransport(new InetSocketAddress(listen.host(), udp.localAddress().getPort()), tcpLimits);
            if (tlsContexts != null) {
                boolean listens = tlsContexts.settings().serves() && tlsListen != null;
                tls = new TcpTransport(listens ? new InetSocketAddress(tlsListen.host(), tlsListen.port()) : null, tcpLimits, tlsContexts);
            }
        } catch (IOException e) {
            udp.close();
            if (tcp != null) {
                tcp.close();
            }
            throw e;
        }
        return new SipCore(udp, tcp, tls, offered, guard, new HostPort(concrete(listen.host()), udp.localAddress().getPort()));
    }

    /** Sends on the transport the peer names: UDP datagrams, or the TCP or TLS connection to that address. */
    public Wire wire() {
        return new Wire() {
            @Override
            public boolean send(byte[] bytes, Peer to) {
                return switch (to.transport()) {
                    case UDP -> udp.send(bytes, to.address());
                    case TCP -> tcp.send(bytes, to.address());
                    case TLS -> tls != null && tls.send(bytes, to.address());
                };
            }

            @Override
            public boolean sendOnFlow(byte[] bytes, Peer to) {
                return switch (to.transport()) {
                    case UDP -> udp.send(bytes, to.address());
                    case TCP -> tcp.sendOnExisting(bytes, to.address());
                    case TLS -> tls != null && tls.sendOnExisting(bytes, to.address());
                };
            }
        };
    }

    /** The TLS listener's port; 0 when the edge has none. */
    public int tlsPort() throws IOException {
        InetSocketAddress a = tls == null ? null : tls.localAddress();
        return a == null ? 0 : a.getPort();
    }

    public TimerWheel wheel() {
        return wheel;
    }

    /** Starts reading: {@code readers} UDP threads, the TCP selector and the timer thread. */
    public void start(RelayEngine engine, MessageCodec codec, int readers) throws IOException {
        this.engine = engine;
        udp.start(readers, admission(Peer.Transport.UDP), (bytes, from) -> dispatch(codec.parse(bytes, false), from));
        tcp.start(admission(Peer.Transport.TCP), (bytes, from) -> dispatch(codec.parse(bytes, true), from));
        if (tls != null) {
            tls.start(admission(Peer.Transport.TLS), (bytes, from) -> dispatch(codec.parse(bytes, true), from));
        }
        ticker.start();
    }

    /** A transport not offered to callers takes nothing from them: not even a parse, not even an answer. */
    private java.util.function.Predicate<InetAddress> admission(Peer.Transport t) {
        if (offered.contains(t)) {
            return guard::admit;
        }
        return a -> guard.exempt(a) && guard.admit(a);
    }

    private void dispatch(SipMessage m, Peer from) {
        if (m == null) {
            return;
        }
        if (m.isRequest()) {
            engine.onRequest(m, from);
        } else {
            engine.onResponse(m, from);
        }
    }

    private void tick() {
        long lastSweep = 0;
        while (!closed) {
            long now = System.currentTimeMillis();
            wheel.advanceTo(now);
            if (now - lastSweep >= 1000) {
                lastSweep = now;
                guard.sweep();
            }
            try {
                Thread.sleep(TICK_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The address backends send responses to (our Via sent-by). */
    public HostPort viaAddress() {
        return viaAddress;
    }

    public FloodGuard floodGuard() {
        return guard;
    }

    public UdpTransport udp() {
        return udp;
    }

    public TcpTransport tcp() {
        return tcp;
    }

    /** The TLS transport; null when the edge has no TLS at all. */
    public TcpTransport tls() {
        return tls;
    }

    private static String concrete(String host) throws java.net.UnknownHostException {
        if (host.equals("0.0.0.0") || host.equals("::")) {
            return InetAddress.getLocalHost().getHostAddress();
        }
        return host;
    }

    /** Resolves a list of CIDR blocks ("10.0.0.0/8", "2001:db8::/32", a bare address) into a membership test. */
    public static Function<InetAddress, Boolean> cidrs(java.util.List<String> blocks) {
        java.util.List<byte[][]> nets = new java.util.ArrayList<>();
        for (String b : blocks) {
            String[] parts = b.trim().split("/", 2);
            try {
                byte[] addr = InetAddress.getByName(parts[0]).getAddress();
                int bits = parts.length == 2 ? Integer.parseInt(parts[1]) : addr.length * 8;
                if (bits < 0 || bits > addr.length * 8) {
                    throw new IllegalArgumentException("bad prefix length in " + b);
                }
                nets.add(new byte[][] {addr, {(byte) bits}});
            } catch (IOException | NumberFormatException e) {
                throw new IllegalArgumentException("not a CIDR block: " + b);
            }
        }
        if (nets.isEmpty()) {
            return a -> false; // checked for every datagram: no allocation when there is nothing to match
        }
        return a -> {
            byte[] x = a.getAddress();
            for (byte[][] n : nets) {
                byte[] net = n[0];
                int bits = n[1][0] & 0xff;
                if (net.length != x.length) {
                    continue;
                }
                boolean match = true;
                for (int i = 0; i < bits && match; i++) {
                    int mask = 0x80 >> (i % 8);
                    match = (net[i / 8] & mask) == (x[i / 8] & mask);
                }
                if (match) {
                    return true;
                }
            }
            return false;
        };
    }

    @Override
    public void close() {
        closed = true;
        ticker.interrupt();
        udp.close();
        tcp.close();
        if (tls != null) {
            tls.close();
        }
        LOG.debug("SIP closed");
    }
}
