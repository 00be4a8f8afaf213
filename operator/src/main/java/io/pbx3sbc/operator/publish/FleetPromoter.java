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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

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
        /** Report bytes an edge offered (its nudge answer), by key, until the next listing. */
        private final Map<String, byte[]> offered = new HashMap<>();

        /**
         * An edge's report as it says it wrote it. Taken instead of a GET only when the listing's ETag is the
         * MD5 of exactly these bytes (S3's ETag of a single-part upload): then they are the stored object,
         * whoever sent them. Otherwise (another ETag scheme, a newer report, a liar) the report is read.
         */
        public synchronized void offer(String key, byte[] bytes) {
            if (bytes != null && bytes.length > 0) {
                offered.put(key, bytes);
            }
        }

        private synchronized Map<String, byte[]> takeOffers() {
            Map<String, byte[]> out = new HashMap<>(offered);
            offered.clear();
            return out;
        }
    }

    /** Fetches edge reports in parallel, shared by all fleets (the S3 client is thread-safe). */
    private static final java.util.concurrent.ExecutorService FETCHERS = java.util.concurrent.Executors.newFixedThreadPool(16, r -> {
        Thread t = new Thread(r, "report-fetcher");
        t.setDaemon(true);
        return t;
    });

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
            Map<String, byte[]> offers = cache.takeOffers();
            List<String> changed = new ArrayList<>();
            Map<String, Optional<ObjectStore.Fetched>> fetched = new HashMap<>();
            for (Map.Entry<String, String> e : listed.entrySet()) {
                ReportCache.Cached known = cache.byKey.get(e.getKey());
                if (known != null && e.getValue() != null && e.getValue().equals(known.etag())) {
                    continue;
                }
                byte[] offer = offers.get(e.getKey());
                if (offer != null && e.getValue() != null && unquoted(e.getValue()).equalsIgnoreCase(md5(offer))) {
                    fetched.put(e.getKey(), Optional.of(new ObjectStore.Fetched(offer, e.getValue())));
                } else {
                    changed.add(e.getKey());
                }
            }
            fetched.putAll(fetchAll(changed));
            List<EdgeReport> out = new ArrayList<>();
            for (String key : listed.keySet()) {
                EdgeReport r;
                if (!fetched.containsKey(key)) {
                    r = cache.byKey.get(key).report();
                } else {
                    Optional<ObjectStore.Fetched> f = fetched.get(key);
                    if (f.isEmpty()) {
                        cache.byKey.remove(key);
                        continue;
                    }
                    try {
                        r = EdgeReport.fromJson(f.get().bytes());
                    } catch (IOException ex) {
                        LOG.warn("fleet {}: ignoring unreadable edge report {}: {}", layout.fleet(), key, ex.getMessage());
                        cache.byKey.remove(key);
                        continue;
                    }
                    cache.byKey.put(key, new ReportCache.Cached(f.get().etag(), r));
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

    /**
     * The changed reports, fetched a few at a time in parallel: after a promotion step every edge's report
     * changes, and 1,000 GETs one after another would take seconds.
     */
    private Map<String, Optional<ObjectStore.Fetched>> fetchAll(List<String> keys) throws IOException {
        Map<String, CompletableFuture<Optional<ObjectStore.Fetched>>> calls = new LinkedHashMap<>();
        for (String key : keys) {
            calls.put(key, CompletableFuture.supplyAsync(() -> {
                try {
                    return store.getIfChanged(key, null);
                } catch (IOException e) {
                    throw new CompletionException(e);
                }
            }, keys.size() < 4 ? Runnable::run : FETCHERS));
        }
        Map<String, Optional<ObjectStore.Fetched>> out = new LinkedHashMap<>();
        for (var call : calls.entrySet()) {
            try {
                out.put(call.getKey(), call.getValue().join());
            } catch (CompletionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
        }
        return out;
    }

    private static String unquoted(String etag) {
        return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"") ? etag.substring(1, etag.length() - 1) : etag;
    }

    private static String md5(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has MD5", e);
        }
    }
}
