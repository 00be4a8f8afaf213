package io.pbx3sbc.operator.api.v1alpha1;

import org.junit.jupiter.api.Test;

import java.util.List;

import static io.pbx3sbc.operator.testing.SampleResources.load;
import static org.assertj.core.api.Assertions.assertThat;

/** config/samples/ reads into the API classes with every field the samples set. */
class SamplesTest {
    @Test
    void samplesDeserializeIntoTheApi() throws Exception {
        List<SipDomain> domains = load("pbx3sbc_v1alpha1_sipdomain.yaml", SipDomain.class);
        assertThat(domains).extracting(d -> d.getSpec().domain).contains("acme.voip.example.com", "globex.voip.example.com");
        assertThat(domains.get(0).getSpec().rateLimit.requestsPerSecond).isEqualTo(200);

        List<DispatcherSet> sets = load("pbx3sbc_v1alpha1_dispatcherset.yaml", DispatcherSet.class);
        assertThat(sets).extracting(s -> s.getSpec().setId).containsExactly(10, 20);
        assertThat(sets.get(0).getSpec().algorithm).isEqualTo("priority");
        assertThat(sets.get(0).getSpec().probing.intervalSeconds).isEqualTo(5);

        EdgeFleet fleet = load("pbx3sbc_v1alpha1_edgefleet.yaml", EdgeFleet.class).get(0);
        assertThat(fleet.getSpec().store.bucket).isEqualTo("sip-routing");
        assertThat(fleet.getSpec().store.credentialsSecretRef).isEqualTo("routing-s3");
        assertThat(fleet.getSpec().promotion.versionsRetained).isEqualTo(10);
        assertThat(fleet.getSpec().domainSelector.getMatchLabels()).containsEntry("pbx3sbc.io/fleet", "edge");

        EdgeFleet tls = load("pbx3sbc_v1alpha1_edgefleet_tls.yaml", EdgeFleet.class).get(0);
        assertThat(tls.getSpec().tls.secretName).isEqualTo("edge-tls");
        assertThat(tls.getSpec().callerTransportsOrDefault()).containsExactly(EdgeFleetSpec.Transport.tls);
        assertThat(tls.getSpec().service.type).isEqualTo(EdgeFleetSpec.ServiceType.LoadBalancer);
        assertThat(tls.getSpec().tolerations).singleElement().satisfies(t -> assertThat(t.getValue()).isEqualTo("sip-edge"));
    }
}
