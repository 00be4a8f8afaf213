package io.pbx3sbc.operator.compile;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.pbx3sbc.operator.api.v1alpha1.DispatcherSet;
import io.pbx3sbc.operator.api.v1alpha1.SipDomain;
import io.pbx3sbc.routingdb.ContentHash;
import io.pbx3sbc.routingdb.compile.ResourceFiles;
import io.pbx3sbc.routingdb.compile.RoutingCompiler;
import io.pbx3sbc.routingdb.compile.RoutingCompiler.Compilation;
import io.pbx3sbc.routingdb.compile.Sources.DomainSource;
import io.pbx3sbc.routingdb.compile.Sources.SetSource;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The operator compiles exactly what `./hack/routing-db build config/samples` compiles. */
class ResourceSourcesTest {
    static final Path SAMPLES = Path.of("../config/samples");

    @Test
    void samplesCompileToTheSameRoutingContentAsTheCli() throws Exception {
        KubernetesSerialization serialization = new KubernetesSerialization();
        List<DomainSource> domains = new ArrayList<>();
        List<SetSource> sets = new ArrayList<>();
        for (String doc : Files.readString(SAMPLES.resolve("pbx3sbc_v1alpha1_sipdomain.yaml")).split("(?m)^---\\s*$")) {
            if (doc.contains("kind:")) {
                domains.add(ResourceSources.domain(serialization.unmarshal(doc, SipDomain.class)));
            }
        }
        for (String doc : Files.readString(SAMPLES.resolve("pbx3sbc_v1alpha1_dispatcherset.yaml")).split("(?m)^---\\s*$")) {
            if (doc.contains("kind:")) {
                sets.add(ResourceSources.set(serialization.unmarshal(doc, DispatcherSet.class)));
            }
        }
        Compilation fromResources = new RoutingCompiler().compile(domains, sets);

        ResourceFiles.Loaded loaded = new ResourceFiles().load(List.of(SAMPLES));
        Compilation fromFiles = new RoutingCompiler().compile(loaded.domains(), loaded.sets());

        assertThat(fromResources.problems()).isEmpty();
        assertThat(fromResources.model().domains()).hasSize(4);
        assertThat(ContentHash.of(fromResources.model())).isEqualTo(ContentHash.of(fromFiles.model()));
    }
}
