package io.pbx3sbc.edge.dns;

import io.pbx3sbc.edge.HostPort;
import io.pbx3sbc.edge.routing.Backend;
import io.pbx3sbc.edge.sip.transport.Peer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a destination is, as RFC 3263 says to find it: an IP literal as it is; a name with a port by
 * its A/AAAA records; a name without one by its SRV records ({@code _sip._udp}, {@code _sip._tcp},
 * {@code _sips._tcp}) in priority order, falling back to A/AAAA on port 5060/5061. Kubernetes Service
 * names resolve through the pod's resolver and search path.
 *
 * <p>Answers are cached for their TTL. The relay path never waits on DNS once a name has been seen:
 * an expired entry is served while one refresh runs in the background, and a failed refresh keeps the
 * last good answer (a DNS outage must not stop calls to backends that did not move).
 */
public final class BackendResolver implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackendResolver.class);
    private static final Pattern EXPLICIT_PORT = Pattern.compile("^sips?:(\\[[^]]+]|[^:;]+)(:[0-9]+)?", Pattern.CASE_INSENSITIVE);
    static final long MIN_TTL_SECONDS = 1;
    static final long MAX_TTL_SECONDS = 3600;
    /** How long "no such name" is believed, and how soon a failed lookup is tried again. */
    static final long RETRY_SECONDS = 5;

    /** One place a destination's requests can go. */
    public record Target(Peer.Transport transport, InetSocketAddress address) {
        public Peer peer() {
            return new Peer(transport, address);
        }

        /** {@code ip:port}: the key of this target's health. */
        public String key() {
            return address.getAddress().getHostAddress() + ":" + address.getPort();
        }
    }

    /** The DNS queries the resolver needs; a lookup that fails (timeout, SERVFAIL) throws. */
    public interface DnsClient {
        record Srv(int priority, int weight, int port, String target, long ttlSeconds) {
        }

        record Address(InetAddress address, long ttlSeconds) {
        }

        /** The SRV records of {@code name}; empty when it has none or does not exist. */
        List<Srv> srv(String name) throws IOException;

        /** The A and AAAA records of {@code name}; empty when it has none or does not exist. */
        List<Address> addresses(String name) throws IOException;
    }

    private record Entry(List<Target> targets, long expiresAt) {
    }

    private final DnsClient dns;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
    private final ExecutorService refresher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "dns-refresh");
        t.setDaemon(true);
        return t;
    });
    private volatile Set<String> knownAddresses = Set.of();

    public BackendResolver(DnsClient dns, LongSupplier clockMillis) {
        this.dns = dns;
        this.clock = clockMillis;
    }

    /**
     * The destination's targets, best first. An IP literal needs no lookup; a name seen before is served
     * from the cache (refreshed in the background when expired); a name never seen is looked up now.
     * Empty when the name does not resolve.
     */
    public List<Target> targets(Backend backend) {
        String host = backend.address().host();
        Peer.Transport transport = Peer.Transport.of(backend.address().transport());
        if (HostPort.isIpLiteral(host)) {
            return List.of(new Target(transport, new InetSocketAddress(unbracket(host), backend.address().port())));
        }
        Entry e = cache.get(backend.uri());
        if (e == null) {
            e = resolveNow(backend);
        } else if (clock.getAsLong() >= e.expiresAt()) {
            refreshSoon(backend);
        }
        return e.targets();
    }

    /** Whether {@code ip} is an address some named destination resolves to now (a backend talking to us). */
    public boolean isBackendAddress(String ip) {
        return knownAddresses.contains(ip);
    }

    private Entry resolveNow(Backend b) {
        Entry previous = cache.get(b.uri());
        Entry e;
        try {
            e = lookUp(b);
        } catch (IOException | RuntimeException ex) {
            LOG.warn("DNS lookup for {} failed ({}); {}", b.uri(), ex.getMessage(),
                    previous != null ? "keeping its last answer" : "no target until it resolves");
            e = new Entry(previous != null ? previous.targets() : List.of(), clock.getAsLong() + RETRY_SECONDS * 1000);
        }
        boolean changed = previous == null || !previous.targets().equals(e.targets());
        if (changed) {
            // known before the entry is visible: whoever sees the new target also trusts its address
            Set<String> grown = new HashSet<>(knownAddresses);
            e.targets().forEach(t -> grown.add(t.address().getAddress().getHostAddress()));
            knownAddresses = Set.copyOf(grown);
        }
        cache.put(b.uri(), e);
        if (changed) { // and once it is in, addresses no entry names any more are dropped
            if (previous != null) {
                LOG.info("{} now resolves to {}", b.uri(), e.targets().stream().map(Target::key).toList());
            }
            rebuildKnownAddresses();
        }
        return e;
    }

    private void refreshSoon(Backend b) {
        if (refreshing.add(b.uri())) {
            try {
                refresher.execute(() -> {
                    try {
                        resolveNow(b);
                    } finally {
                        refreshing.remove(b.uri());
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                refreshing.remove(b.uri());
            }
        }
    }

    private Entry lookUp(Backend b) throws IOException {
        String host = b.address().host().toLowerCase(Locale.ROOT);
        Peer.Transport transport = Peer.Transport.of(b.address().transport());
        long ttl = MAX_TTL_SECONDS;
        List<Target> out = new ArrayList<>();
        if (!hasExplicitPort(b.uri())) {
            String service = switch (transport) {
                case TLS -> "_sips._tcp.";
                case TCP -> "_sip._tcp.";
                case UDP -> "_sip._udp.";
            };
            List<DnsClient.Srv> records = new ArrayList<>(dns.srv(service + host));
            // RFC 2782: lowest priority first; within one, the heavier first (a fixed order keeps failover predictable)
            records.sort(Comparator.comparingInt(DnsClient.Srv::priority).thenComparing(Comparator.comparingInt(DnsClient.Srv::weight).reversed()));
            for (DnsClient.Srv srv : records) {
                ttl = Math.min(ttl, srv.ttlSeconds());
                for (DnsClient.Address a : dns.addresses(srv.target())) {
                    ttl = Math.min(ttl, a.ttlSeconds());
                    out.add(new Target(transport, new InetSocketAddress(a.address(), srv.port())));
                }
            }
        }
        if (out.isEmpty()) {
            for (DnsClient.Address a : dns.addresses(host)) {
                ttl = Math.min(ttl, a.ttlSeconds());
                out.add(new Target(transport, new InetSocketAddress(a.address(), b.address().port())));
            }
        }
        if (out.isEmpty()) {
            LOG.warn("{} does not resolve (no SRV, A or AAAA records for {})", b.uri(), host);
            ttl = RETRY_SECONDS;
        }
        long seconds = Math.max(MIN_TTL_SECONDS, Math.min(MAX_TTL_SECONDS, ttl));
        return new Entry(List.copyOf(out.stream().distinct().toList()), clock.getAsLong() + seconds * 1000);
    }

    private void rebuildKnownAddresses() {
        Set<String> ips = new HashSet<>();
        cache.values().forEach(e -> e.targets().forEach(t -> ips.add(t.address().getAddress().getHostAddress())));
        knownAddresses = Set.copyOf(ips);
    }

    static boolean hasExplicitPort(String uri) {
        Matcher m = EXPLICIT_PORT.matcher(uri);
        return m.find() && m.group(2) != null;
    }

    private static String unbracket(String host) {
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
