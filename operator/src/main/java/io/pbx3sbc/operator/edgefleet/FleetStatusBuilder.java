package io.pbx3sbc.operator.edgefleet;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.pbx3sbc.operator.api.v1alpha1.Condition;
import io.pbx3sbc.operator.api.v1alpha1.EdgeFleet;
import io.pbx3sbc.operator.api.v1alpha1.EdgeFleetStatus;
import io.pbx3sbc.operator.publish.FleetPublisher;
import io.pbx3sbc.operator.publish.FleetSecrets;
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

    FleetStatusBuilder(EdgeFleet fleet, Instant now) {
        this.before = fleet.getStatus();
        this.next = before == null ? new EdgeFleetStatus() : Serialization.clone(before);
        this.generation = fleet.getMetadata().getGeneration() == null ? 1 : fleet.getMetadata().getGeneration();
        this.now = now;
        this.paused = fleet.getSpec().promotion != null && Boolean.TRUE.equals(fleet.getSpec().promotion.paused);
        next.observedGeneration = generation;
    }

    void edgesReady(Integer ready) {
        next.edgesReady = ready;
    }

    void signingKey(FleetSecrets.SigningKey key) {
        condition(Reasons.SIGNING_KEY, true, key.generated() || isReason(Reasons.SIGNING_KEY, Reasons.SIGNING_KEY_GENERATED)
                        ? Reasons.SIGNING_KEY_GENERATED : Reasons.SIGNING_KEY_LOADED,
                (key.generated() || isReason(Reasons.SIGNING_KEY, Reasons.SIGNING_KEY_GENERATED)
                        ? "The operator generated signing key " : "Versions are signed with key ")
                        + key.keyId() + " from Secret " + key.secretName() + ".");
    }

    void credentialsMissing(String message) {
        condition(Reasons.PUBLISHED, false, Reasons.CREDENTIALS_MISSING, sentence(message));
        settle(false);
    }

    void publishFailed(String cause) {
        condition(Reasons.PUBLISHED, false, Reasons.PUBLISH_FAILED,
                "Publishing to S3 failed and is retried with backoff; what is published is unchanged: " + sentence(cause));
        settle(false);
    }

    void published(FleetPublisher.Outcome outcome, Compilation compilation) {
        ReleasePointer p = outcome.pointer();
        next.activeVersion = p.active();
        next.candidateVersion = p.candidate();
        int left = compilation.problems().size();
        String leftOut = left == 0 ? "" : " " + left + " objects are left out; their status says why.";
        if (outcome.published()) {
            condition(Reasons.PUBLISHED, true, Reasons.VERSION_PUBLISHED, "Published routing version " + outcome.version()
                    + " with " + compilation.model().domains().size() + " domains." + leftOut);
        } else {
            condition(Reasons.PUBLISHED, true, Reasons.UNCHANGED, "The sources compile to version " + outcome.version()
                    + ", already published." + leftOut);
        }
        next.history = history(p.history());
        settle(true);
    }

    /** Ready and the phase follow from what was published; promotion (the gate) moves the active version. */
    private void settle(boolean publishOk) {
        if (next.activeVersion != null) {
            condition(Reasons.READY, true, Reasons.SERVING, "The edges serve routing version " + next.activeVersion + ".");
        } else {
            condition(Reasons.READY, false, publishOk ? Reasons.NO_ACTIVE_VERSION : Reasons.NOT_PUBLISHED,
                    publishOk ? "No routing version has been promoted yet." : "No routing version is published yet.");
        }
        if (paused) {
            next.phase = Reasons.PHASE_PAUSED;
        } else if (!publishOk) {
            next.phase = Reasons.PHASE_DEGRADED;
        } else if (next.candidateVersion != null) {
            next.phase = Reasons.PHASE_PROMOTING;
        } else {
            next.phase = Reasons.PHASE_READY;
        }
        condition(Reasons.DEGRADED, !publishOk, publishOk ? "AsExpected" : publishedReason(),
                publishOk ? "Nothing is degraded." : publishedMessage());
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

    private boolean isReason(String type, String reason) {
        return reason.equals(reasonOf(next.conditions, type));
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
