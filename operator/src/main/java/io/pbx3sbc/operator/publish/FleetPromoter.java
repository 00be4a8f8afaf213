package io.pbx3sbc.operator.publish;

import io.pbx3sbc.routingdb.manifest.EdgeReport;
import io.pbx3sbc.routingdb.manifest.ReleasePointer;
import io.pbx3sbc.routingdb.store.FleetLayout;
import io.pbx3sbc.routingdb.store.ObjectStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * Carries out the {@link PromotionGate} for one fleet: reads the edges' reports from the store, decides,
 * and writes the release pointer when the decision changes it. Reports of edges silent for longer than
 * {@link #FORGET_AFTER} are deleted (the pods are gone).
 */
public final class FleetPromoter {
    private static final Logger LOG = LoggerFactory.getLogger(FleetPromoter.class);
    static final Duration FORGET_AFTER = Duration.ofMinutes(15);

    /**
     * The reports read before, with the ETag each was read at: one listing tells which changed, and only
     * those are fetched again (at 1,000 edges, a thousand GETs per look become one LIST and a few GETs).
     * Kept per fleet across reconciles by the caller.
     */
    public static final class ReportCache {
        private record Cached(String etag, EdgeReport report) {
        }

        private final Map<String, Cached> byKey = new HashMap<>();
    }

    private final ObjectStore store;
    private final FleetLayout layout;
    private final Clock clock;
    private final ReportCache cache;

    public FleetPromoter(ObjectStore store, FleetLayout layout, Clock clock) {
        this(store, layout, clock, new ReportCache());
    }

    public FleetPromoter(ObjectStore store, FleetLayout layout, Clock clock, ReportCache cache) {
        this.store = store;
        this.layout = layout;
        this.clock = clock;
        this.cache = cache;
    }

    /**
     * Decides on reports already read (the reconciler also takes destination health from them) and writes
     * the new pointer through {@code pointers} when the decision changes it.
     *
     * @return the decision, its pointer as written
     */
    public PromotionGate.Decision promote(ReleasePointer pointer, PromotionGate.Policy policy, List<EdgeReport> reports,
                                          ReleasePointerWriter.Sink pointers) throws IOException {
        PromotionGate.Decision d = PromotionGate.decide(pointer, reports, policy, clock.instant());
        if (d.changed(pointer)) {
            d = d.withPointer(pointers.write(d.pointer()));
            if (d.outcome() != null) {
                LOG.info("fleet {}: version {} {}", layout.fleet(), d.decided(), d.outcome());
            }
        }
        return d;
    }

    /** The edges' reports, after deleting those of edges silent for {@link #FORGET_AFTER}. */
    public List<EdgeReport> reports() throws IOException {
        SortedMap<String, String> listed = store.listWithEtags(layout.edgesPrefix());
        synchronized (cache) {
            cache.byKey.keySet().retainAll(listed.keySet());
            List<EdgeReport> out = new ArrayList<>();
            for (Map.Entry<String, String> e : listed.entrySet()) {
                String key = e.getKey();
                ReportCache.Cached known = cache.byKey.get(key);
                EdgeReport r;
                if (known != null && e.getValue() != null && e.getValue().equals(known.etag())) {
                    r = known.report();
                } else {
                    Optional<ObjectStore.Fetched> fetched = store.getIfChanged(key, null);
                    if (fetched.isEmpty()) {
                        cache.byKey.remove(key);
                        continue;
                    }
                    try {
                        r = EdgeReport.fromJson(fetched.get().bytes());
                    } catch (IOException ex) {
                        LOG.warn("fleet {}: ignoring unreadable edge report {}: {}", layout.fleet(), key, ex.getMessage());
                        cache.byKey.remove(key);
                        continue;
                    }
                    cache.byKey.put(key, new ReportCache.Cached(fetched.get().etag(), r));
                }
                if (r.reportedAt() == null || r.reportedAt().isBefore(clock.instant().minus(FORGET_AFTER))) {
                    store.delete(key);
                    cache.byKey.remove(key);
                    continue;
                }
                out.add(r);
            }
            return out;
        }
    }
}
