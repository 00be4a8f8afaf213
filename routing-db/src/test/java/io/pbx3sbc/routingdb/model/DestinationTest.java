package io.pbx3sbc.routingdb.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DestinationTest {

    @ParameterizedTest
    @EnumSource(DestinationState.class)
    void stateSurvivesTheKamailioColumns(DestinationState state) {
        Destination d = new Destination(10, "sip:10.0.1.10:5060", 8, 5, 20, "duid=a", state);
        Destination back = Destination.fromColumns(10, d.uri(), d.flagsColumn(), d.priority(), d.attrsColumn());
        assertThat(back).isEqualTo(d);
    }

    @Test
    void nonActiveStatesCarryKamailiosDisabledBitAndDrainingIsMarkedInAttrs() {
        assertThat(new Destination(1, "sip:a:5060", 0, 0, 1, "", DestinationState.ACTIVE).flagsColumn()).isZero();
        Destination disabled = new Destination(1, "sip:a:5060", 8, 0, 1, "", DestinationState.DISABLED);
        assertThat(disabled.flagsColumn()).isEqualTo(12);
        assertThat(disabled.attrsColumn()).isEqualTo("weight=1");
        Destination draining = new Destination(1, "sip:a:5060", 0, 0, 1, "duid=x", DestinationState.DRAINING);
        assertThat(draining.flagsColumn()).isEqualTo(4);
        assertThat(draining.attrsColumn()).isEqualTo("weight=1;state=draining;duid=x");
    }

    @Test
    void aClassicRowWithKamailiosDisabledFlagIsDisabled() {
        Destination d = Destination.fromColumns(1, "sip:a:5060", 4, 0, null);
        assertThat(d.state()).isEqualTo(DestinationState.DISABLED);
        assertThat(d.flags()).isZero();
        assertThat(new Destination(1, "sip:a:5060", 5, 0, 1, "").state()).isEqualTo(DestinationState.DISABLED);
        assertThat(new Destination(1, "sip:a:5060", 5, 0, 1, "").flags()).isEqualTo(1);
    }

    @Test
    void activeDestinationsKeepTheColumnsTheyHadBeforeStatesExisted() {
        Destination d = new Destination(1, "sip:a:5060", 2, 0, 3, "duid=x");
        assertThat(d.flagsColumn()).isEqualTo(2);
        assertThat(d.attrsColumn()).isEqualTo("weight=3;duid=x");
    }

    @Test
    void refusesAStateInAttrs() {
        assertThatThrownBy(() -> new Destination(1, "sip:a:5060", 0, 0, 1, "state=draining"))
                .hasMessageContaining("use the state field");
    }

    @Test
    void takesNewDialogsOnlyWhenActive() {
        assertThat(DestinationState.ACTIVE.takesNewDialogs()).isTrue();
        assertThat(DestinationState.DRAINING.takesNewDialogs()).isFalse();
        assertThat(DestinationState.DRAINING.probed()).isTrue();
        assertThat(DestinationState.DISABLED.probed()).isFalse();
        assertThat(DestinationState.fromWireName("Draining")).isEqualTo(DestinationState.DRAINING);
    }
}
