package io.pbx3sbc.operator.publish;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The epoch a replica signs its release pointers with: its leadership term (when it acquired the Lease).
 * Edges order pointers by {@code (epoch, sequence)}, so a replica that lost the lease but has not noticed
 * yet writes pointers the edges refuse. When the store or the edges show a newer term than ours, the
 * replica adopts it only if it still holds the lease (a writer without one, say a second operator run
 * without leader election, may have written it); a stale leader keeps its own and stays refused.
 */
public interface LeadershipTerm {
    long epoch();

    /** @return the epoch to write with now that {@code seen} was seen: {@code seen} if this replica still leads */
    long adopt(long seen);

    /** A term that always adopts (one operator without leader election, tests). */
    static LeadershipTerm fixed(long epoch) {
        AtomicLong e = new AtomicLong(epoch);
        return new LeadershipTerm() {
            @Override
            public long epoch() {
                return e.get();
            }

            @Override
            public long adopt(long seen) {
                return e.accumulateAndGet(seen, Math::max);
            }
        };
    }
}
