package io.pbx3sbc.operator.publish;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one reconcile of an EdgeFleet must do in S3, decided from facts only (pure; the publisher
 * carries it out):
 * <ul>
 *   <li>publish nothing when the compiled content equals the active or the candidate version's, or the
 *       last failed one's, or while a version is pinned;</li>
 *   <li>otherwise publish version {@code max(published) + 1} (versions are immutable, never reused);</li>
 *   <li>keep the newest {@code retained} versions, plus the active, pinned and (new) candidate ones;
 *       delete the rest. A candidate superseded by a newer one is no longer protected.</li>
 * </ul>
 *
 * @param publish     whether a new version must be published
 * @param nextVersion the number to publish under (meaningful when {@code publish})
 * @param delete      published versions to delete, oldest first
 */
public record PublishPlan(boolean publish, long nextVersion, List<Long> delete) {

    /**
     * @param contentSha256 content hash of the fresh compilation
     * @param published     every published version and its content hash (from the manifests)
     * @param active        active version in the release pointer, or null
     * @param candidate     candidate version, or null
     * @param pinned        version pinned for rollback, or null
     * @param retained      how many versions to keep at least (the EdgeFleet's versionsRetained)
     */
    public static PublishPlan decide(String contentSha256, Map<Long, String> published, Long active, Long candidate,
                                     Long pinned, int retained) {
        return decide(contentSha256, published, active, candidate, pinned, retained, null);
    }

    /**
     * @param failedSha content hash of the version that last failed promotion: the same content is not
     *                  proposed again (a later change is); null when none failed
     */
    public static PublishPlan decide(String contentSha256, Map<Long, String> published, Long active, Long candidate,
                                     Long pinned, int retained, String failedSha) {
        Objects.requireNonNull(contentSha256, "contentSha256");
        if (retained < 1) {
            throw new IllegalArgumentException("retained must be at least 1");
        }
        // While a version is pinned (a rollback), new content waits: nothing is proposed over it.
        boolean unchanged = pinned != null || contentSha256.equals(failedSha)
                || sameContent(published, active, contentSha256) || sameContent(published, candidate, contentSha256);
        long next = published.keySet().stream().mapToLong(Long::longValue).max().orElse(0) + 1;
        TreeSet<Long> all = new TreeSet<>(published.keySet());
        if (!unchanged) {
            all.add(next);
        }
        Long nextCandidate = unchanged ? candidate : Long.valueOf(next);
        Set<Long> keep = new java.util.HashSet<>();
        for (Long v : new Long[] {active, nextCandidate, pinned}) {
            if (v != null) {
                keep.add(v);
            }
        }
        return new PublishPlan(!unchanged, next, toDelete(all, keep, retained));
    }

    private static boolean sameContent(Map<Long, String> published, Long version, String sha) {
        return version != null && sha.equals(published.get(version));
    }

    private static List<Long> toDelete(TreeSet<Long> versions, Collection<Long> keep, int retained) {
        List<Long> out = new ArrayList<>();
        int newest = 0;
        for (Long v : versions.descendingSet()) {
            if (newest++ < retained || keep.contains(v)) {
                continue;
            }
            out.add(0, v);
        }
        return List.copyOf(out);
    }
}
