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
import java.util.List;
import java.util.Optional;

/**
 * Carries out the {@link PromotionGate} for one fleet: reads the edges' reports from the store, decides,
 * and writes the release pointer when the decision changes it. Reports of edges silent for longer than
 * {@link #FORGET_AFTER} are deleted (the pods are gone).
 */
public final class FleetPromoter {
    private static final Logger LOG = LoggerFactory.getLogger(FleetPromoter.class);
    static final Duration FORGET_AFTER = Duration.ofMinutes(15);

    private final ObjectStore store;
    private final FleetLayout layout;
    private final Clock clock;

    public FleetPromoter(ObjectStore store, FleetLayout layout, Clock clock) {
        this.store = store;
        this.layout = layout;
        this.clock = clock;
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
        List<EdgeReport> out = new ArrayList<>();
        for (String key : store.list(layout.edgesPrefix())) {
            Optional<byte[]> json = store.get(key);
            if (json.isEmpty()) {
                continue;
            }
            EdgeReport r;
            try {
                r = EdgeReport.fromJson(json.get());
            } catch (IOException e) {
                LOG.warn("fleet {}: ignoring unreadable edge report {}: {}", layout.fleet(), key, e.getMessage());
                continue;
            }
            if (r.reportedAt().isBefore(clock.instant().minus(FORGET_AFTER))) {
                store.delete(key);
                continue;
            }
            out.add(r);
        }
        return out;
    }
}
