package io.pbx3sbc.operator.compile;

import io.pbx3sbc.operator.api.v1alpha1.DispatcherSet;
import io.pbx3sbc.operator.api.v1alpha1.SipDomain;
import io.pbx3sbc.operator.testing.SampleResources;
import io.pbx3sbc.routingdb.ContentHash;
import io.pbx3sbc.routingdb.compile.ResourceFiles;
import io.pbx3sbc.routingdb.compile.RoutingCompiler;
import io.pbx3sbc.routingdb.compile.RoutingCompiler.Compilation;
import io.pbx3sbc.routingdb.compile.Sources.DomainSource;
import io.pbx3sbc.routingdb.compile.Sources.SetSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The operator compiles exactly what `./hack/routing-db build config/samples` compiles. */
class ResourceSourcesTest {
    @Test
    void samplesCompileToTheSameRoutingContentAsTheCli() throws Exception {
        List<DomainSource> domains = SampleResources.load("pbx3sbc_v1alpha1_sipdomain.yaml", SipDomain.class).stream()
                .map(ResourceSources::domain).toList();
        List<SetSource> sets = SampleResources.load("pbx3sbc_v1alpha1_dispatcherset.yaml", DispatcherSet.class).stream()
                .map(ResourceSources::set).toList();
        Compilation fromResources = new RoutingCompiler().compile(domains, sets);

        ResourceFiles.Loaded loaded = new ResourceFiles().load(List.of(SampleResources.SAMPLES));
        Compilation fromFiles = new RoutingCompiler().compile(loaded.domains(), loaded.sets());

        assertThat(fromResources.problems()).isEmpty();
        assertThat(fromResources.model().domains()).hasSize(4);
        assertThat(ContentHash.of(fromResources.model())).isEqualTo(ContentHash.of(fromFiles.model()));
    }
}
