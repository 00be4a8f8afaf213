package io.pbx3sbc.operator.status;

import io.pbx3sbc.operator.api.v1alpha1.Condition;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConditionsTest {
    static final Instant T1 = Instant.parse("2026-11-26T10:00:00Z");
    static final Instant T2 = Instant.parse("2026-11-26T11:00:00Z");

    @Test
    void anIdenticalConditionChangesNothingSoNoStatusWriteIsNeeded() {
        List<Condition> one = Conditions.set(null, Reasons.ACCEPTED, true, Reasons.COMPILED, "In version 3.", 4, T1);
        assertThat(Conditions.set(one, Reasons.ACCEPTED, true, Reasons.COMPILED, "In version 3.", 4, T2)).isSameAs(one);
    }

    @Test
    void theTransitionTimeMovesOnlyWhenTheStatusFlips() {
        List<Condition> one = Conditions.set(null, Reasons.ACCEPTED, true, Reasons.COMPILED, "In version 3.", 4, T1);
        List<Condition> newMessage = Conditions.set(one, Reasons.ACCEPTED, true, Reasons.COMPILED, "In version 4.", 5, T2);
        assertThat(newMessage.get(0).lastTransitionTime).isEqualTo(T1.toString());
        assertThat(newMessage.get(0).observedGeneration).isEqualTo(5);
        List<Condition> flipped = Conditions.set(newMessage, Reasons.ACCEPTED, false, Reasons.DISPATCHER_SET_NOT_FOUND,
                "DispatcherSet pbx-x does not exist.", 6, T2);
        assertThat(flipped.get(0).status).isEqualTo("False");
        assertThat(flipped.get(0).lastTransitionTime).isEqualTo(T2.toString());
        assertThat(one.get(0).status).as("the input list is not modified").isEqualTo("True");
    }
}
