package io.pbx3sbc.operator.publish;

import io.pbx3sbc.routingdb.manifest.EdgeReport;
import io.pbx3sbc.routingdb.manifest.ReleasePointer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * When a candidate becomes the active version (pure). From the release pointer, the edges' reports and
 * the fleet's policy it decides the next pointer:
 * <ul>
 *   <li>a pinned version other than the active one becomes the candidate (rollback through the same
 *       staging path) and is promoted once staged, whatever autoPromote says;</li>
 *   <li>a candidate rejected by any edge, or not staged by the deadline, fails: it leaves the pointer,
 *       the active version stays, and the edges' reasons are given;</li>
 *   <li>a candidate staged by the policy's share of live edges (reported within {@code liveWindow}) is
 *       promoted when autoPromote is on or the user asked for exactly this version; never while paused.
 *       With no version active yet and no live edge (a new fleet), the first version is promoted at once
 *       so that starting edges have something to serve.</li>
 * </ul>
 */
public final class PromotionGate {
    private PromotionGate() {
    }

    public record Policy(boolean autoPromote, int gatePercent, Duration deadline, boolean paused, Long pinnedVersion,
                         Long manualPromotion, Duration liveWindow) {
    }

    /** One edge as the status shows it. */
    public record EdgeView(String edgeId, boolean live, Long activeVersion, Long stagedVersion, Long rejectedVersion,
                           String reason, Instant reportedAt) {
    }

    /**
     * @param pointer  the pointer to write (the same instance when nothing changes)
     * @param outcome  what happened to a candidate this time, as the history writes it ({@link #kind()}); null: nothing
     * @param waiting  why a pending candidate is not promoted yet (null when none is pending)
     */
    public record Decision(ReleasePointer pointer, Long decided, String outcome, String waiting, List<EdgeView> edges,
                           int live, int staged, int onActive) {
        public boolean changed(ReleasePointer before) {
            return pointer != before;
        }

        /** The kind of {@link #outcome}; null when nothing happened to a candidate. */
        public VersionOutcome kind() {
            return outcome == null ? null : VersionOutcome.of(outcome);
        }

        /** The same decision with its pointer as the writer wrote it (signed, ordered). */
        public Decision withPointer(ReleasePointer written) {
            return new Decision(written, decided, outcome, waiting, edges, live, staged, onActive);
        }

        /** Nothing pending and every live edge (if any) on the active version: the fleet can be polled slowly. */
        public boolean converged() {
            return pointer.candidate() == null && onActive == live;
        }
    }

    public static Decision decide(ReleasePointer pointer, List<EdgeReport> reports, Policy policy, Instant now) {
        List<EdgeView> edges = reports.stream()
                .sorted(Comparator.comparing(EdgeReport::edgeId))
                .map(r -> new EdgeView(r.edgeId(), !"stopped".equals(r.state()) && !r.reportedAt().isBefore(now.minus(policy.liveWindow())),
                        r.activeVersion(), r.stagedVersion(), r.rejectedVersion(), r.reason(), r.reportedAt()))
                .toList();
        List<EdgeView> live = edges.stream().filter(EdgeView::live).toList();

        ReleasePointer p = pointer;
        Long pinned = policy.pinnedVersion();
        if (pinned != null && !pinned.equals(p.active()) && !pinned.equals(p.candidate())) {
            p = with(p, p.active(), pinned, pinned, VersionOutcome.PINNED.wire(null), now);
        }
        Long c = p.candidate();
        if (c == null) {
            return new Decision(p, null, null, null, edges, live.size(), 0, onActive(live, p.active()));
        }

        List<EdgeView> rejecting = edges.stream().filter(e -> c.equals(e.rejectedVersion())).toList();
        if (!rejecting.isEmpty()) {
            String why = VersionOutcome.REJECTED.wire(rejecting.stream().map(e -> e.edgeId() + " (" + e.reason() + ")")
                    .collect(Collectors.joining(", ")));
            return fail(p, c, why, edges, live, now);
        }
        List<EdgeView> staged = live.stream().filter(e -> c.equals(e.stagedVersion()) || c.equals(e.activeVersion())).toList();
        boolean bootstrap = p.active() == null && live.isEmpty();
        boolean gate = bootstrap || (!live.isEmpty() && staged.size() * 100 >= policy.gatePercent() * live.size());
        boolean allowed = policy.autoPromote() || c.equals(policy.manualPromotion()) || c.equals(pinned);
        if (gate && allowed && !policy.paused()) {
            String outcome = VersionOutcome.PROMOTED.wire(null);
            ReleasePointer promoted = with(p, c, null, c, outcome, now);
            return new Decision(promoted, c, outcome, null, edges, live.size(), staged.size(), onActive(live, c));
        }
        Instant since = candidateSince(p, c);
        if (!gate && since != null && now.isAfter(since.plus(policy.deadline()))) {
            List<String> late = live.stream().filter(e -> !staged.contains(e)).map(EdgeView::edgeId).toList();
            return fail(p, c, VersionOutcome.NOT_STAGED.wire(policy.deadline().toSeconds() + " s by "
                    + (late.isEmpty() ? "any live edge (none reported)" : String.join(", ", late))), edges, live, now);
        }
        String waiting = policy.paused() ? "promotion is paused"
                : !gate ? staged.size() + " of " + live.size() + " live edges have staged version " + c
                + " (the gate needs " + policy.gatePercent() + "%)"
                : "waiting for a manual promotion of version " + c;
        return new Decision(p, null, null, waiting, edges, live.size(), staged.size(), onActive(live, p.active()));
    }

    private static Decision fail(ReleasePointer p, long c, String why, List<EdgeView> edges, List<EdgeView> live,
                                 Instant now) {
        ReleasePointer failed = with(p, p.active(), null, c, why, now);
        return new Decision(failed, c, why, null, edges, live.size(), 0, onActive(live, p.active()));
    }

    private static int onActive(List<EdgeView> live, Long active) {
        return (int) live.stream().filter(e -> active != null && active.equals(e.activeVersion())).count();
    }

    /** When the candidate was proposed: its newest published or pinned entry. */
    private static Instant candidateSince(ReleasePointer p, long c) {
        Instant since = null;
        for (ReleasePointer.HistoryEntry h : p.history()) {
            if (h.version() == c && VersionOutcome.of(h.outcome()).proposed()) {
                since = h.at();
            }
        }
        return since;
    }

    private static ReleasePointer with(ReleasePointer p, Long active, Long candidate, long version, String outcome,
                                       Instant now) {
        String sha = p.history().stream().filter(h -> h.version() == version).map(ReleasePointer.HistoryEntry::contentSha256)
                .filter(Objects::nonNull).reduce((a, b) -> b).orElse(null);
        List<ReleasePointer.HistoryEntry> history = new ArrayList<>(p.history());
        history.add(new ReleasePointer.HistoryEntry(version, sha, outcome, now));
        if (history.size() > ReleasePointer.HISTORY_KEPT) {
            history = history.subList(history.size() - ReleasePointer.HISTORY_KEPT, history.size());
        }
        return p.with(active, candidate, List.copyOf(history), now);
    }
}
