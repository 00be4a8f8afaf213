package io.pbx3sbc.edge.sip;

import io.pbx3sbc.edge.HostPort;
import io.pbx3sbc.edge.sip.msg.SipMessage;
import io.pbx3sbc.edge.sip.transport.Peer;
import io.pbx3sbc.edge.sip.transport.TcpTransport;
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
 * The SIP side of the edge, as thin as it can be: UDP and TCP on one address, the flood guard in front
 * of both, the strict parser (see {@link MessageCodec}) and the {@link RelayEngine} behind, with
 * the one thread that drives the timer wheel. Bytes in, parsed messages to the engine, bytes out.
 */
public final class SipCore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SipCore.class);
    private static final long TICK_MILLIS = 10;

    private final UdpTransport udp;
    private final TcpTransport tcp;
    private final TimerWheel wheel;
    private final FloodGuard guard;
    private final HostPort viaAddress;
    private final Thread ticker;
    private RelayEngine engine;
    private volatile boolean closed;

    private SipCore(UdpTransport udp, TcpTransport tcp, FloodGuard guard, HostPort viaAddress) {
        this.udp = udp;
        this.tcp = tcp;
        this.guard = guard;
        this.viaAddress = viaAddress;
        this.wheel = new TimerWheel(TICK_MILLIS, 4096, System::currentTimeMillis);
        this.ticker = new Thread(this::tick, "sip-timers");
        ticker.setDaemon(true);
    }

    /** Binds UDP and TCP on {@code listen}; nothing is read until {@link #start}. */
    public static SipCore bind(HostPort listen, FloodGuard guard, TcpTransport.Limits tcpLimits) throws IOException {
        InetSocketAddress at = new InetSocketAddress(listen.host(), listen.port());
        UdpTransport udp = new UdpTransport(at, 4 << 20);
        TcpTransport tcp;
        try {
            tcp = new TcpTransport(new InetSocketAddress(listen.host(), udp.localAddress().getPort()), tcpLimits);
        } catch (IOException e) {
            udp.close();
            throw e;
        }
        return new SipCore(udp, tcp, guard, new HostPort(concrete(listen.host()), udp.localAddress().getPort()));
    }

    /** Sends on the transport the peer names: UDP datagrams, or the TCP connection to that address. */
    public Wire wire() {
        return (bytes, to) -> to.transport() == Peer.Transport.TCP ? tcp.send(bytes, to.address()) : udp.send(bytes, to.address());
    }

    public TimerWheel wheel() {
        return wheel;
    }

    /** Starts reading: {@code readers} UDP threads, the TCP selector and the timer thread. */
    public void start(RelayEngine engine, MessageCodec codec, int readers) throws IOException {
        this.engine = engine;
        udp.start(readers, guard::admit, (bytes, from) -> dispatch(codec.parse(bytes, false), from));
        tcp.start(guard::admit, (bytes, from) -> dispatch(codec.parse(bytes, true), from));
        ticker.start();
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
        LOG.debug("SIP closed");
    }
}
