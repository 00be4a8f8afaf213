package io.pbx3sbc.routingdb.testing;

import io.pbx3sbc.routingdb.VersionInfo;
import io.pbx3sbc.routingdb.model.Algorithm;
import io.pbx3sbc.routingdb.model.Destination;
import io.pbx3sbc.routingdb.model.DispatcherSet;
import io.pbx3sbc.routingdb.model.Domain;
import io.pbx3sbc.routingdb.model.Probing;
import io.pbx3sbc.routingdb.model.RateLimit;
import io.pbx3sbc.routingdb.model.RoutingModel;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Small builders for routing models used across tests. */
public final class Fixtures {
    private Fixtures() {
    }

    /** Two tenants on two sets, one disabled tenant, one rate limit. */
    public static RoutingModel twoTenants() {
        return new RoutingModel(
                List.of(new Domain("tenant1.example.com", 10, true, "primary tenant", new RateLimit(100, 200)),
                        new Domain("tenant2.example.com", 20, true, null, null),
                        new Domain("old.example.com", 20, false, "suspended", null)),
                List.of(new DispatcherSet(10, "set-a", Algorithm.PRIORITY, Probing.DEFAULT, List.of(
                                new Destination(10, "sip:127.0.0.11:5060", 0, 10, 1, ""),
                                new Destination(10, "sip:127.0.0.12:5060", 0, 5, 1, "duid=b"))),
                        new DispatcherSet(20, "set-b", Algorithm.ROUND_ROBIN, Probing.DEFAULT, List.of(
                                new Destination(20, "sip:127.0.0.21:5060;transport=tcp", 0, 0, 2, "")))));
    }

    /** {@code domains} tenants spread over sets of {@code destinations / sets} destinations each. */
    public static RoutingModel large(int domains, int destinations, int sets) {
        List<DispatcherSet> setList = new ArrayList<>();
        int perSet = destinations / sets;
        for (int s = 1; s <= sets; s++) {
            List<Destination> dests = new ArrayList<>();
            for (int d = 0; d < perSet; d++) {
                int n = (s - 1) * perSet + d;
                dests.add(new Destination(s, "sip:10." + (n >> 16 & 255) + "." + (n >> 8 & 255) + "." + (n & 255) + ":5060",
                        0, d, 1, ""));
            }
            setList.add(new DispatcherSet(s, "set-" + s, Algorithm.ROUND_ROBIN, Probing.DEFAULT, dests));
        }
        List<Domain> domainList = new ArrayList<>(domains);
        for (int i = 0; i < domains; i++) {
            domainList.add(new Domain("tenant" + i + ".voip.example.com", 1 + i % sets, true, null,
                    i % 10 == 0 ? new RateLimit(50, 100) : null));
        }
        return new RoutingModel(domainList, setList);
    }

    public static VersionInfo version(long n) {
        return new VersionInfo(n, "edge", Instant.parse("2026-11-26T12:00:00Z"), Map.of("SipDomain/default/acme", 3L));
    }
}
