package io.pbx3sbc.operator.publish;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class PublishPlanTest {
    @Test
    void theFirstCompilationIsVersionOne() {
        assertThat(PublishPlan.decide("h1", Map.of(), null, null, null, 10))
                .isEqualTo(new PublishPlan(true, 1, List.of()));
    }

    @Test
    void contentEqualToTheActiveOrCandidateVersionPublishesNothing() {
        Map<Long, String> published = Map.of(1L, "h1", 2L, "h2");
        assertThat(PublishPlan.decide("h1", published, 1L, null, null, 10).publish()).isFalse();
        assertThat(PublishPlan.decide("h2", published, 1L, 2L, null, 10).publish()).isFalse();
    }

    @Test
    void aChangePublishesTheNextNumberEvenWhenOldContentComesBack() {
        // Reverting to version 1's content is a new version: versions are never reused or overwritten.
        PublishPlan p = PublishPlan.decide("h1", Map.of(1L, "h1", 2L, "h2"), 2L, null, null, 10);
        assertThat(p.publish()).isTrue();
        assertThat(p.nextVersion()).isEqualTo(3);
    }

    @Test
    void keepsTheNewestRetainedPlusActiveAndPinned() {
        Map<Long, String> published = new TreeMap<>();
        for (long v = 1; v <= 8; v++) {
            published.put(v, "h" + v);
        }
        // active 2 (old, still serving), candidate 8 (superseded by 9); keep the 3 newest: 7, 8, 9.
        PublishPlan p = PublishPlan.decide("h9", published, 2L, 8L, null, 3);
        assertThat(p.nextVersion()).isEqualTo(9);
        assertThat(p.delete()).containsExactly(1L, 3L, 4L, 5L, 6L);
        // Pinned 1 (a rollback): new content waits, and the pinned version is kept.
        PublishPlan pinned = PublishPlan.decide("h9", published, 2L, 8L, 1L, 3);
        assertThat(pinned.publish()).isFalse();
        assertThat(pinned.delete()).containsExactly(3L, 4L, 5L);
        // Nothing new: the candidate stays protected even when older than the newest 3.
        assertThat(PublishPlan.decide("h2", published, 2L, 2L, null, 3).delete()).containsExactly(1L, 3L, 4L, 5L);
    }

    @Test
    void contentThatFailedPromotionIsNotProposedAgainButALaterChangeIs() {
        Map<Long, String> published = new TreeMap<>(Map.of(1L, "h1", 2L, "h2"));
        assertThat(PublishPlan.decide("h2", published, 1L, null, null, 10, "h2").publish()).isFalse();
        assertThat(PublishPlan.decide("h3", published, 1L, null, null, 10, "h2").publish()).isTrue();
    }
}
