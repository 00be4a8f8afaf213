package io.pbx3sbc.edge.routing;

import io.pbx3sbc.routingdb.RoutingDb;
import io.pbx3sbc.routingdb.model.DestinationState;
import io.pbx3sbc.routingdb.model.DispatcherSet;
import io.pbx3sbc.routingdb.model.Domain;
import io.pbx3sbc.routingdb.model.SipUri;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One routing version in memory, immutable, built off the hot path from a validated {@link RoutingDb}.
 * The edge holds exactly one active table in an atomic reference; a request reads it once and
 * finishes with it, so a version swap is one reference write and never tears a lookup.
 */
public final class RoutingTable {
    private final long version;
    private final String contentSha256;
    private final Map<String, Tenant> tenants;
    private final Map<Integer, BackendSet> sets;
    /** host:port of every destination not disabled: where in-dialog requests from outside may go (no open relay). */
    private final Set<String> destinationAddresses;
    private final Set<String> destinationHosts;

    private RoutingTable(long version, String contentSha256, Map<String, Tenant> tenants, Map<Integer, BackendSet> sets) {
        this.version = version;
        this.contentSha256 = contentSha256;
        this.tenants = Map.copyOf(tenants);
        this.sets = Map.copyOf(sets);
        // A disabled destination takes nothing, not even requests of dialogs that were up on it.
        Set<String> addresses = new HashSet<>();
        Set<String> hosts = new HashSet<>();
        sets.values().forEach(s -> s.backends().stream().filter(b -> b.state() != DestinationState.DISABLED).forEach(b -> {
            addresses.add(hostPort(b.address()));
            hosts.add(b.address().host());
        }));
        this.destinationAddresses = Set.copyOf(addresses);
        this.destinationHosts = Set.copyOf(hosts);
    }

    public static RoutingTable from(RoutingDb db) {
        Map<Integer, BackendSet> sets = new HashMap<>();
        for (DispatcherSet s : db.model().sets()) {
            List<Backend> backends = s.destinations().stream()
                    .map(d -> new Backend(d.uri(), SipUri.parse(d.uri()), d.priority(), d.weight(), d.flags(), d.state()))
                    .toList();
            sets.put(s.setId(), new BackendSet(s.setId(), s.algorithm(), s.probing(), backends));
        }
        Map<String, Tenant> tenants = new HashMap<>(db.model().domains().size() * 2);
        for (Domain d : db.model().domains()) {
            tenants.put(d.domain(), new Tenant(d.domain(), d.setId(), d.enabled(), d.rateLimit()));
        }
        long version = db.version().map(v -> v.version()).orElse(0L);
        return new RoutingTable(version, db.contentSha256(), tenants, sets);
    }

    public long version() {
        return version;
    }

    public String contentSha256() {
        return contentSha256;
    }

    /** The tenant for a request-URI host (compared lower-case), enabled or not; null when unknown. */
    public Tenant tenant(String host) {
        return tenants.get(host.toLowerCase(java.util.Locale.ROOT));
    }

    public BackendSet set(int setId) {
        return sets.get(setId);
    }

    public Iterable<BackendSet> sets() {
        return sets.values();
    }

    public int tenantCount() {
        return tenants.size();
    }

    /** Whether host:port is a destination of this table. */
    public boolean isDestination(String host, int port) {
        return destinationAddresses.contains(host.toLowerCase(java.util.Locale.ROOT) + ":" + port);
    }

    /** Whether a request from this host comes from one of our backends (BYE or re-INVITE towards a caller). */
    public boolean isDestinationHost(String host) {
        return destinationHosts.contains(host.toLowerCase(java.util.Locale.ROOT));
    }

    /** Every destination URI of every set, for health bookkeeping across versions. */
    public Set<String> destinationUris() {
        Set<String> uris = new HashSet<>();
        sets.values().forEach(s -> s.backends().forEach(b -> uris.add(b.uri())));
        return uris;
    }

    private static String hostPort(SipUri uri) {
        return uri.host() + ":" + uri.port();
    }
}
