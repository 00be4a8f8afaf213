package io.pbx3sbc.operator.compile;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.pbx3sbc.operator.api.v1alpha1.SipDomain;
import io.pbx3sbc.operator.api.v1alpha1.SipDomainSpec;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LeanItemStoreTest {
    @Test
    void theCacheKeepsWhatCompilingAndStatusNeedAndDropsTheWritersBookkeeping() {
        SipDomain d = new SipDomain();
        d.setMetadata(new ObjectMetaBuilder().withName("acme").withNamespace("voip").withGeneration(3L).withResourceVersion("42")
                .withLabels(Map.of("pbx3sbc.io/fleet", "edge"))
                .withAnnotations(Map.of(LeanItemStore.LAST_APPLIED, "{\"a whole\":\"copy\"}", "team", "blue"))
                .withManagedFields(new ManagedFieldsEntryBuilder().withManager("kubectl").withOperation("Apply").build()).build());
        d.setSpec(new SipDomainSpec());
        d.getSpec().domain = "acme.example.com";
        LeanItemStore<SipDomain> store = new LeanItemStore<>();
        store.put(store.getKey(d), d);
        SipDomain kept = store.get("voip/acme");
        assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(kept.getMetadata().getAnnotations()).containsOnlyKeys("team");
        assertThat(kept.getMetadata().getLabels()).containsEntry("pbx3sbc.io/fleet", "edge");
        assertThat(kept.getMetadata().getGeneration()).isEqualTo(3L);
        assertThat(kept.getMetadata().getResourceVersion()).isEqualTo("42");
        assertThat(kept.getSpec().domain).isEqualTo("acme.example.com");
        assertThat(store.size()).isEqualTo(1);
        assertThat(store.remove("voip/acme")).isSameAs(kept);
    }

    @Test
    void anObjectWhoseOnlyAnnotationWasKubectlsKeepsAnEmptyMapNotNull() {
        SipDomain d = new SipDomain();
        d.setMetadata(new ObjectMetaBuilder().withName("acme").withNamespace("voip")
                .withAnnotations(Map.of(LeanItemStore.LAST_APPLIED, "{}")).build());
        LeanItemStore<SipDomain> store = new LeanItemStore<>();
        store.put(store.getKey(d), d);
        // JOSDK's InformerEventSource calls getAnnotations().get(..) on every event: null made it throw.
        assertThat(store.get("voip/acme").getMetadata().getAnnotations()).isNotNull().isEmpty();
        assertThat(store.get("voip/acme").getMetadata().getManagedFields()).isNotNull().isEmpty();
    }
}
