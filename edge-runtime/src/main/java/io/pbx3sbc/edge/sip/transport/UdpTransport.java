package io.pbx3sbc.edge.sip.transport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * SIP over UDP: one socket and several reader threads blocking on it, as Kamailio runs several UDP
 * worker processes on one socket. A reader takes a datagram, asks the {@code admit} check (the flood
 * guard) before anything is copied or parsed, and handles the message to the end on its own thread.
 * When every reader is busy the kernel's receive buffer queues, and under overload drops: no unbounded
 * queue in the process, no thread per message.
 */
public final class UdpTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UdpTransport.class);
    private static final int MAX_DATAGRAM = 65_535;

    private final DatagramChannel channel;
    private final List<Thread> readers = new ArrayList<>();
    private final LongAdder refused = new LongAdder();
    private final LongAdder sendFailures = new LongAdder();
    private volatile boolean closed;

    public UdpTransport(InetSocketAddress listen, int bufferBytes) throws IOException {
        channel = DatagramChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, bufferBytes);
        channel.setOption(StandardSocketOptions.SO_SNDBUF, bufferBytes);
        channel.bind(listen);
    }

    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /** Starts {@code threads} readers; each message goes to {@code inbound} unless {@code admit} refuses its source. */
    public void start(int threads, Predicate<java.net.InetAddress> admit, Inbound inbound) {
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> readLoop(admit, inbound), "sip-udp-" + (i + 1));
            t.setDaemon(true);
            readers.add(t);
            t.start();
        }
    }

    private void readLoop(Predicate<java.net.InetAddress> admit, Inbound inbound) {
        ByteBuffer buf = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        while (!closed) {
            InetSocketAddress from;
            try {
                buf.clear();
                from = (InetSocketAddress) channel.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.debug("UDP receive failed: {}", e.toString());
                continue;
            }
            if (from == null) {
                continue;
            }
            if (!admit.test(from.getAddress())) {
                refused.increment();
                continue;
            }
            buf.flip();
            byte[] message = new byte[buf.remaining()];
            buf.get(message);
            try {
                inbound.received(message, new Peer(Peer.Transport.UDP, from));
            } catch (RuntimeException | LinkageError e) {
                LOG.debug("UDP message from {} not handled", from, e); // the handler counts its own errors
            }
        }
    }

    public boolean send(byte[] message, InetSocketAddress to) {
        try {
            channel.send(ByteBuffer.wrap(message), to);
            return true;
        } catch (IOException | RuntimeException e) {
            sendFailures.increment();
            LOG.debug("UDP send to {} failed: {}", to, e.toString());
            return false;
        }
    }

    /** Datagrams dropped unread because their source was refused (flood guard). */
    public long refusedCount() {
        return refused.sum();
    }

    public long sendFailures() {
        return sendFailures.sum();
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Thread t : readers) {
            t.interrupt();
        }
    }
}
