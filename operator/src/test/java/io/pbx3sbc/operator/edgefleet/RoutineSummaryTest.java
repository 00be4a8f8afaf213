package io.pbx3sbc.operator.edgefleet;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

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
        assertThat(summary.toWrite(bulk)).isEmpty();
        assertThat(summary.size()).isEqualTo(RoutineSummary.BULK + 1);
        assertThat(summary.toWrite(bulk)).as("the next pass sees the same objects: still summarised").isEmpty();
    }

    @Test
    void aFewNewObjectsAreWrittenSoKubectlWaitWorks() {
        RoutineSummary summary = new RoutineSummary();
        assertThat(summary.toWrite(objects(RoutineSummary.BULK))).hasSize(RoutineSummary.BULK);
        assertThat(summary.size()).isZero();
    }

    @Test
    void aSummarisedObjectTheUserChangesIsWrittenAndLeavesTheSummary() {
        RoutineSummary summary = new RoutineSummary();
        Map<String, String> bulk = objects(5_000);
        summary.toWrite(bulk);
        bulk.put("t7", "2");
        bulk.put("new", "9");
        assertThat(summary.toWrite(bulk)).containsExactlyInAnyOrder("t7", "new");
        assertThat(summary.size()).isEqualTo(4_999);
    }

    @Test
    void objectsThatLeaveTheRoutineSetLeaveTheSummary() {
        RoutineSummary summary = new RoutineSummary();
        Map<String, String> bulk = objects(5_000);
        summary.toWrite(bulk);
        bulk.remove("t1"); // deleted, or refused now (then its write is not routine)
        summary.toWrite(bulk);
        assertThat(summary.size()).isEqualTo(4_999);
    }
}
