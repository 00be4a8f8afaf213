package io.pbx3sbc.edge.sip.transport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * SIP over TCP, or over TLS when given {@link TlsContexts}, on one selector thread: every connection,
 * inbound or outbound, costs a few objects and no thread (an idle one holds no buffer). Messages are
 * framed by Content-Length (RFC 3261 §18.3); CRLF keepalive pings are answered (RFC 5626 §3.5.1).
 * Limits close what abuses them: connections overall and per source IP, a read timeout for a message
 * (or a TLS handshake) that never completes (slowloris), an idle timeout, a maximum message size and
 * a cap on bytes queued towards a peer that does not read.
 */
public final class TcpTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpTransport.class);
    private static final byte[] PONG = {'\r', '\n'};
    private static final int INITIAL_BUFFER = 4096;

    /**
     * @param maxConnections    connections open at once, both directions
     * @param maxPerSource      inbound connections from one IP
     * @param maxMessageBytes   largest message taken; a larger one closes the connection
     * @param readTimeoutMillis a started message must be complete within this
     * @param idleTimeoutMillis a connection with no message (or keepalive) for this long is closed
     * @param maxQueuedBytes    bytes waiting to be written to one peer before it counts as stuck
     */
    public record Limits(int maxConnections, int maxPerSource, int maxMessageBytes, long readTimeoutMillis,
                         long idleTimeoutMillis, int maxQueuedBytes) {
        public static final Limits DEFAULT = new Limits(10_000, 64, 65_536, 5_000, 120_000, 1 << 20);
    }

    private final Limits limits;
    private final Peer.Transport kind;
    private final TlsContexts tls;
    /** Runs TLS handshakes' expensive steps (signatures, key agreement) off the selector thread, on every core. */
    private final java.util.concurrent.ExecutorService handshakeWorkers;
    private final Selector selector;
    private final ServerSocketChannel server;
    private final ConcurrentHashMap<InetSocketAddress, Conn> connections = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perSource = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final LongAdder refused = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final LongAdder oversized = new LongAdder();
    private Thread loop;
    private volatile boolean closed;
    private Inbound inbound;
    private Predicate<InetAddress> admit;

    private final class Conn {
        final InetSocketAddress remote;
        final boolean accepted;
        final ConcurrentLinkedQueue<ByteBuffer> out = new ConcurrentLinkedQueue<>();
        final AtomicInteger queued = new AtomicInteger();
        SocketChannel channel;
        SelectionKey key;
        ByteBuffer in;
        /** TLS only: the engine, records read but not yet unwrapped, records wrapped but not yet written. */
        SSLEngine engine;
        ByteBuffer netIn;
        ByteBuffer netOut;
        boolean handshaken;
        /** The handshake's delegated tasks are running on a worker: the engine is not touched meanwhile. */
        boolean tasking;
        long lastActivity;
        long partialSince;
        volatile boolean open = true;

        Conn(InetSocketAddress remote, boolean accepted, long now) {
            this.remote = remote;
            this.accepted = accepted;
            this.lastActivity = now;
        }
    }

    public TcpTransport(InetSocketAddress listen, Limits limits) throws IOException {
        this(listen, limits, null);
    }

    /**
     * @param listen where to accept connections; null for a transport that only dials out (TLS towards
     *               backends on an edge with no TLS listener)
     * @param tls    null for plain TCP
     */
    public TcpTransport(InetSocketAddress listen, Limits limits, TlsContexts tls) throws IOException {
        this.limits = limits;
        this.tls = tls;
        this.kind = tls == null ? Peer.Transport.TCP : Peer.Transport.TLS;
        this.handshakeWorkers = tls == null ? null : java.util.concurrent.Executors.newFixedThreadPool(
                Runtime.getRuntime().availableProcessors(), r -> {
                    Thread t = new Thread(r, "sip-tls-handshake");
                    t.setDaemon(true);
                    return t;
                });
        this.selector = Selector.open();
        if (listen == null) {
            this.server = null;
            return;
        }
        this.server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(listen, 1024);
        server.configureBlocking(false);
        server.register(selector, SelectionKey.OP_ACCEPT);
    }

    /** The bound listener address; null when this transport only dials out. */
    public InetSocketAddress localAddress() throws IOException {
        return server == null ? null : (InetSocketAddress) server.getLocalAddress();
    }

    public TlsContexts tls() {
        return tls;
    }

    public void start(Predicate<InetAddress> admit, Inbound inbound) {
        this.admit = admit;
        this.inbound = inbound;
        loop = new Thread(this::run, "sip-" + kind.token().toLowerCase(java.util.Locale.ROOT));
        loop.setDaemon(true);
        loop.start();
    }

    /** Queues a message to a peer, connecting first when there is no connection to it yet. */
    public boolean send(byte[] message, InetSocketAddress to) {
        if (closed) {
            return false;
        }
        Conn c = connections.get(to);
        if (c == null) {
            if (connections.size() >= limits.maxConnections) {
                refused.increment();
                return false;
            }
            Conn fresh = new Conn(to, false, System.currentTimeMillis());
            c = connections.putIfAbsent(to, fresh);
            if (c == null) {
                c = fresh;
                Conn connecting = fresh;
                tasks.add(() -> connect(connecting));
            }
        }
        if (c.queued.addAndGet(message.length) > limits.maxQueuedBytes) {
            Conn stuck = c;
            tasks.add(() -> close(stuck, "peer does not read"));
            selector.wakeup();
            return false;
        }
        c.out.add(ByteBuffer.wrap(message));
        Conn target = c;
        tasks.add(() -> wantWrite(target));
        selector.wakeup();
        return true;
    }

    /**
     * Sends only over a connection that is already up (a flow a phone opened: dialling its address
     * would reach nothing behind its NAT). @return false when there is no such connection
     */
    public boolean sendOnExisting(byte[] message, InetSocketAddress to) {
        Conn c = connections.get(to);
        if (c == null || !c.accepted || !c.open) {
            return false;
        }
        return send(message, to);
    }

    public int connectionCount() {
        return connections.size();
    }

    /** Connections refused or closed by a limit (count, per source, queue), read/idle timeouts, oversize. */
    public long refusedCount() {
        return refused.sum();
    }

    public long timedOutCount() {
        return timedOut.sum();
    }

    public long oversizedCount() {
        return oversized.sum();
    }

    private void run() {
        long lastSweep = System.currentTimeMillis();
        while (!closed) {
            try {
                selector.select(250);
                Runnable task;
                while ((task = tasks.poll()) != null) {
                    task.run();
                }
                for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    handle(key);
                }
                long now = System.currentTimeMillis();
                if (now - lastSweep >= 250) {
                    lastSweep = now;
                    sweep(now);
                }
            } catch (IOException | RuntimeException e) {
                if (!closed) {
                    LOG.warn("TCP loop error: {}", e.toString());
                }
            }
        }
    }

    private void handle(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        if (key.isAcceptable()) {
            accept();
            return;
        }
        Conn c = (Conn) key.attachment();
        try {
            if (key.isConnectable() && c.channel.finishConnect()) {
                if (c.engine != null) {
                    c.engine.beginHandshake();
                    key.interestOps(SelectionKey.OP_READ);
                    pumpTls(c);
                } else {
                    key.interestOps(SelectionKey.OP_READ | (c.out.isEmpty() ? 0 : SelectionKey.OP_WRITE));
                }
            }
            if (key.isValid() && key.isReadable()) {
                if (c.engine != null) {
                    readTls(c);
                } else {
                    read(c);
                }
            }
            if (key.isValid() && c.open && key.isWritable()) {
                if (c.engine != null) {
                    pumpTls(c);
                } else {
                    flush(c);
                }
            }
        } catch (IOException | RuntimeException e) {
            failed(c, e);
        }
    }

    private void failed(Conn c, Exception e) {
        if (c.engine != null && !c.handshaken && c.open && e instanceof SSLException) {
            tls.handshakeFailed(c.accepted, c.remote, e);
            sendAlert(c);
        }
        close(c, e.toString());
    }

    private void accept() {
        SocketChannel ch;
        try {
            ch = server.accept();
        } catch (IOException e) {
            return;
        }
        if (ch == null) {
            return;
        }
        try {
            InetSocketAddress remote = (InetSocketAddress) ch.getRemoteAddress();
            AtomicInteger fromSource = perSource.computeIfAbsent(remote.getAddress(), a -> new AtomicInteger());
            if (connections.size() >= limits.maxConnections || fromSource.get() >= limits.maxPerSource
                    || !admit.test(remote.getAddress())) {
                refused.increment();
                if (fromSource.get() == 0) {
                    perSource.remove(remote.getAddress(), fromSource);
                }
                ch.close();
                return;
            }
            Conn c = new Conn(remote, true, System.currentTimeMillis());
            if (tls != null) {
                c.engine = tls.serverEngine(remote);
                c.engine.beginHandshake();
                c.partialSince = c.lastActivity; // the handshake must end within the read timeout
            }
            fromSource.incrementAndGet();
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.channel = ch;
            Conn previous = connections.put(remote, c);
            if (previous != null) {
                close(previous, "replaced");
            }
            c.key = ch.register(selector, SelectionKey.OP_READ, c);
        } catch (IOException | RuntimeException e) {
            LOG.debug("connection not taken: {}", e.toString());
            try {
                ch.close();
            } catch (IOException ignored) {
                // gone
            }
        }
    }

    private void connect(Conn c) {
        try {
            SocketChannel ch = SocketChannel.open();
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.channel = ch;
            if (tls != null) {
                c.engine = tls.clientEngine(c.remote.getHostString(), c.remote.getPort());
                c.partialSince = c.lastActivity;
            }
            boolean done = ch.connect(c.remote);
            c.key = ch.register(selector, done ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT, c);
            if (done && c.engine != null) {
                c.engine.beginHandshake();
                c.key.interestOps(SelectionKey.OP_READ);
                pumpTls(c);
            }
        } catch (IOException | RuntimeException e) {
            close(c, "connect failed: " + e);
        }
    }

    private void wantWrite(Conn c) {
        if (c.engine != null && (!c.handshaken || c.tasking)) {
            return; // queued until the handshake (or its worker's step) ends
        }
        if (c.open && c.key != null && c.key.isValid() && (c.key.interestOps() & SelectionKey.OP_CONNECT) == 0) {
            c.key.interestOps(c.key.interestOps() | SelectionKey.OP_WRITE);
        }
    }

    private void flush(Conn c) throws IOException {
        ByteBuffer b;
        while ((b = c.out.peek()) != null) {
            int n = c.channel.write(b);
            c.queued.addAndGet(-n);
            if (b.hasRemaining()) {
                return; // socket full: OP_WRITE stays on
            }
            c.out.poll();
        }
        c.key.interestOps(SelectionKey.OP_READ);
    }

    private void read(Conn c) throws IOException {
        if (c.in == null) {
            c.in = ByteBuffer.allocate(INITIAL_BUFFER);
        }
        if (!c.in.hasRemaining()) {
            if (c.in.capacity() >= limits.maxMessageBytes + 2) {
                oversized.increment();
                close(c, "message larger than " + limits.maxMessageBytes + " bytes");
                return;
            }
            ByteBuffer bigger = ByteBuffer.allocate(Math.min(c.in.capacity() * 2, limits.maxMessageBytes + 2));
            c.in.flip();
            bigger.put(c.in);
            c.in = bigger;
        }
        int n = c.channel.read(c.in);
        if (n < 0) {
            close(c, "closed by peer");
            return;
        }
        frameAndTrim(c);
    }

    private boolean frameAndTrim(Conn c) {
        long now = System.currentTimeMillis();
        if (!frame(c, now)) {
            return false;
        }
        if (c.in.position() == 0) {
            c.in = null; // an idle connection holds no buffer
        } else if (c.partialSince == 0) {
            c.partialSince = now;
        }
        return true;
    }

    // ---------------------------------------------------------------------------------------------
    // TLS: the same connection, with records unwrapped into c.in and messages wrapped from c.out

    private void readTls(Conn c) throws IOException {
        if (c.netIn == null) {
            c.netIn = ByteBuffer.allocate(c.engine.getSession().getPacketBufferSize());
        }
        int n = c.channel.read(c.netIn);
        if (n < 0) {
            close(c, "closed by peer");
            return;
        }
        pumpTls(c);
    }

    /**
     * Moves the engine as far as it goes without blocking: handshake steps, records unwrapped into
     * messages, queued messages wrapped into records, records written. Delegated tasks (the handshake's
     * signatures) run here, on the selector thread.
     */
    private void pumpTls(Conn c) throws IOException {
        if (c.tasking) {
            return;
        }
        SSLEngine e = c.engine;
        writeNet(c);
        for (int step = 0; step < 256 && c.open; step++) {
            SSLEngineResult.HandshakeStatus hs = e.getHandshakeStatus();
            if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                runDelegatedTasks(c);
                return;
            }
            if (hs == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                if (!wrap(c, ByteBuffer.allocate(0))) {
                    break; // records waiting for the socket: OP_WRITE brings us back
                }
                continue;
            }
            boolean moved = unwrap(c);
            if (!c.open) {
                return;
            }
            if (!c.handshaken && !handshaking(e)) {
                c.handshaken = true;
                if (c.in == null || c.in.position() == 0) {
                    c.partialSince = 0;
                }
            }
            if (!moved && !handshaking(e.getHandshakeStatus())) {
                break;
            }
            if (!moved && e.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_UNWRAP) {
                break; // needs more bytes from the peer
            }
        }
        if (c.handshaken && c.open) {
            wrapQueued(c);
        }
        writeNet(c);
    }

    /**
     * Hands the engine's delegated tasks to a worker; the connection reads nothing until they are done,
     * then the selector takes it up again.
     */
    private void runDelegatedTasks(Conn c) {
        c.tasking = true;
        if (c.key != null && c.key.isValid()) {
            c.key.interestOps(0);
        }
        List<Runnable> work = new ArrayList<>(2);
        Runnable task;
        while ((task = c.engine.getDelegatedTask()) != null) {
            work.add(task);
        }
        try {
            handshakeWorkers.execute(() -> {
                try {
                    work.forEach(Runnable::run); // a task's failure is recorded in the engine: the next step throws it
                } finally {
                    tasks.add(() -> {
                        c.tasking = false;
                        if (c.open) {
                            try {
                                pumpTls(c);
                            } catch (IOException | RuntimeException ex) {
                                failed(c, ex);
                            }
                        }
                    });
                    selector.wakeup();
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            close(c, "shutdown");
        }
    }

    private static boolean handshaking(SSLEngine e) {
        return handshaking(e.getHandshakeStatus());
    }

    private static boolean handshaking(SSLEngineResult.HandshakeStatus hs) {
        return hs != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING && hs != SSLEngineResult.HandshakeStatus.FINISHED;
    }

    /** Unwraps what was read. @return whether any bytes moved */
    private boolean unwrap(Conn c) throws SSLException {
        ByteBuffer net = c.netIn;
        if (net == null || net.position() == 0) {
            return false;
        }
        int need = c.engine.getSession().getApplicationBufferSize();
        if (c.in == null) {
            c.in = ByteBuffer.allocate(Math.max(INITIAL_BUFFER, need));
        } else if (c.in.remaining() < need) {
            if (c.in.position() > limits.maxMessageBytes + 2) {
                oversized.increment();
                close(c, "message larger than " + limits.maxMessageBytes + " bytes");
                return false;
            }
            ByteBuffer bigger = ByteBuffer.allocate(c.in.position() + need);
            c.in.flip();
            bigger.put(c.in);
            c.in = bigger;
        }
        net.flip();
        SSLEngineResult r;
        try {
            r = c.engine.unwrap(net, c.in);
        } finally {
            net.compact();
        }
        if (net.position() == 0) {
            c.netIn = null;
        }
        switch (r.getStatus()) {
            case CLOSED -> {
                close(c, "TLS closed by peer");
                return false;
            }
            case BUFFER_UNDERFLOW -> {
                return false;
            }
            default -> {
            }
        }
        if (r.bytesProduced() > 0) {
            if (!frameAndTrim(c)) {
                return false;
            }
        } else if (c.in.position() == 0) {
            c.in = null;
        }
        return r.bytesConsumed() > 0 || r.bytesProduced() > 0;
    }

    /** Wraps {@code src} into the outgoing records. @return false when they are full (write first) */
    private boolean wrap(Conn c, ByteBuffer src) throws SSLException {
        int packet = c.engine.getSession().getPacketBufferSize();
        if (c.netOut == null) {
            c.netOut = ByteBuffer.allocate(packet * 2);
        }
        if (c.netOut.remaining() < packet) {
            return false;
        }
        SSLEngineResult r = c.engine.wrap(src, c.netOut);
        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
            close(c, "TLS closed");
            return false;
        }
        return r.getStatus() == SSLEngineResult.Status.OK;
    }

    private void wrapQueued(Conn c) throws IOException {
        ByteBuffer b;
        while (c.open && (b = c.out.peek()) != null) {
            int before = b.remaining();
            if (!wrap(c, b)) {
                writeNet(c);
                if (c.netOut != null && c.netOut.remaining() < c.engine.getSession().getPacketBufferSize()) {
                    return; // the socket is full: OP_WRITE brings us back
                }
                continue;
            }
            c.queued.addAndGet(-(before - b.remaining()));
            if (!b.hasRemaining()) {
                c.out.poll();
            }
        }
    }

    /** Writes wrapped records; OP_WRITE stays on while some are left. */
    private void writeNet(Conn c) throws IOException {
        if (!c.open || c.key == null || !c.key.isValid()) {
            return;
        }
        ByteBuffer net = c.netOut;
        boolean pending = false;
        if (net != null && net.position() > 0) {
            net.flip();
            c.channel.write(net);
            net.compact();
            pending = net.position() > 0;
            if (!pending) {
                c.netOut = null;
            }
        }
        boolean more = pending || (c.handshaken && !c.out.isEmpty());
        c.key.interestOps(SelectionKey.OP_READ | (more ? SelectionKey.OP_WRITE : 0));
    }

    /** Best effort: the alert that tells the peer why its handshake failed. */
    private void sendAlert(Conn c) {
        try {
            c.engine.closeOutbound();
            wrap(c, ByteBuffer.allocate(0));
            if (c.netOut != null && c.netOut.position() > 0 && c.channel != null) {
                c.netOut.flip();
                c.channel.write(c.netOut);
            }
        } catch (IOException | RuntimeException ignored) {
            // closing anyway
        }
    }

    /** Takes every complete message out of the buffer. @return false when the connection was closed */
    private boolean frame(Conn c, long now) {
        ByteBuffer in = c.in;
        byte[] a = in.array();
        int start = 0;
        int end = in.position();
        while (start < end) {
            if (a[start] == '\r' || a[start] == '\n') {
                boolean ping = end - start >= 4 && a[start] == '\r' && a[start + 1] == '\n' && a[start + 2] == '\r'
                        && a[start + 3] == '\n';
                if (ping) {
                    c.out.add(ByteBuffer.wrap(PONG));
                    c.queued.addAndGet(PONG.length);
                    wantWrite(c);
                }
                // a ping, or a pong / stray line break between messages
                start += ping ? 4 : (a[start] == '\r' && end - start >= 2 && a[start + 1] == '\n') ? 2 : 1;
                c.lastActivity = now;
                continue;
            }
            int headersEnd = indexOfBlankLine(a, start, end);
            if (headersEnd < 0) {
                if (end - start > limits.maxMessageBytes) {
                    oversized.increment();
                    close(c, "headers larger than " + limits.maxMessageBytes + " bytes");
                    return false;
                }
                break;
            }
            int length = contentLength(a, start, headersEnd);
            if (length < 0) {
                close(c, "no valid Content-Length on a stream");
                return false;
            }
            int total = headersEnd + 4 - start + length;
            if (total > limits.maxMessageBytes) {
                oversized.increment();
                close(c, "message larger than " + limits.maxMessageBytes + " bytes");
                return false;
            }
            if (end - start < total) {
                break;
            }
            byte[] message = java.util.Arrays.copyOfRange(a, start, start + total);
            start += total;
            c.lastActivity = now;
            c.partialSince = 0;
            try {
                inbound.received(message, new Peer(kind, c.remote));
            } catch (RuntimeException | LinkageError e) {
                LOG.debug("TCP message from {} not handled", c.remote, e);
            }
            if (!c.open) {
                return false;
            }
        }
        if (start > 0) {
            System.arraycopy(a, start, a, 0, end - start);
            in.position(end - start);
            if (end - start == 0) {
                c.partialSince = 0;
            }
        }
        return true;
    }

    static int indexOfBlankLine(byte[] a, int from, int to) {
        for (int i = from; i + 3 < to; i++) {
            if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The Content-Length (or compact "l") header's value; -1 when absent or not a number. */
    static int contentLength(byte[] a, int from, int headersEnd) {
        String headers = new String(a, from, headersEnd - from, StandardCharsets.ISO_8859_1);
        int value = -1;
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            if (name.equalsIgnoreCase("Content-Length") || name.equals("l") || name.equals("L")) {
                String v = line.substring(colon + 1).trim();
                if (v.isEmpty() || v.length() > 9 || !v.chars().allMatch(Character::isDigit)) {
                    return -1;
                }
                if (value >= 0) {
                    return -1; // two Content-Length headers: refuse rather than guess
                }
                value = Integer.parseInt(v);
            }
        }
        return value;
    }

    private void sweep(long now) {
        List<Conn> expired = new ArrayList<>();
        for (Conn c : connections.values()) {
            if (c.partialSince > 0 && now - c.partialSince > limits.readTimeoutMillis) {
                expired.add(c);
            } else if (now - c.lastActivity > limits.idleTimeoutMillis && c.out.isEmpty()) {
                expired.add(c);
            }
        }
        for (Conn c : expired) {
            timedOut.increment();
            close(c, c.partialSince > 0 ? "read timeout" : "idle");
        }
    }

    private void close(Conn c, String why) {
        if (!c.open) {
            return;
        }
        c.open = false;
        connections.remove(c.remote, c);
        if (c.accepted) {
            AtomicInteger n = perSource.get(c.remote.getAddress());
            if (n != null && n.decrementAndGet() <= 0) {
                perSource.remove(c.remote.getAddress(), n);
            }
        }
        if (c.key != null) {
            c.key.cancel();
        }
        try {
            if (c.channel != null) {
                c.channel.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        c.in = null;
        c.netIn = null;
        c.netOut = null;
        c.out.clear();
        LOG.debug("{} connection {} closed: {}", kind, c.remote, why);
    }

    @Override
    public void close() {
        closed = true;
        if (handshakeWorkers != null) {
            handshakeWorkers.shutdownNow();
        }
        selector.wakeup();
        if (loop != null) {
            try {
                loop.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Conn c : new ArrayList<>(connections.values())) {
            close(c, "shutdown");
        }
        try {
            if (server != null) {
                server.close();
            }
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
