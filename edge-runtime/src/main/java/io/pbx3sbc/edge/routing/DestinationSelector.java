package io.pbx3sbc.edge.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks a healthy backend of a set by the set's algorithm, among the destinations that take new
 * dialogs (neither draining nor disabled). Round-robin counters live here, keyed by set id, not in the
 * table, so a version swap does not reset the rotation. {@code hash-callid} is rendezvous hashing: a
 * destination going down moves only the calls it had.
 */
public final class DestinationSelector {
    private final ConcurrentHashMap<Integer, AtomicInteger> rotations = new ConcurrentHashMap<>();

    /**
     * @param exclude URIs already tried for this request (failover after a timeout or 5xx)
     * @return null when no healthy backend is left
     */
    public Backend select(BackendSet set, HealthView health, String callId, Set<String> exclude) {
        List<Backend> candidates = new ArrayList<>(set.backends().size());
        for (Backend b : set.backends()) {
            if (b.state().takesNewDialogs() && !exclude.contains(b.uri()) && health.isUp(b)) {
                candidates.add(b);
            }
        }
        if (candidates.isEmpty()) {
            return null;
        }
        return switch (set.algorithm()) {
            case PRIORITY -> candidates.get(0); // table order is highest priority first
            case ROUND_ROBIN -> candidates.get(Math.floorMod(
                    rotations.computeIfAbsent(set.setId(), k -> new AtomicInteger()).getAndIncrement(), candidates.size()));
            case HASH_CALL_ID -> RendezvousHash.pick(RendezvousHash.of(callId == null ? "" : callId), candidates);
            case WEIGHTED -> weighted(candidates);
        };
    }

    private static Backend weighted(List<Backend> candidates) {
        int total = candidates.stream().mapToInt(Backend::weight).sum();
        if (total <= 0) {
            return candidates.get(0);
        }
        int pick = ThreadLocalRandom.current().nextInt(total);
        for (Backend b : candidates) {
            pick -= b.weight();
            if (pick < 0) {
                return b;
            }
        }
        return candidates.get(candidates.size() - 1);
    }
}
