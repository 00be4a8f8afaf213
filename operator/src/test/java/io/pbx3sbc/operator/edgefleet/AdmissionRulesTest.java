package io.pbx3sbc.operator.edgefleet;

import io.pbx3sbc.operator.api.v1alpha1.EdgeFleet;
import io.pbx3sbc.operator.status.Reasons;
import io.pbx3sbc.operator.testing.SampleResources;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class AdmissionRulesTest {
    static final AdmissionRules RULES = new AdmissionRules(List.of("ghcr.io/pbx3sbc/edge-runtime:", "registry.corp/edge@"),
            Set.of("edge-system"));
    EdgeFleet fleet;

    @BeforeEach
    void load() throws Exception {
        fleet = SampleResources.load("pbx3sbc_v1alpha1_edgefleet.yaml", EdgeFleet.class).get(0);
    }

    @Test
    void theDefaultImageAndAllowedPrefixesPass() {
        assertThat(RULES.check(fleet, "ghcr.io/pbx3sbc/edge-runtime:1.0")).isEmpty();
        fleet.getSpec().image = "ghcr.io/pbx3sbc/edge-runtime:1.1";
        assertThat(RULES.check(fleet, "ghcr.io/pbx3sbc/edge-runtime:1.0")).isEmpty();
        fleet.getSpec().image = "registry.corp/edge@sha256:0123";
        assertThat(RULES.check(fleet, "x")).isEmpty();
    }

    @Test
    void anImageOutsideTheAllowlistIsRefused() {
        fleet.getSpec().image = "evil.example/miner:latest";
        assertThat(RULES.check(fleet, "ghcr.io/pbx3sbc/edge-runtime:1.0")).hasValueSatisfying(r -> {
            assertThat(r.reason()).isEqualTo(Reasons.IMAGE_NOT_ALLOWED);
            assertThat(r.message()).contains("evil.example/miner:latest", "allowlist");
        });
        // A prefix without its separator would let ghcr.io/pbx3sbc/edge-runtime-evil through: prefixes end in ':' or '@'.
        fleet.getSpec().image = "ghcr.io/pbx3sbc/edge-runtime-evil:1";
        assertThat(RULES.check(fleet, "ghcr.io/pbx3sbc/edge-runtime:1.0")).isPresent();
    }

    @Test
    void hostNetworkOnlyInPermittedNamespaces() {
        fleet.getSpec().hostNetwork = true;
        assertThat(RULES.check(fleet, "d")).hasValueSatisfying(r -> assertThat(r.reason()).isEqualTo(Reasons.HOST_NETWORK_NOT_ALLOWED));
        fleet.getMetadata().setNamespace("edge-system");
        assertThat(RULES.check(fleet, "d")).isEmpty();
        assertThat(new AdmissionRules(List.of(), Set.of("*")).check(fleet, "d")).isEmpty();
    }
}
