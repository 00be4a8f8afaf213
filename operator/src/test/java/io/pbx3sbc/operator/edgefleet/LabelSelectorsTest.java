package io.pbx3sbc.operator.edgefleet;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LabelSelectorsTest {
    static final Map<String, String> GOLD = Map.of("pbx3sbc.io/fleet", "edge", "tier", "gold");

    @Test
    void anEmptyOrMissingSelectorSelectsEverything() {
        assertThat(LabelSelectors.matches(null, GOLD)).isTrue();
        assertThat(LabelSelectors.matches(new LabelSelector(), null)).isTrue();
    }

    @Test
    void matchLabelsMustAllHold() {
        LabelSelector s = new LabelSelectorBuilder().withMatchLabels(Map.of("pbx3sbc.io/fleet", "edge", "tier", "gold")).build();
        assertThat(LabelSelectors.matches(s, GOLD)).isTrue();
        assertThat(LabelSelectors.matches(s, Map.of("pbx3sbc.io/fleet", "edge"))).isFalse();
        assertThat(LabelSelectors.matches(s, null)).isFalse();
    }

    @Test
    void expressionsFollowKubernetesSemantics() {
        assertThat(LabelSelectors.matches(expr("tier", "In", "gold", "silver"), GOLD)).isTrue();
        assertThat(LabelSelectors.matches(expr("tier", "In", "silver"), GOLD)).isFalse();
        assertThat(LabelSelectors.matches(expr("tier", "NotIn", "silver"), GOLD)).isTrue();
        assertThat(LabelSelectors.matches(expr("absent", "NotIn", "x"), GOLD)).isTrue();
        assertThat(LabelSelectors.matches(expr("tier", "Exists"), GOLD)).isTrue();
        assertThat(LabelSelectors.matches(expr("tier", "DoesNotExist"), GOLD)).isFalse();
        assertThat(LabelSelectors.matches(expr("tier", "Bogus", "gold"), GOLD)).isFalse();
    }

    static LabelSelector expr(String key, String op, String... values) {
        return new LabelSelectorBuilder().addNewMatchExpression().withKey(key).withOperator(op).withValues(values)
                .endMatchExpression().build();
    }
}
