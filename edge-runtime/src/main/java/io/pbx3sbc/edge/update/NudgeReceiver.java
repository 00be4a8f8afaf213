package io.pbx3sbc.edge.update;

import io.pbx3sbc.edge.admin.RateLimitedLog;
import io.pbx3sbc.routingdb.manifest.Nudge;
import io.pbx3sbc.routingdb.manifest.TrustedKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * {@code POST /nudge}: the operator's signed "look now". A nudge is verified (fleet, freshness, a trusted
 * key), then one look at the store runs on the updater's thread; the answer comes once this edge has looked
 * and reported, so the operator can decide right after. Nudges that arrive before that look starts share it.
 * Nothing in a nudge steers the edge: the signed release pointer it then reads does, as at every poll.
 */
public final class NudgeReceiver {
    private static final Logger LOG = LoggerFactory.getLogger(NudgeReceiver.class);

    /** What to answer: an HTTP status and a short text. */
    public record Reply(int status, String body) {
    }

    /** One look at the store, run on the updater's thread; throws when it fails (the active table keeps routing). */
    public interface Look {
        void run() throws InterruptedException;
    }

    private final String fleet;
    private final Supplier<TrustedKeys> trusted;
    private final Clock clock;
    private final Look look;
    private final Supplier<String> state;
    private final AtomicReference<Executor> updates = new AtomicReference<>();
    private final AtomicReference<CompletableFuture<Void>> queuedLook = new AtomicReference<>();
    private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    private final RateLimitedLog refusals = new RateLimitedLog(LOG, 1);

    /**
     * @param look  one look at the store (the updater's tick)
     * @param state the 200 answer's body: this edge's report as it last wrote it
     */
    public NudgeReceiver(String fleet, Supplier<TrustedKeys> trusted, Clock clock, Look look, Supplier<String> state) {
        this.fleet = Objects.requireNonNull(fleet, "fleet");
        this.trusted = Objects.requireNonNull(trusted, "trusted");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.look = Objects.requireNonNull(look, "look");
        this.state = Objects.requireNonNull(state, "state");
    }

    /** Looks run on {@code executor} (the updater's single thread) from now on; until then nudges get 503. */
    public void start(Executor executor) {
        updates.set(executor);
    }

    public CompletableFuture<Reply> receive(byte[] body) {
        Nudge n;
        try {
            n = Nudge.fromJson(body);
        } catch (IOException | RuntimeException e) {
            count("malformed");
            return CompletableFuture.completedFuture(new Reply(400, "not a nudge\n"));
        }
        String refusal = n.refusal(fleet, trusted.get(), clock.instant());
        if (refusal != null) {
            count("refused");
            refusals.warn("nudge refused: {}", refusal);
            return CompletableFuture.completedFuture(new Reply(403, "nudge refused: " + refusal + "\n"));
        }
        Executor executor = updates.get();
        if (executor == null) {
            count("starting");
            return CompletableFuture.completedFuture(new Reply(503, "starting\n"));
        }
        count("accepted");
        return lookSoon(executor).handle((v, e) -> e != null ? new Reply(500, "the look failed: " + e + "\n")
                : new Reply(200, state.get()));
    }

    /** Nudges so far by outcome: accepted, refused, malformed, starting. */
    public Map<String, Long> outcomes() {
        Map<String, Long> out = new java.util.TreeMap<>();
        outcomes.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    private CompletableFuture<Void> lookSoon(Executor executor) {
        while (true) {
            CompletableFuture<Void> queued = queuedLook.get();
            if (queued != null) {
                return queued;
            }
            CompletableFuture<Void> next = new CompletableFuture<>();
            if (!queuedLook.compareAndSet(null, next)) {
                continue;
            }
            try {
                executor.execute(() -> {
                    queuedLook.compareAndSet(next, null); // nudges from now on need a look of their own
                    try {
                        look.run();
                        next.complete(null);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        next.completeExceptionally(e);
                    } catch (RuntimeException e) {
                        LOG.error("routing update failed; the active table keeps routing", e);
                        next.completeExceptionally(e);
                    }
                });
            } catch (RejectedExecutionException e) {
                queuedLook.compareAndSet(next, null);
                next.completeExceptionally(e);
            }
            return next;
        }
    }

    private void count(String outcome) {
        outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    }
}
