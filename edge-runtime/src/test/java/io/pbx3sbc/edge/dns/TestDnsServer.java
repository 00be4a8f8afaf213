package io.pbx3sbc.edge.dns;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** An authoritative DNS server on loopback UDP for tests: A and SRV records set and changed by the test. */
public final class TestDnsServer implements AutoCloseable {
    private final DatagramSocket socket;
    private final Map<Name, List<Record>> records = new ConcurrentHashMap<>();
    private final AtomicInteger queries = new AtomicInteger();

    public TestDnsServer(String host) throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host), 0));
        Thread t = new Thread(this::serve, "test-dns");
        t.setDaemon(true);
        t.start();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    public int queries() {
        return queries.get();
    }

    /** Replaces the A records of {@code name}. */
    public void a(String name, long ttl, String... ips) throws IOException {
        Name n = Name.fromString(name, Name.root);
        List<Record> list = new CopyOnWriteArrayList<>();
        for (String ip : ips) {
            list.add(new ARecord(n, DClass.IN, ttl, InetAddress.getByName(ip)));
        }
        records.keySet().removeIf(k -> k.equals(n) && records.get(k).stream().allMatch(r -> r instanceof ARecord));
        records.merge(n, list, (old, add) -> {
            List<Record> merged = new CopyOnWriteArrayList<>(old.stream().filter(r -> !(r instanceof ARecord)).toList());
            merged.addAll(add);
            return merged;
        });
    }

    /** Adds an SRV record to {@code service} (e.g. _sip._udp.pbx.test.). */
    public void srv(String service, long ttl, int priority, int weight, int port, String target) throws IOException {
        Name n = Name.fromString(service, Name.root);
        records.computeIfAbsent(n, k -> new CopyOnWriteArrayList<>())
                .add(new SRVRecord(n, DClass.IN, ttl, priority, weight, port, Name.fromString(target, Name.root)));
    }

    private void serve() {
        byte[] buf = new byte[1500];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                queries.incrementAndGet();
                Message query = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                Record question = query.getQuestion();
                Message answer = new Message(query.getHeader().getID());
                answer.getHeader().setFlag(Flags.QR);
                answer.getHeader().setFlag(Flags.AA);
                answer.addRecord(question, Section.QUESTION);
                List<Record> known = records.get(question.getName());
                if (known == null) {
                    answer.getHeader().setRcode(Rcode.NXDOMAIN);
                } else {
                    known.stream().filter(r -> r.getType() == question.getType()).forEach(r -> answer.addRecord(r, Section.ANSWER));
                }
                byte[] out = answer.toWire();
                socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }
}
