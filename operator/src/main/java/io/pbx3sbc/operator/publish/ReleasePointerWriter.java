package io.pbx3sbc.operator.publish;

import io.pbx3sbc.routingdb.manifest.EdgeReport;
import io.pbx3sbc.routingdb.manifest.ReleasePointer;
import io.pbx3sbc.routingdb.manifest.SigningKeys;
import io.pbx3sbc.routingdb.manifest.TrustedKeys;
import io.pbx3sbc.routingdb.store.FleetLayout;
import io.pbx3sbc.routingdb.store.ObjectStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.KeyPair;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The only writer of a fleet's release pointer (through {@link #write}, as the publisher's and promoter's
 * {@link Sink}). It reads the pointer as a base only when it can trust
 * it (signed by the fleet's key, not older than what this operator wrote or the edges accepted), signs
 * every pointer it writes with the next {@code (epoch, sequence)}, and writes it conditionally on the
 * ETag it read, so a stale leader's write is refused by the store where conditional writes exist, and
 * by the edges (older epoch) where they do not.
 *
 * <p>A pointer it cannot trust (replaced, replayed or unsigned) is not built on: the base is the newest
 * trusted pointer this operator read or wrote, or, when the edges accepted a newer one than that (after a
 * restart, or written by another operator), what the live edges report as active (they only activate
 * what a signed pointer named). {@link #current} says so through {@link Base#distrusted()}.
 */
public final class ReleasePointerWriter {
    private static final Logger LOG = LoggerFactory.getLogger(ReleasePointerWriter.class);

    /** Where a new pointer goes: signed and written by the writer. */
    @FunctionalInterface
    public interface Sink {
        ReleasePointer write(ReleasePointer next) throws IOException;
    }

    /** What the writer remembers of one fleet between reconciles. */
    public static final class Memory {
        /**
         * The newest trusted pointer seen in the store or written here: what to build on when the stored
         * one cannot be trusted. Not merely the last one written here, which another operator that believes
         * it leads may have overtaken: building on that would roll the fleet back to replaced content.
         */
        private ReleasePointer newest;
        private String etag;
        /** The newest epoch seen in the store or in the edges' reports. */
        private long seenEpoch;
    }

    /** The pointer to build on, and why the stored one was not used (null when it was). */
    public record Base(ReleasePointer pointer, String distrusted) {
    }

    private final ObjectStore store;
    private final FleetLayout layout;
    private final KeyPair keys;
    private final TrustedKeys trusted;
    private final LeadershipTerm term;
    private final Memory memory;
    private final Clock clock;

    public ReleasePointerWriter(ObjectStore store, FleetLayout layout, KeyPair keys, long epoch, Memory memory, Clock clock) {
        this(store, layout, keys, TrustedKeys.of(keys.getPublic()), LeadershipTerm.fixed(epoch), memory, clock);
    }

    /** @param trusted the keys a stored pointer may be signed with (both during a key rotation) */
    public ReleasePointerWriter(ObjectStore store, FleetLayout layout, KeyPair keys, TrustedKeys trusted, LeadershipTerm term,
                                Memory memory, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.layout = Objects.requireNonNull(layout, "layout");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.trusted = Objects.requireNonNull(trusted, "trusted");
        this.term = Objects.requireNonNull(term, "term");
        this.memory = Objects.requireNonNull(memory, "memory");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The pointer to build on, from the store when it can be trusted; see the class comment. */
    public Base current(List<EdgeReport> reports) throws IOException {
        Optional<ObjectStore.Fetched> fetched = store.getIfChanged(layout.releasePointer(), null);
        if (fetched.isEmpty()) {
            memory.etag = null;
            return new Base(known(reports), memory.newest != null || !reports.isEmpty()
                    ? "the release pointer is missing from the store" : null);
        }
        memory.etag = fetched.get().etag();
        memory.seenEpoch = Math.max(memory.seenEpoch, reports.stream().mapToLong(EdgeReport::pointerEpoch).max().orElse(0));
        ReleasePointer stored;
        try {
            stored = ReleasePointer.fromJson(fetched.get().bytes());
        } catch (IOException e) {
            return distrusted("the release pointer in the store is not valid JSON", reports);
        }
        if (!SigningKeys.verify(stored, trusted) || !layout.fleet().equals(stored.fleet())) {
            return distrusted("the release pointer in the store is not signed by this fleet's key", reports);
        }
        long[] accepted = newestAccepted(reports);
        if (stored.olderThan(accepted[0], accepted[1])
                || (memory.newest != null && stored.olderThan(memory.newest.epoch(), memory.newest.sequence()))) {
            return distrusted("the release pointer in the store (epoch " + stored.epoch() + ", sequence " + stored.sequence()
                    + ") is older than one already written or accepted by the edges: a replay", reports);
        }
        memory.seenEpoch = Math.max(memory.seenEpoch, stored.epoch());
        memory.newest = stored;
        return new Base(stored, null);
    }

    private Base distrusted(String why, List<EdgeReport> reports) {
        ReleasePointer base = known(reports);
        LOG.warn("fleet {}: {}; building on {} instead (active {}, epoch {}, sequence {})", layout.fleet(), why,
                base == memory.newest ? "the newest trusted pointer this operator saw" : "the versions the edges serve",
                base.active(), base.epoch(), base.sequence());
        return new Base(base, why);
    }

    /** The newest pointer known to be good: the newest trusted one seen, unless the edges accepted a newer one. */
    private ReleasePointer known(List<EdgeReport> reports) {
        long[] accepted = newestAccepted(reports);
        if (memory.newest != null && !memory.newest.olderThan(accepted[0], accepted[1])) {
            return memory.newest;
        }
        return fromEdges(reports);
    }

    /** {epoch, sequence} of the newest pointer any edge reports having accepted. */
    private static long[] newestAccepted(List<EdgeReport> reports) {
        long epoch = reports.stream().mapToLong(EdgeReport::pointerEpoch).max().orElse(0);
        long sequence = reports.stream().filter(r -> r.pointerEpoch() == epoch)
                .mapToLong(EdgeReport::pointerSequence).max().orElse(0);
        return new long[] {epoch, sequence};
    }

    /** After a restart, with nothing to trust in the store: the version most live edges serve. */
    private ReleasePointer fromEdges(List<EdgeReport> reports) {
        Map<Long, Long> votes = reports.stream().filter(r -> r.activeVersion() != null)
                .collect(Collectors.groupingBy(EdgeReport::activeVersion, Collectors.counting()));
        Long active = votes.entrySet().stream().max(Map.Entry.<Long, Long>comparingByValue()
                .thenComparing(Map.Entry.comparingByKey())).map(Map.Entry::getKey).orElse(null);
        long reportedEpoch = reports.stream().mapToLong(EdgeReport::pointerEpoch).max().orElse(0);
        long reportedSequence = reports.stream().mapToLong(EdgeReport::pointerSequence).max().orElse(0);
        return new ReleasePointer(layout.fleet(), active, null, List.of(), clock.instant())
                .withOrder(reportedSequence, reportedEpoch);
    }

    /**
     * Signs and writes {@code next} (built from a {@link Base}) with the next order, conditionally on the
     * ETag read by {@link #current}.
     *
     * @return the pointer as written
     * @throws ObjectStore.PreconditionFailed when another writer changed it since (the reconcile retries)
     */
    public ReleasePointer write(ReleasePointer next, List<EdgeReport> reports) throws IOException {
        long sequence = next.sequence();
        if (memory.newest != null) {
            sequence = Math.max(sequence, memory.newest.sequence());
        }
        sequence = Math.max(sequence, reports.stream().mapToLong(EdgeReport::pointerSequence).max().orElse(0));
        long seen = Math.max(memory.seenEpoch, reports.stream().mapToLong(EdgeReport::pointerEpoch).max().orElse(0));
        long epoch = seen > term.epoch() ? term.adopt(seen) : term.epoch();
        ReleasePointer signed = SigningKeys.sign(next.withOrder(sequence + 1, epoch), keys);
        byte[] json = signed.toJson();
        String etag;
        try {
            etag = store.putIfMatch(layout.releasePointer(), json, "application/json", memory.etag);
        } catch (ObjectStore.PreconditionFailed e) {
            // The HTTP client retries a request whose answer it lost; when the first try did land, the retry
            // finds the object changed, by itself. That is success, not another writer.
            Optional<ObjectStore.Fetched> now = store.getIfChanged(layout.releasePointer(), null);
            if (now.isEmpty() || !java.util.Arrays.equals(now.get().bytes(), json)) {
                memory.etag = null; // read again at the next reconcile
                throw e;
            }
            etag = now.get().etag();
        }
        memory.newest = signed;
        memory.etag = etag;
        return signed;
    }
}
