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
 * SIP over UDP: one socket per reader thread, all bound to the same address with SO_REUSEPORT, so the
 * kernel spreads the senders over the readers and no reader waits on another's lock (several threads
 * blocking on one Java channel take turns through a lock: a futex wake per datagram). A reader takes a
 * datagram, asks the {@code admit} check (the flood guard) before anything is copied or parsed, and
 * handles the message to the end on its own thread, answering through its own socket. When a reader is
 * busy the kernel's receive buffer queues, and under overload drops: no unbounded queue in the process,
 * no thread per message.
 */
public final class UdpTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UdpTransport.class);
    private static final int MAX_DATAGRAM = 65_535;

    private final InetSocketAddress listen;
    private final int bufferBytes;
    private final List<DatagramChannel> channels = new ArrayList<>();
    private final ThreadLocal<DatagramChannel> own = new ThreadLocal<>();
    private final List<Thread> readers = new ArrayList<>();
    private final LongAdder refused = new LongAdder();
    private final LongAdder sendFailures = new LongAdder();
    private volatile boolean closed;

    public UdpTransport(InetSocketAddress listen, int bufferBytes) throws IOException {
        this.bufferBytes = bufferBytes;
        DatagramChannel first = open();
        first.bind(listen);
        this.listen = (InetSocketAddress) first.getLocalAddress();
        channels.add(first);
    }

    private DatagramChannel open() throws IOException {
        DatagramChannel c = DatagramChannel.open();
        c.setOption(StandardSocketOptions.SO_RCVBUF, bufferBytes);
        c.setOption(StandardSocketOptions.SO_SNDBUF, bufferBytes);
        if (c.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
            c.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
        return c;
    }

    public InetSocketAddress localAddress() {
        return listen;
    }

    /** Starts {@code threads} readers; each message goes to {@code inbound} unless {@code admit} refuses its source. */
    public void start(int threads, Predicate<java.net.InetAddress> admit, Inbound inbound) throws IOException {
        boolean reusePort = channels.get(0).supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        for (int i = 1; i < threads && reusePort; i++) {
            DatagramChannel c = open();
            c.bind(listen);
            channels.add(c);
        }
        for (int i = 0; i < threads; i++) {
            DatagramChannel channel = channels.get(i % channels.size());
            Thread t = new Thread(() -> readLoop(channel, admit, inbound), "sip-udp-" + (i + 1));
            t.setDaemon(true);
            readers.add(t);
            t.start();
        }
    }

    private void readLoop(DatagramChannel channel, Predicate<java.net.InetAddress> admit, Inbound inbound) {
        own.set(channel);
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

    /** Sends from the calling reader's own socket (the same address and port as every other), else the first. */
    public boolean send(byte[] message, InetSocketAddress to) {
        DatagramChannel channel = own.get();
        try {
            (channel == null ? channels.get(0) : channel).send(ByteBuffer.wrap(message), to);
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
        for (DatagramChannel c : channels) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        for (Thread t : readers) {
            t.interrupt();
        }
    }
}
