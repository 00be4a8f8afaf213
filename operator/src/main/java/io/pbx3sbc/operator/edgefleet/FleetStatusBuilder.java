package io.pbx3sbc.operator.edgefleet;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.pbx3sbc.operator.api.v1alpha1.Condition;
import io.pbx3sbc.operator.api.v1alpha1.EdgeFleet;
import io.pbx3sbc.operator.api.v1alpha1.EdgeFleetSpec;
import io.pbx3sbc.operator.api.v1alpha1.EdgeFleetStatus;
import io.pbx3sbc.operator.publish.FleetPublisher;
import io.pbx3sbc.operator.publish.FleetSecrets;
import io.pbx3sbc.operator.publish.PromotionGate;
import io.pbx3sbc.operator.publish.VersionOutcome;
import io.pbx3sbc.operator.status.Conditions;
import io.pbx3sbc.operator.status.Reasons;
import io.pbx3sbc.routingdb.compile.RoutingCompiler.Compilation;
import io.pbx3sbc.routingdb.manifest.ReleasePointer;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An EdgeFleet's next status, built from the current one (pure): conditions move only when they change,
 * and {@link #changed()} tells whether a write is needed at all.
 */
final class FleetStatusBuilder {
    private static final int HISTORY = 10;

    private final EdgeFleetStatus before;
    private final EdgeFleetStatus next;
    private final long generation;
    private final Instant now;
    private final boolean paused;

    /** The most edges {@code status.edges} lists. */
    static final int EDGES_LISTED = 50;

    FleetStatusBuilder(EdgeFleet fleet, Instant now) {
        this.before = fleet.getStatus();
        this.next = before == null ? new EdgeFleetStatus() : Serialization.clone(before);
        this.generation = fleet.getMetadata().getGeneration() == null ? 1 : fleet.getMetadata().getGeneration();
        this.now = now;
        this.paused = EdgeFleetSpec.Promotion.of(fleet.getSpec()).paused;
        next.observedGeneration = generation;
    }

    /** Status writes of this fleet's sources still queued; null once there are none (the field leaves). */
    void statusWritesPending(int pending) {
        next.statusWritesPending = pending == 0 ? null : pending;
    }

    void sourcesSummarised(int summarised) {
        next.sourcesSummarised = summarised == 0 ? null : summarised;
    }

    void edgesReady(Integer ready) {
        next.edgesReady = ready;
    }

    /**
     * A key the operator generated keeps saying so (the user should back it up). Read from the Secret, not
     * from the previous status, which a reconcile that failed after generating never wrote.
     */
    void signingKey(FleetSecrets.SigningKey key) {
        boolean generated = key.operatorMade();
        condition(Reasons.SIGNING_KEY, true, generated ? Reasons.SIGNING_KEY_GENERATED : Reasons.SIGNING_KEY_LOADED,
                (generated ? "The operator generated signing key " : "Versions are signed with key ")
                        + key.keyId() + " from Secret " + key.secretName() + ".");
    }

    /** The fleet's key and where a rotation stands. @return whether the rotation's phase changed */
    boolean signing(io.pbx3sbc.operator.publish.KeyRotation.Plan plan) {
        EdgeFleetStatus.SigningKey k = new EdgeFleetStatus.SigningKey();
        k.keyId = plan.current().keyId();
        k.publicKey = plan.current().publicKey();
        k.secretName = plan.current().secretName();
        k.rotation = plan.phase().wireName();
        k.message = plan.message();
        next.signingKey = k;
        if (plan.phase() != io.pbx3sbc.operator.publish.KeyRotation.Phase.NONE) {
            condition(Reasons.SIGNING_KEY, true, Reasons.KEY_ROTATING, plan.message());
        }
        String was = before == null || before.signingKey == null ? null : before.signingKey.rotation;
        return was != null && !was.equals(k.rotation);
    }

    /** The fleet asks for something the operator may not do: nothing is published or run for it. */
    void refused(AdmissionRules.Refusal refusal) {
        condition(Reasons.ADMITTED, false, refusal.reason(), refusal.message());
        condition(Reasons.PUBLISHED, false, refusal.reason(), "Nothing is published or run for this fleet: " + refusal.message());
        publishBlocked();
    }

    void admitted() {
        condition(Reasons.ADMITTED, true, Reasons.ALLOWED,
                "The edge image and network settings are allowed, and the store location is this fleet's alone.");
    }

    /** Whether the edges hold a credential of their own (read, write their reports) or the operator's. */
    void secureStore(boolean edgesHaveOwnCredential) {
        condition(Reasons.SECURE_STORE, edgesHaveOwnCredential,
                edgesHaveOwnCredential ? Reasons.EDGE_CREDENTIALS_OWN : Reasons.EDGE_CREDENTIALS_SHARED,
                edgesHaveOwnCredential ? "Edges use their own credential (spec.store.edgeCredentialsSecretRef)."
                        : "Edges use the operator's credential, which can rewrite the release pointer and versions; give"
                        + " them their own with spec.store.edgeCredentialsSecretRef (docs/operations.md).");
    }

    void credentialsMissing(String message) {
        condition(Reasons.PUBLISHED, false, Reasons.CREDENTIALS_MISSING, sentence(message));
        publishBlocked();
    }

    void publishFailed(String cause) {
        condition(Reasons.PUBLISHED, false, Reasons.PUBLISH_FAILED,
                "Publishing to S3 failed and is retried with backoff; what is published is unchanged: " + sentence(cause));
        publishBlocked();
    }

    void published(FleetPublisher.Outcome outcome, Compilation compilation) {
        int left = compilation.problems().size();
        next.domains = compilation.model().domains().size();
        next.leftOut = left;
        String leftOut = left == 0 ? "" : " " + left + " objects are left out; their status says why.";
        if (outcome.published()) {
            condition(Reasons.PUBLISHED, true, Reasons.VERSION_PUBLISHED, "Published routing version " + outcome.version()
                    + " with " + compilation.model().domains().size() + " domains." + leftOut);
        } else {
            condition(Reasons.PUBLISHED, true, Reasons.UNCHANGED, "Nothing new to publish: the sources compile to "
                    + (outcome.version() > 0 ? "version " + outcome.version() : "what is already decided") + "." + leftOut);
        }
    }

    /** Versions, edges and phase from the promotion gate's decision. */
    void promotion(PromotionGate.Decision d) {
        ReleasePointer p = d.pointer();
        next.activeVersion = p.active();
        next.candidateVersion = p.candidate();
        next.edgesTotal = d.live();
        next.edgesStaged = d.staged();
        next.edgesActive = d.onActive();
        next.edgesRejecting = (int) d.edges().stream().filter(e -> e.live() && e.rejectedVersion() != null).count();
        next.oldestEdgeVersion = d.edges().stream().filter(e -> e.live() && e.activeVersion() != null)
                .map(PromotionGate.EdgeView::activeVersion).min(Long::compare).orElse(null);
        // A thousand edges would make a status of hundreds of KiB rewritten at every change: list the ones to look at.
        Long active = p.active();
        next.edges = d.edges().stream().sorted(java.util.Comparator
                        .comparing((PromotionGate.EdgeView e) -> !e.live() || e.rejectedVersion() != null
                                || !java.util.Objects.equals(e.activeVersion(), active)).reversed()
                        .thenComparing(PromotionGate.EdgeView::edgeId))
                .limit(EDGES_LISTED).map(FleetStatusBuilder::edge).toList();
        next.edgesNotListed = d.edges().size() > EDGES_LISTED ? d.edges().size() - EDGES_LISTED : null;
        next.history = history(p.history());

        ReleasePointer.HistoryEntry last = p.history().isEmpty() ? null : p.history().get(p.history().size() - 1);
        VersionOutcome lastKind = last == null ? null : VersionOutcome.of(last.outcome());
        boolean failed = lastKind != null && lastKind.failed() && p.candidate() == null;
        if (failed) {
            String reason = lastKind.reason();
            degraded(reason, "Version " + last.version() + " " + sentence(last.outcome())
                    + " Version " + (p.active() == null ? "none" : p.active()) + " stays active; a later change makes a new candidate.");
        } else {
            degraded(null, null);
        }
        if (p.candidate() != null) {
            condition(Reasons.PROGRESSING, true, paused ? Reasons.PROMOTION_PAUSED : Reasons.CANDIDATE_PENDING,
                    "Candidate version " + p.candidate() + ": " + sentence(d.waiting() == null ? "deciding" : d.waiting()));
        } else if (p.active() != null && d.onActive() < d.live()) {
            condition(Reasons.PROGRESSING, true, Reasons.EDGES_SWITCHING, d.onActive() + " of " + d.live()
                    + " live edges serve version " + p.active() + " so far.");
        } else {
            condition(Reasons.PROGRESSING, false, Reasons.CONVERGED, p.active() == null ? "Nothing to promote."
                    : "Every live edge serves version " + p.active() + ".");
        }
        if (p.active() != null) {
            condition(Reasons.READY, true, Reasons.SERVING, "Routing version " + p.active() + " is active; "
                    + d.onActive() + " of " + d.live() + " live edges serve it.");
        } else {
            condition(Reasons.READY, false, Reasons.NO_ACTIVE_VERSION, "No routing version has been promoted yet.");
        }
        next.phase = paused ? Reasons.PHASE_PAUSED : failed ? Reasons.PHASE_DEGRADED
                : p.candidate() != null || p.active() == null || d.onActive() < d.live() ? Reasons.PHASE_PROMOTING
                : Reasons.PHASE_READY;
    }

    private static EdgeFleetStatus.Edge edge(PromotionGate.EdgeView v) {
        EdgeFleetStatus.Edge e = new EdgeFleetStatus.Edge();
        e.name = v.edgeId();
        e.live = v.live();
        e.activeVersion = v.activeVersion();
        e.stagedVersion = v.stagedVersion();
        e.lastRejection = v.rejectedVersion() == null ? null : "version " + v.rejectedVersion() + ": " + v.reason();
        // Heartbeats would rewrite the status every few seconds; the time matters once an edge goes quiet.
        e.lastReport = v.live() ? null : v.reportedAt().toString();
        return e;
    }

    /** A publish that could not happen: the versions stay as they were, the fleet is degraded. */
    private void publishBlocked() {
        degraded(publishedReason(), publishedMessage());
        next.phase = paused ? Reasons.PHASE_PAUSED : Reasons.PHASE_DEGRADED;
    }

    private void degraded(String reason, String message) {
        condition(Reasons.DEGRADED, reason != null, reason == null ? Reasons.AS_EXPECTED : reason,
                reason == null ? "Nothing is degraded." : message);
    }

    boolean publishedReasonChangedTo(String reason) {
        return reason.equals(reasonOf(next.conditions, Reasons.PUBLISHED))
                && !reason.equals(before == null ? null : reasonOf(before.conditions, Reasons.PUBLISHED));
    }

    boolean changed() {
        return before == null || !Serialization.asJson(before).equals(Serialization.asJson(next));
    }

    /** A fresh object with only what a status patch needs. */
    EdgeFleet patch(EdgeFleet fleet) {
        EdgeFleet out = new EdgeFleet();
        out.setMetadata(new ObjectMetaBuilder().withName(fleet.getMetadata().getName())
                .withNamespace(fleet.getMetadata().getNamespace()).build());
        out.setStatus(next);
        return out;
    }

    UpdateControl<EdgeFleet> control(EdgeFleet fleet) {
        return changed() ? UpdateControl.patchStatus(patch(fleet)) : UpdateControl.noUpdate();
    }

    private static List<EdgeFleetStatus.HistoryEntry> history(List<ReleasePointer.HistoryEntry> pointer) {
        List<EdgeFleetStatus.HistoryEntry> out = new ArrayList<>();
        for (ReleasePointer.HistoryEntry h : pointer.subList(Math.max(0, pointer.size() - HISTORY), pointer.size())) {
            EdgeFleetStatus.HistoryEntry e = new EdgeFleetStatus.HistoryEntry();
            e.version = h.version();
            String o = h.outcome();
            e.outcome = o.isEmpty() ? o : o.substring(0, 1).toUpperCase(Locale.ROOT) + o.substring(1);
            e.time = h.at().toString();
            out.add(e);
        }
        return out;
    }

    private void condition(String type, boolean status, String reason, String message) {
        next.conditions = Conditions.set(next.conditions, type, status, reason, message, generation, now);
    }

    private String publishedReason() {
        return reasonOf(next.conditions, Reasons.PUBLISHED);
    }

    private String publishedMessage() {
        return next.conditions.stream().filter(c -> Reasons.PUBLISHED.equals(c.type)).map(c -> c.message)
                .findFirst().orElse("");
    }

    private static String reasonOf(List<Condition> conditions, String type) {
        return conditions == null ? null : conditions.stream().filter(c -> type.equals(c.type)).map(c -> c.reason)
                .findFirst().orElse(null);
    }

    /** Messages are one sentence: trimmed, first line only, ending with a period. */
    static String sentence(String s) {
        String one = s == null ? "unknown cause" : s.strip().lines().findFirst().orElse("unknown cause");
        if (one.length() > 300) {
            one = one.substring(0, 297) + "...";
        }
        return one.endsWith(".") ? one : one + ".";
    }
}
