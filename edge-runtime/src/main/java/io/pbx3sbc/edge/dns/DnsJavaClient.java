package io.pbx3sbc.edge.dns;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@link BackendResolver.DnsClient} over dnsjava: the system's resolvers and search path, or one given server. */
public final class DnsJavaClient implements BackendResolver.DnsClient {
    private final Resolver resolver;

    private DnsJavaClient(Resolver resolver) {
        this.resolver = resolver;
        resolver.setTimeout(Duration.ofSeconds(2));
    }

    /** The resolvers and search domains of /etc/resolv.conf (in a pod: the cluster DNS, so Service names work). */
    public static DnsJavaClient system() {
        return new DnsJavaClient(new ExtendedResolver());
    }

    /** One DNS server (a test's, or a dedicated one). */
    public static DnsJavaClient server(InetSocketAddress at) {
        return new DnsJavaClient(new SimpleResolver(at));
    }

    @Override
    public List<Srv> srv(String name) throws IOException {
        List<Srv> out = new ArrayList<>();
        for (Record r : query(name, Type.SRV)) {
            if (r instanceof SRVRecord s) {
                out.add(new Srv(s.getPriority(), s.getWeight(), s.getPort(), s.getTarget().toString(true), s.getTTL()));
            }
        }
        return out;
    }

    @Override
    public List<Address> addresses(String name) throws IOException {
        List<Address> out = new ArrayList<>();
        for (Record r : query(name, Type.A)) {
            if (r instanceof ARecord a) {
                out.add(new Address(a.getAddress(), a.getTTL()));
            }
        }
        for (Record r : query(name, Type.AAAA)) {
            if (r instanceof AAAARecord a) {
                out.add(new Address(a.getAddress(), a.getTTL()));
            }
        }
        return out;
    }

    private List<Record> query(String name, int type) throws IOException {
        Lookup lookup;
        try {
            lookup = new Lookup(name, type);
        } catch (TextParseException e) {
            throw new IOException("not a DNS name: " + name, e);
        }
        lookup.setResolver(resolver);
        lookup.setCache(new Cache()); // the BackendResolver keeps answers for their TTL; no second cache to go stale
        Record[] records = lookup.run();
        return switch (lookup.getResult()) {
            case Lookup.SUCCESSFUL -> records == null ? List.of() : List.of(records);
            case Lookup.HOST_NOT_FOUND, Lookup.TYPE_NOT_FOUND -> List.of();
            default -> throw new IOException("DNS " + Type.string(type) + " " + name + ": " + lookup.getErrorString());
        };
    }
}
