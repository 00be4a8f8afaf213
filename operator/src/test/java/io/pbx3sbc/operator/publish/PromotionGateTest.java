package io.pbx3sbc.operator.publish;

import io.pbx3sbc.routingdb.manifest.EdgeReport;
import io.pbx3sbc.routingdb.manifest.ReleasePointer;
import io.pbx3sbc.routingdb.manifest.ReleasePointer.HistoryEntry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PromotionGateTest {
    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    static final PromotionGate.Policy AUTO = new PromotionGate.Policy(true, 100, Duration.ofSeconds(120), false, null, null,
            Duration.ofSeconds(15));

    static ReleasePointer pointer(Long active, Long candidate) {
        return new ReleasePointer("edge", active, candidate,
                candidate == null ? List.of() : List.of(new HistoryEntry(candidate, "sha" + candidate, "published", NOW.minusSeconds(5))),
                NOW.minusSeconds(5));
    }

    static EdgeReport edge(String id, Long active, Long staged) {
        return new EdgeReport(id, active, staged, staged == null ? "active" : "staged", null, null, NOW.minusSeconds(1));
    }

    @Test
    void theCandidateIsPromotedOnceEveryLiveEdgeHasStagedIt() {
        var half = PromotionGate.decide(pointer(1L, 2L), List.of(edge("a", 1L, 2L), edge("b", 1L, null)), AUTO, NOW);
        assertThat(half.pointer().candidate()).isEqualTo(2L);
        assertThat(half.waiting()).contains("1 of 2 live edges");

        var all = PromotionGate.decide(pointer(1L, 2L), List.of(edge("a", 1L, 2L), edge("b", 1L, 2L)), AUTO, NOW);
        assertThat(all.outcome()).isEqualTo("promoted");
        assertThat(all.pointer().active()).isEqualTo(2L);
        assertThat(all.pointer().candidate()).isNull();
        assertThat(all.pointer().history()).last().satisfies(h -> {
            assertThat(h.version()).isEqualTo(2);
            assertThat(h.outcome()).isEqualTo("promoted");
            assertThat(h.contentSha256()).isEqualTo("sha2");
        });
    }

    @Test
    void anEdgeThatStoppedReportingDoesNotHoldPromotionBack() {
        EdgeReport dead = new EdgeReport("gone", 1L, null, "active", null, null, NOW.minusSeconds(60));
        var d = PromotionGate.decide(pointer(1L, 2L), List.of(edge("a", 1L, 2L), dead), AUTO, NOW);
        assertThat(d.outcome()).isEqualTo("promoted");
        assertThat(d.edges()).filteredOn(e -> e.edgeId().equals("gone")).singleElement()
                .satisfies(e -> assertThat(e.live()).isFalse());
    }

    @Test
    void anEdgeThatSaidItStoppedDoesNotHoldPromotionBackEvenWithinTheLiveWindow() {
        EdgeReport stopped = new EdgeReport("old-pod", 1L, null, "stopped", null, null, NOW.minusSeconds(1));
        var d = PromotionGate.decide(pointer(1L, 2L), List.of(edge("a", 1L, 2L), stopped), AUTO, NOW);
        assertThat(d.outcome()).isEqualTo("promoted");
        assertThat(d.live()).isEqualTo(1);
    }

    @Test
    void aRejectionFailsTheCandidateWithTheEdgesReasonAndKeepsTheActiveVersion() {
        EdgeReport rejecting = new EdgeReport("b", 1L, null, "rejected", 2L, "content hash differs", NOW);
        var d = PromotionGate.decide(pointer(1L, 2L), List.of(edge("a", 1L, 2L), rejecting), AUTO, NOW);
        assertThat(d.pointer().active()).isEqualTo(1L);
        assertThat(d.pointer().candidate()).isNull();
        assertThat(d.outcome()).startsWith("failed: rejected by b (content hash differs)");
    }

    @Test
    void aCandidateNotStagedByTheDeadlineFails() {
        var old = new ReleasePointer("edge", 1L, 2L, List.of(new HistoryEntry(2, "sha2", "published", NOW.minusSeconds(200))),
                NOW.minusSeconds(200));
        var d = PromotionGate.decide(old, List.of(edge("a", 1L, 2L), edge("b", 1L, null)), AUTO, NOW);
        assertThat(d.outcome()).startsWith("failed: not staged within 120 s by b");
        assertThat(d.pointer().candidate()).isNull();
    }

    @Test
    void theGateShareAllowsPartialStaging() {
        var policy = new PromotionGate.Policy(true, 50, Duration.ofSeconds(120), false, null, null, Duration.ofSeconds(15));
        var d = PromotionGate.decide(pointer(1L, 2L), List.of(edge("a", 1L, 2L), edge("b", 1L, null)), policy, NOW);
        assertThat(d.outcome()).isEqualTo("promoted");
    }

    @Test
    void withoutAutoPromoteItWaitsForTheManualPromotionOfThatVersion() {
        var manualOff = new PromotionGate.Policy(false, 100, Duration.ofSeconds(120), false, null, null, Duration.ofSeconds(15));
        var waiting = PromotionGate.decide(pointer(1L, 2L), List.of(edge("a", 1L, 2L)), manualOff, NOW);
        assertThat(waiting.outcome()).isNull();
        assertThat(waiting.waiting()).contains("manual promotion");

        var wrong = new PromotionGate.Policy(false, 100, Duration.ofSeconds(120), false, null, 7L, Duration.ofSeconds(15));
        assertThat(PromotionGate.decide(pointer(1L, 2L), List.of(edge("a", 1L, 2L)), wrong, NOW).outcome()).isNull();
        var asked = new PromotionGate.Policy(false, 100, Duration.ofSeconds(120), false, null, 2L, Duration.ofSeconds(15));
        assertThat(PromotionGate.decide(pointer(1L, 2L), List.of(edge("a", 1L, 2L)), asked, NOW).outcome()).isEqualTo("promoted");
    }

    @Test
    void pausedStopsPromotion() {
        var paused = new PromotionGate.Policy(true, 100, Duration.ofSeconds(120), true, null, null, Duration.ofSeconds(15));
        var d = PromotionGate.decide(pointer(1L, 2L), List.of(edge("a", 1L, 2L)), paused, NOW);
        assertThat(d.outcome()).isNull();
        assertThat(d.waiting()).isEqualTo("promotion is paused");
    }

    @Test
    void pinningAnOlderVersionRollsBackThroughStaging() {
        var pin = new PromotionGate.Policy(true, 100, Duration.ofSeconds(120), false, 1L, null, Duration.ofSeconds(15));
        var proposed = PromotionGate.decide(pointer(2L, null), List.of(edge("a", 2L, null)), pin, NOW);
        assertThat(proposed.pointer().candidate()).isEqualTo(1L);
        assertThat(proposed.pointer().active()).isEqualTo(2L);

        var staged = PromotionGate.decide(proposed.pointer(), List.of(edge("a", 2L, 1L)), pin, NOW);
        assertThat(staged.pointer().active()).isEqualTo(1L);
        assertThat(staged.outcome()).isEqualTo("promoted");
    }

    @Test
    void aNewFleetWithNoEdgeYetGetsItsFirstVersionActiveAtOnce() {
        var d = PromotionGate.decide(pointer(null, 1L), List.of(), AUTO, NOW);
        assertThat(d.pointer().active()).isEqualTo(1L);
        var later = PromotionGate.decide(pointer(1L, 2L), List.of(), AUTO, NOW);
        assertThat(later.pointer().candidate()).as("with an active version, no edge means no promotion").isEqualTo(2L);
    }

    @Test
    void nothingChangesWhenThereIsNothingToDecide() {
        ReleasePointer p = pointer(1L, null);
        var d = PromotionGate.decide(p, List.of(edge("a", 1L, null)), AUTO, NOW);
        assertThat(d.changed(p)).isFalse();
        assertThat(d.converged()).isTrue();
    }
}
