package io.pbx3sbc.edge.sip;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Raw SIP on the wire for tests (also used by EdgeProcessIT): hand-written messages over UDP or TCP, and a UDP peer that records what reaches it. */
public final class SipWire {
    private static final AtomicLong SEQ = new AtomicLong();

    private SipWire() {
    }

    /** A request as a caller at {@code from} would send it; {@code extra} header lines are appended as they are. */
    public static String request(String method, String requestUri, String toUri, String toTag, int maxForwards,
                          String userAgent, InetSocketAddress from, String transport, List<String> extra) {
        long n = SEQ.incrementAndGet();
        StringBuilder sb = new StringBuilder();
        sb.append(method).append(' ').append(requestUri).append(" SIP/2.0\r\n");
        String host = from.getHostString().indexOf(':') >= 0 ? "[" + from.getHostString() + "]" : from.getHostString();
        sb.append("Via: SIP/2.0/").append(transport).append(' ').append(host).append(':')
                .append(from.getPort()).append(";branch=z9hG4bK-t").append(n).append(System.nanoTime()).append("\r\n");
        if (maxForwards >= 0) {
            sb.append("Max-Forwards: ").append(maxForwards).append("\r\n");
        }
        sb.append("From: <sip:tester@example.org>;tag=f").append(n).append("\r\n");
        sb.append("To: <").append(toUri).append('>').append(toTag == null ? "" : ";tag=" + toTag).append("\r\n");
        sb.append("Call-ID: wire-").append(n).append('-').append(System.nanoTime()).append("@test\r\n");
        sb.append("CSeq: 1 ").append(method).append("\r\n");
        sb.append("Contact: <sip:tester@").append(host).append(':').append(from.getPort()).append(">\r\n");
        if (userAgent != null) {
            sb.append("User-Agent: ").append(userAgent).append("\r\n");
        }
        for (String h : extra) {
            sb.append(h).append("\r\n");
        }
        sb.append("Content-Length: 0\r\n\r\n");
        return sb.toString();
    }

    /** The same message with another Call-ID: an in-dialog request of the dialog that Call-ID names. */
    public static String withCallId(String message, String callId) {
        return message.replaceFirst("(?m)^Call-ID: .*$", "Call-ID: " + java.util.regex.Matcher.quoteReplacement(callId));
    }

    /** A UDP socket for sending requests and reading what comes back. */
    public static final class UdpPeer implements AutoCloseable {
        private final DatagramSocket socket;
        private final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        private final Thread reader;
        private final boolean answerOptions;

        public UdpPeer(String host) throws IOException {
            this(host, 0);
        }

        UdpPeer(String host, int port) throws IOException {
            this(host, port, false);
        }

        /** @param answerOptions answer OPTIONS (health probes) with 200 itself instead of queueing them */
        UdpPeer(String host, int port, boolean answerOptions) throws IOException {
            this.answerOptions = answerOptions;
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host), port));
            reader = new Thread(this::readLoop, "udp-peer-" + socket.getLocalPort());
            reader.setDaemon(true);
            reader.start();
        }

        public InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        public void send(String message, InetSocketAddress to) throws IOException {
            send(message.getBytes(StandardCharsets.ISO_8859_1), to);
        }

        void send(byte[] bytes, InetSocketAddress to) throws IOException {
            socket.send(new DatagramPacket(bytes, bytes.length, to));
        }

        /** The next message that arrives within the timeout. */
        Optional<String> next(long millis) throws InterruptedException {
            return Optional.ofNullable(received.poll(millis, TimeUnit.MILLISECONDS));
        }

        /** The next message, skipping provisional responses. */
        public Optional<String> nextFinal(long millis) throws InterruptedException {
            return nextMatching(millis, m -> !m.startsWith("SIP/2.0 1"));
        }

        /** The next request that is not one of the edge's own health probes. */
        public Optional<String> nextRequest(long millis) throws InterruptedException {
            return nextMatching(millis, m -> !m.contains("From: <sip:pbx3sbc-edge@"));
        }

        private Optional<String> nextMatching(long millis, java.util.function.Predicate<String> wanted)
                throws InterruptedException {
            long deadline = System.currentTimeMillis() + millis;
            while (true) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return Optional.empty();
                }
                Optional<String> m = next(left);
                if (m.isEmpty() || wanted.test(m.get())) {
                    return m;
                }
            }
        }

        private void readLoop() {
            byte[] buf = new byte[65535];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                    String m = new String(buf, 0, p.getLength(), StandardCharsets.ISO_8859_1);
                    if (answerOptions && m.startsWith("OPTIONS ")) {
                        byte[] ok = okFor(m).getBytes(StandardCharsets.ISO_8859_1);
                        socket.send(new DatagramPacket(ok, ok.length, p.getSocketAddress()));
                    } else {
                        received.add(m);
                    }
                } catch (IOException e) {
                    return;
                }
            }
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    /** Sends bytes over a fresh TCP connection and returns what comes back within the timeout, if anything. */
    static Optional<String> overTcp(byte[] bytes, InetSocketAddress to, int millis) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(to, 2000);
            s.setSoTimeout(millis);
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            try {
                int n = in.read(buf);
                return n <= 0 ? Optional.empty() : Optional.of(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            } catch (SocketTimeoutException silence) {
                return Optional.empty();
            }
        }
    }

    static String header(String message, String name) {
        for (String line : message.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    /** A 200 OK for a request received by a test backend, so a relay completes. */
    public static String okFor(String request) {
        StringBuilder sb = new StringBuilder("SIP/2.0 200 OK\r\n");
        for (String line : request.split("\r\n")) {
            String lower = line.toLowerCase(java.util.Locale.ROOT);
            if (lower.startsWith("via:") || lower.startsWith("from:") || lower.startsWith("call-id:")
                    || lower.startsWith("cseq:") || lower.startsWith("record-route:")) {
                sb.append(line).append("\r\n");
            } else if (lower.startsWith("to:")) {
                sb.append(line).append(line.contains("tag=") ? "" : ";tag=b1").append("\r\n");
            }
        }
        return sb.append("Contact: <sip:backend@127.0.0.1>\r\nContent-Length: 0\r\n\r\n").toString();
    }
}
