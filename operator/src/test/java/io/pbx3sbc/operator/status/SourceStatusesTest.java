package io.pbx3sbc.operator.status;

import io.pbx3sbc.operator.api.v1alpha1.Condition;
import io.pbx3sbc.operator.api.v1alpha1.SipDomainStatus;
import io.pbx3sbc.operator.status.SourceStatuses.Verdict;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class SourceStatusesTest {
    static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

    static Condition accepted(SipDomainStatus s) {
        return s.conditions.stream().filter(c -> c.type.equals(Reasons.ACCEPTED)).findFirst().orElseThrow();
    }

    @Test
    void aCarriedObjectIsAcceptedWithTheVersionThatCarriesIt() {
        SipDomainStatus s = new SipDomainStatus();
        assertThat(SourceStatuses.apply(s, "edge", Verdict.carried("edge", 3), 2, T0)).isTrue();
        assertThat(accepted(s).status).isEqualTo("True");
        assertThat(accepted(s).reason).isEqualTo(Reasons.COMPILED);
        assertThat(accepted(s).message).contains("edge v3");
        assertThat(s.observedGeneration).isEqualTo(2);
        assertThat(s.fleets).singleElement().satisfies(f -> assertThat(f.version).isEqualTo(3L));
    }

    @Test
    void theSameVerdictAgainChangesNothing() {
        SipDomainStatus s = new SipDomainStatus();
        SourceStatuses.apply(s, "edge", Verdict.carried("edge", 3), 2, T0);
        assertThat(SourceStatuses.apply(s, "edge", Verdict.carried("edge", 3), 2, T0.plusSeconds(5))).isFalse();
        assertThat(accepted(s).lastTransitionTime).isEqualTo(T0.toString());
    }

    @Test
    void anUnchangedObjectKeepsTheVersionThatFirstCarriedItSoNewVersionsCostNoWrite() {
        SipDomainStatus s = new SipDomainStatus();
        SourceStatuses.apply(s, "edge", Verdict.carried("edge", 3), 2, T0);
        assertThat(SourceStatuses.wouldChange(s, "edge", Verdict.carried("edge", 4), 2)).isFalse();
        assertThat(SourceStatuses.apply(s, "edge", Verdict.carried("edge", 4), 2, T0)).isFalse();
        assertThat(s.fleets.get(0).version).isEqualTo(3L);

        assertThat(SourceStatuses.wouldChange(s, "edge", Verdict.carried("edge", 5), 3)).as("spec changed").isTrue();
        SourceStatuses.apply(s, "edge", Verdict.carried("edge", 5), 3, T0);
        assertThat(s.fleets.get(0).version).isEqualTo(5L);
    }

    @Test
    void oneRefusingFleetMakesItNotAcceptedAndSaysWhich() {
        SipDomainStatus s = new SipDomainStatus();
        SourceStatuses.apply(s, "edge", Verdict.carried("edge", 3), 1, T0);
        SourceStatuses.apply(s, "lab", Verdict.refused("lab", Reasons.DOMAIN_CONFLICT, "claimed by SipDomain/x"), 1, T0);
        assertThat(accepted(s).status).isEqualTo("False");
        assertThat(accepted(s).reason).isEqualTo(Reasons.DOMAIN_CONFLICT);
        assertThat(accepted(s).message).startsWith("Fleet lab left it out: claimed by SipDomain/x");
        assertThat(s.fleets).extracting(f -> f.fleet).containsExactly("edge", "lab");
    }

    @Test
    void noFleetLeftMeansNotSelected() {
        SipDomainStatus s = new SipDomainStatus();
        SourceStatuses.apply(s, "edge", Verdict.carried("edge", 3), 1, T0);
        assertThat(SourceStatuses.apply(s, "edge", null, 1, T0)).isTrue();
        assertThat(s.fleets).isEmpty();
        assertThat(accepted(s).reason).isEqualTo(Reasons.NOT_SELECTED);
    }
}
