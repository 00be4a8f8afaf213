package io.pbx3sbc.operator.edgefleet;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RoutineSummaryTest {
    private static Map<String, String> objects(int n) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < n; i++) {
            m.put("t" + i, "1");
        }
        return m;
    }

    @Test
    void aBulkIsSummarisedAndStaysSoWhileNothingChanges() {
        RoutineSummary summary = new RoutineSummary();
        Map<String, String> bulk = objects(RoutineSummary.BULK + 1);
        Set<String> summarised = summary.update(bulk);
        assertThat(summarised).isEqualTo(bulk.keySet());
        assertThat(summarised).hasSize(RoutineSummary.BULK + 1);
        assertThat(summary.update(bulk)).as("the next pass sees the same objects: still summarised").isEqualTo(bulk.keySet());
    }

    @Test
    void aFewNewObjectsAreWrittenSoKubectlWaitWorks() {
        RoutineSummary summary = new RoutineSummary();
        assertThat(summary.update(objects(RoutineSummary.BULK))).as("all written").isEmpty();
    }

    @Test
    void aSummarisedObjectTheUserChangesIsWrittenAndLeavesTheSummary() {
        RoutineSummary summary = new RoutineSummary();
        Map<String, String> bulk = objects(5_000);
        summary.update(bulk);
        bulk.put("t7", "2");
        bulk.put("new", "9");
        Set<String> summarised = summary.update(bulk);
        assertThat(summarised).doesNotContain("t7", "new").contains("t8");
        assertThat(summarised).hasSize(4_999);
    }

    @Test
    void objectsThatLeaveTheRoutineSetLeaveTheSummary() {
        RoutineSummary summary = new RoutineSummary();
        Map<String, String> bulk = objects(5_000);
        summary.update(bulk);
        bulk.remove("t1"); // deleted, or refused now (then its write is not routine)
        assertThat(summary.update(bulk)).hasSize(4_999);
    }
}
