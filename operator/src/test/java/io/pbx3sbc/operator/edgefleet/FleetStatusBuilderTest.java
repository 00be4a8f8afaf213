package io.pbx3sbc.operator.edgefleet;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.pbx3sbc.operator.api.v1alpha1.Condition;
import io.pbx3sbc.operator.api.v1alpha1.EdgeFleet;
import io.pbx3sbc.operator.api.v1alpha1.EdgeFleetSpec;
import io.pbx3sbc.operator.publish.PromotionGate;
import io.pbx3sbc.operator.status.Reasons;
import io.pbx3sbc.routingdb.manifest.EdgeReport;
import io.pbx3sbc.routingdb.manifest.ReleasePointer;
import io.pbx3sbc.routingdb.manifest.ReleasePointer.HistoryEntry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FleetStatusBuilderTest {
    static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
    static final PromotionGate.Policy AUTO = new PromotionGate.Policy(true, 100, Duration.ofSeconds(120), false, null, null,
            Duration.ofSeconds(15));

    static EdgeFleet fleet() {
        EdgeFleet f = new EdgeFleet();
        f.setMetadata(new ObjectMetaBuilder().withName("edge").withNamespace("default").withGeneration(3L).build());
        f.setSpec(new EdgeFleetSpec());
        return f;
    }

    static ReleasePointer pointer(Long active, Long candidate, HistoryEntry... history) {
        return new ReleasePointer("edge", active, candidate, List.of(history), NOW);
    }

    static EdgeReport report(String id, Long active, Long staged, Long rejected, Instant at) {
        return new EdgeReport(id, active, staged, rejected != null ? "rejected" : staged != null ? "staged" : "active",
                rejected, rejected == null ? null : "manifest signature does not verify", at);
    }

    static FleetStatusBuilder decided(EdgeFleet fleet, ReleasePointer p, EdgeReport... reports) {
        FleetStatusBuilder b = new FleetStatusBuilder(fleet, NOW);
        b.promotion(PromotionGate.decide(p, List.of(reports), AUTO, NOW));
        return b;
    }

    static Condition condition(EdgeFleet patched, String type) {
        return patched.getStatus().conditions.stream().filter(c -> type.equals(c.type)).findFirst().orElseThrow();
    }

    @Test
    void aFleetMidPromotionSaysHowManyEdgesServeWhatAndWhichIsOldest() {
        EdgeFleet f = fleet();
        var status = decided(f, pointer(7L, null, new HistoryEntry(7, "sha7", "promoted", NOW)),
                report("edge-1", 7L, null, null, NOW), report("edge-2", 6L, null, null, NOW),
                report("edge-3", 5L, null, 9L, NOW),
                report("gone", 2L, null, 3L, NOW.minusSeconds(600))).patch(f).getStatus();
        assertThat(status.activeVersion).isEqualTo(7L);
        assertThat(status.edgesTotal).as("live edges").isEqualTo(3);
        assertThat(status.edgesActive).isEqualTo(1);
        assertThat(status.edgesRejecting).as("a silent edge's old rejection does not count").isEqualTo(1);
        assertThat(status.oldestEdgeVersion).as("the silent edge's version 2 does not count").isEqualTo(5L);
        assertThat(status.phase).isEqualTo(Reasons.PHASE_PROMOTING);
        assertThat(status.observedGeneration).isEqualTo(3L);
        assertThat(status.edges).filteredOn(e -> e.name.equals("edge-3")).singleElement()
                .satisfies(e -> assertThat(e.lastRejection).isEqualTo("version 9: manifest signature does not verify"));
        assertThat(status.edges).filteredOn(e -> e.name.equals("gone")).singleElement()
                .satisfies(e -> assertThat(e.lastReport).as("shown once an edge is silent").isNotNull());
    }

    @Test
    void aConvergedFleetIsReadyAndAnUnchangedDecisionNeedsNoWrite() {
        EdgeFleet f = fleet();
        ReleasePointer p = pointer(7L, null, new HistoryEntry(7, "sha7", "promoted", NOW));
        FleetStatusBuilder first = decided(f, p, report("edge-1", 7L, null, null, NOW), report("edge-2", 7L, null, null, NOW));
        EdgeFleet written = first.patch(f);
        assertThat(written.getStatus().phase).isEqualTo(Reasons.PHASE_READY);
        assertThat(condition(written, Reasons.PROGRESSING).reason).isEqualTo(Reasons.CONVERGED);
        assertThat(written.getStatus().oldestEdgeVersion).isEqualTo(7L);

        f.setStatus(written.getStatus());
        assertThat(decided(f, p, report("edge-1", 7L, null, null, NOW.plusSeconds(1)),
                report("edge-2", 7L, null, null, NOW.plusSeconds(1))).changed())
                .as("a heartbeat alone rewrites nothing").isFalse();
    }

    @Test
    void aFailedCandidateDegradesTheFleetWithTheEdgesReason() {
        EdgeFleet f = fleet();
        var status = decided(f, pointer(7L, 8L, new HistoryEntry(8, "sha8", "published", NOW)),
                report("edge-1", 7L, null, 8L, NOW)).patch(f);
        assertThat(status.getStatus().phase).isEqualTo(Reasons.PHASE_DEGRADED);
        assertThat(condition(status, Reasons.DEGRADED).reason).isEqualTo(Reasons.VERSION_REJECTED);
        assertThat(condition(status, Reasons.DEGRADED).message).contains("Version 8", "Version 7 stays active");
        assertThat(status.getStatus().history).last().satisfies(h -> assertThat(h.outcome).startsWith("Failed: rejected by edge-1"));
    }

    @Test
    void messagesAreOneSentence() {
        assertThat(FleetStatusBuilder.sentence("S3 down\n\tat Foo.bar")).isEqualTo("S3 down.");
        assertThat(FleetStatusBuilder.sentence(null)).isEqualTo("unknown cause.");
        assertThat(FleetStatusBuilder.sentence("x".repeat(400))).hasSize(300).endsWith("x...");
    }

    @Test
    void aKeyTheOperatorGeneratedSaysSoOnEveryReconcileAndAUsersKeySaysLoaded() throws Exception {
        var keys = io.pbx3sbc.routingdb.manifest.SigningKeys.generate();
        EdgeFleet f = fleet();
        // A later reconcile reads the operator's Secret again (not generated by this call) and the status it
        // starts from may lack the condition (the reconcile that generated it failed before writing status).
        var later = new FleetStatusBuilder(f, NOW);
        later.signingKey(new io.pbx3sbc.operator.publish.FleetSecrets.SigningKey(keys, "routing-signing-key", "k1", false, true));
        assertThat(condition(later.patch(f), Reasons.SIGNING_KEY).reason).isEqualTo(Reasons.SIGNING_KEY_GENERATED);

        var users = new FleetStatusBuilder(f, NOW);
        users.signingKey(new io.pbx3sbc.operator.publish.FleetSecrets.SigningKey(keys, "my-key", "k2", false, false));
        assertThat(condition(users.patch(f), Reasons.SIGNING_KEY).reason).isEqualTo(Reasons.SIGNING_KEY_LOADED);
    }

    @Test
    void aThousandEdgesListFiftyTheOnesThatNeedALookFirstAndCountTheRest() {
        EdgeFleet f = fleet();
        List<EdgeReport> reports = new java.util.ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            reports.add(report(String.format("edge-%04d", i), 7L, null, null, NOW));
        }
        reports.set(500, report("edge-0500", 6L, null, null, NOW)); // behind
        reports.set(900, report("edge-0900", 7L, null, 8L, NOW)); // rejecting
        var status = decided(f, pointer(7L, null, new HistoryEntry(7, "sha7", "promoted", NOW)),
                reports.toArray(EdgeReport[]::new)).patch(f).getStatus();
        assertThat(status.edgesTotal).isEqualTo(1_000);
        assertThat(status.edges).hasSize(FleetStatusBuilder.EDGES_LISTED);
        assertThat(status.edges).extracting(e -> e.name).startsWith("edge-0500", "edge-0900", "edge-0000");
        assertThat(status.edgesNotListed).isEqualTo(950);
    }
}
