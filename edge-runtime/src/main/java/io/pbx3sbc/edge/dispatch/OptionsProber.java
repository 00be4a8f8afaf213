package io.pbx3sbc.edge.dispatch;

import io.pbx3sbc.edge.routing.Backend;
import io.pbx3sbc.edge.routing.BackendSet;
import io.pbx3sbc.edge.routing.RoutingTable;
import io.pbx3sbc.routingdb.model.Probing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Sends OPTIONS to every destination of the active table at its set's interval and feeds the answers
 * (or their absence within the probe timeout) to the {@link HealthTracker}. Up and down transitions are
 * logged once, as the seed's {@code dispatcher:dst-up/dst-down} event routes do.
 */
public final class OptionsProber implements ProbeOutcomes {
    private static final Logger LOG = LoggerFactory.getLogger(OptionsProber.class);

    /** Sends one OPTIONS to a destination; its answer comes back through {@link #answered}. */
    @FunctionalInterface
    public interface ProbeSender {
        /** @return what abandons the probe (stops its retransmissions) once it timed out */
        Runnable send(Backend destination, Probe probe) throws Exception;
    }

    /** One outstanding probe. */
    public static final class Probe {
        final String uri;
        final Probing probing;
        final boolean startsInactive;
        ScheduledFuture<?> timeout;
        Runnable abandon;
        boolean done;

        Probe(String uri, Probing probing, boolean startsInactive) {
            this.uri = uri;
            this.probing = probing;
            this.startsInactive = startsInactive;
        }

        /** Whether {@code status} counts as alive for this destination's set. */
        public boolean alive(int status) {
            return probing.replyCodes().contains(status);
        }
    }

    private static final long CONFIRM_MILLIS = 2000;
    /** Each transition is logged once, but a fleet-wide outage must not flood the log: /status has them all. */
    private final io.pbx3sbc.edge.admin.RateLimitedLog transitions = new io.pbx3sbc.edge.admin.RateLimitedLog(LOG, 20);

    private final Supplier<RoutingTable> table;
    private final HealthTracker health;
    private final ScheduledExecutorService timers;
    private final LongSupplier clockMillis;
    private final Map<String, Long> nextDue = new ConcurrentHashMap<>();
    private volatile ProbeSender sender;
    private ScheduledFuture<?> ticker;

    public OptionsProber(Supplier<RoutingTable> table, HealthTracker health, ScheduledExecutorService timers,
                         LongSupplier clockMillis) {
        this.table = table;
        this.health = health;
        this.timers = timers;
        this.clockMillis = clockMillis;
    }

    public void start(ProbeSender sender) {
        this.sender = sender;
        ticker = timers.scheduleWithFixedDelay(this::tick, 0, 250, TimeUnit.MILLISECONDS);
    }

    /** Unit tests drive {@link #tick()} themselves with a fake sender. */
    void setSenderForTest(ProbeSender sender) {
        this.sender = sender;
    }

    public void stop() {
        if (ticker != null) {
            ticker.cancel(false);
        }
    }

    /**
     * Sends the probes that are due; a destination in several sets is probed once, at the shortest
     * interval. Disabled destinations are not probed (as Kamailio skips {@code DS_DISABLED_DST});
     * draining ones are, so their health is known when they come back.
     */
    void tick() {
        try {
            RoutingTable t = table.get();
            if (t == null) {
                return;
            }
            Map<String, Backend> destinations = new HashMap<>();
            Map<String, Probing> probings = new HashMap<>();
            for (BackendSet set : t.sets()) {
                for (Backend b : set.backends()) {
                    if (!b.state().probed()) {
                        continue;
                    }
                    destinations.putIfAbsent(b.uri(), b);
                    probings.merge(b.uri(), set.probing(),
                            (a, c) -> a.intervalSeconds() <= c.intervalSeconds() ? a : c);
                }
            }
            nextDue.keySet().retainAll(destinations.keySet());
            long now = clockMillis.getAsLong();
            for (var e : destinations.entrySet()) {
                String uri = e.getKey();
                Probing probing = probings.get(uri);
                // A destination seen for the first time gets its first probe at a point of its interval
                // fixed by its URI: 10,000 destinations are probed ~330 a second, not all in one tick.
                long due = nextDue.computeIfAbsent(uri,
                        k -> now + Math.floorMod(k.hashCode(), probing.intervalSeconds() * 1000L));
                if (due <= now) {
                    nextDue.put(uri, now + probing.intervalSeconds() * 1000L);
                    send(e.getValue(), new Probe(uri, probing, e.getValue().startsInactive()));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("probe round failed: {}", e.toString());
        }
    }

    private void send(Backend b, Probe probe) {
        synchronized (probe) {
            probe.timeout = timers.schedule(() -> timedOut(probe), probe.probing.timeoutMillis(), TimeUnit.MILLISECONDS);
        }
        try {
            Runnable abandon = sender.send(b, probe);
            synchronized (probe) {
                probe.abandon = abandon;
            }
        } catch (Exception e) {
            LOG.debug("probe to {} not sent: {}", b.uri(), e.toString());
            complete(probe, 0);
        }
    }

    /**
     * Probes a destination at the next tick instead of at its interval: a relayed request to it went
     * unanswered. A dead host is then marked down after {@code probingThreshold} quick probes.
     */
    @Override
    public void probeSoon(String uri) {
        nextDue.computeIfPresent(uri, (k, due) -> Math.min(due, clockMillis.getAsLong()));
    }

    @Override
    public void answered(Probe probe, int status) {
        if (status >= 200) { // provisional answers to OPTIONS say nothing about health
            complete(probe, status);
        }
    }

    void timedOut(Probe probe) {
        Runnable abandon;
        synchronized (probe) {
            abandon = probe.abandon;
        }
        if (abandon != null) {
            abandon.run();
        }
        complete(probe, 0);
    }

    private void complete(Probe probe, int status) {
        synchronized (probe) {
            if (probe.done) {
                return;
            }
            probe.done = true;
            if (probe.timeout != null) {
                probe.timeout.cancel(false);
            }
        }
        HealthTracker.Transition t = health.probeResult(probe.uri, probe.probing, status, probe.startsInactive,
                clockMillis.getAsLong());
        boolean failed = status == 0 || !probe.probing.replyCodes().contains(status);
        if (failed && health.isUp(probe.uri)) {
            // A suspect destination is confirmed within seconds rather than an interval later; once it
            // is down it is probed at its interval again, as Kamailio does.
            long confirmAt = clockMillis.getAsLong() + Math.min(probe.probing.intervalSeconds() * 1000L, CONFIRM_MILLIS);
            nextDue.computeIfPresent(probe.uri, (k, due) -> Math.min(due, confirmAt));
        }
        switch (t) {
            case WENT_DOWN -> transitions.warn("Destination DOWN: {} ({})", probe.uri,
                    status == 0 ? "no reply to OPTIONS within " + probe.probing.timeoutMillis() + " ms" : "replied " + status);
            case WENT_UP -> transitions.info("Destination UP: {}", probe.uri);
            case NONE -> {
            }
        }
    }
}
