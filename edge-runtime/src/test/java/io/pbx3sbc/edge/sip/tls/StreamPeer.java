package io.pbx3sbc.edge.sip.tls;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * SIP over a stream, plain TCP or TLS (JSSE), as a test phone, trunk or backend: messages framed by
 * Content-Length, each queued with the connection it came on so the test can answer on it. A
 * listening peer answers OPTIONS (health probes) itself.
 */
public final class StreamPeer implements AutoCloseable {
    /** One message and the connection it arrived on. */
    public record Received(String message, Connection on) {
    }

    /** One connection; writes are serialised. */
    public final class Connection {
        final Socket socket;
        final OutputStream out;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
        }

        public synchronized void send(String message) throws IOException {
            out.write(message.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        public InetSocketAddress local() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        public Socket socket() {
            return socket;
        }

        public void close() throws IOException {
            socket.close();
        }
    }

    private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final ServerSocket server;

    private StreamPeer(ServerSocket server) {
        this.server = server;
    }

    /** A listening peer (a backend): plain TCP when {@code tls} is null. */
    public static StreamPeer listen(String host, SSLContext tls, boolean wantClientCert) throws IOException {
        ServerSocket s;
        if (tls == null) {
            s = new ServerSocket(0, 50, InetAddress.getByName(host));
        } else {
            s = tls.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getByName(host));
            ((SSLServerSocket) s).setWantClientAuth(wantClientCert);
        }
        StreamPeer p = new StreamPeer(s);
        Thread t = new Thread(p::acceptLoop, "stream-peer-accept");
        t.setDaemon(true);
        t.start();
        return p;
    }

    /** A connecting peer (a phone): its connection is {@link #connection()}; TLS handshakes at once. */
    public static StreamPeer connect(String localHost, InetSocketAddress to, SSLContext tls) throws IOException {
        Socket s = tls == null ? new Socket() : tls.getSocketFactory().createSocket();
        s.bind(new InetSocketAddress(localHost, 0));
        s.connect(to, 2000);
        if (s instanceof SSLSocket ssl) {
            ssl.startHandshake();
        }
        StreamPeer p = new StreamPeer(null);
        p.serve(s);
        return p;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    public Connection connection() {
        return connections.get(0);
    }

    public Optional<Received> next(long millis) throws InterruptedException {
        return Optional.ofNullable(received.poll(millis, TimeUnit.MILLISECONDS));
    }

    /** The next message that is not a provisional response. */
    public Optional<Received> nextFinal(long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (true) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return Optional.empty();
            }
            Optional<Received> r = next(left);
            if (r.isEmpty() || !r.get().message().startsWith("SIP/2.0 1")) {
                return r;
            }
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                serve(server.accept());
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) throws IOException {
        Connection c = new Connection(s);
        connections.add(c);
        Thread t = new Thread(() -> readLoop(c), "stream-peer-read");
        t.setDaemon(true);
        t.start();
    }

    private void readLoop(Connection c) {
        try (InputStream in = c.socket.getInputStream()) {
            while (true) {
                String m = readMessage(in);
                if (m == null) {
                    return;
                }
                if (server != null && m.startsWith("OPTIONS ")) {
                    c.send(io.pbx3sbc.edge.sip.SipWire.okFor(m));
                } else {
                    received.add(new Received(m, c));
                }
            }
        } catch (IOException e) {
            // connection gone
        }
    }

    static String readMessage(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            if (head.size() == 0 && (b == '\r' || b == '\n')) {
                continue; // keepalive
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        String headers = head.toString(StandardCharsets.ISO_8859_1);
        int length = 0;
        for (String line : headers.split("\r\n")) {
            String l = line.toLowerCase(Locale.ROOT);
            if (l.startsWith("content-length:") || l.startsWith("l:")) {
                length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return headers + new String(body, StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        if (server != null) {
            server.close();
        }
        for (Connection c : connections) {
            c.socket.close();
        }
    }
}
