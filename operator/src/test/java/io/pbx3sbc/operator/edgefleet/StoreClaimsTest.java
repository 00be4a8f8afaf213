package io.pbx3sbc.operator.edgefleet;

import io.pbx3sbc.operator.api.v1alpha1.EdgeFleet;
import io.pbx3sbc.operator.status.Reasons;
import io.pbx3sbc.operator.testing.SampleResources;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StoreClaimsTest {
    static EdgeFleet fleet(String ns, String name, String prefix, String created) throws Exception {
        EdgeFleet f = SampleResources.load("pbx3sbc_v1alpha1_edgefleet.yaml", EdgeFleet.class).get(0);
        f.getMetadata().setNamespace(ns);
        f.getMetadata().setName(name);
        f.getMetadata().setCreationTimestamp(created);
        f.getSpec().store.prefix = prefix;
        return f;
    }

    @Test
    void theYoungerOfTwoFleetsOnOneLocationIsRefusedAndTheOlderKeepsIt() throws Exception {
        EdgeFleet older = fleet("voip-a", "edge", "shared/", "2026-11-01T00:00:00Z");
        EdgeFleet younger = fleet("voip-b", "edge", "shared/", "2026-11-02T00:00:00Z");
        List<EdgeFleet> all = List.of(older, younger);
        assertThat(StoreClaims.conflict(older, all)).isEmpty();
        assertThat(StoreClaims.conflict(younger, all)).hasValueSatisfying(r -> {
            assertThat(r.reason()).isEqualTo(Reasons.STORE_CONFLICT);
            assertThat(r.message()).contains("voip-a/edge");
        });
    }

    @Test
    void defaultPrefixesAndOtherNamesDoNotCollide() throws Exception {
        EdgeFleet a = fleet("voip-a", "edge", null, "2026-11-01T00:00:00Z");
        EdgeFleet b = fleet("voip-b", "edge", null, "2026-11-02T00:00:00Z");
        EdgeFleet c = fleet("voip-a", "edge-2", null, "2026-11-03T00:00:00Z");
        List<EdgeFleet> all = List.of(a, b, c);
        assertThat(StoreClaims.conflict(b, all)).as("the namespace is the default prefix").isEmpty();
        assertThat(StoreClaims.conflict(c, all)).as("fleets/<name>/ differ").isEmpty();
    }
}
