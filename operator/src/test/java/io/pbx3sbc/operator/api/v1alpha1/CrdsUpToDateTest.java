package io.pbx3sbc.operator.api.v1alpha1;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** crds/ is what users apply; it must be exactly what the Java classes generate. */
class CrdsUpToDateTest {
    @ParameterizedTest
    @ValueSource(strings = {"sipdomains", "dispatchersets", "edgefleets"})
    void committedCrdMatchesTheGeneratedOne(String plural) throws Exception {
        Path generated = Path.of("target/classes/META-INF/fabric8/" + plural + ".pbx3sbc.io-v1.yml");
        Path committed = Path.of("../crds/pbx3sbc.io_" + plural + ".yaml");
        assertThat(committed).as("crds/ is missing %s; run ./hack/update-crds.sh", committed).exists();
        assertThat(Files.readString(committed))
                .as("crds/%s differs from what the Java classes generate; run ./hack/update-crds.sh", committed.getFileName())
                .isEqualTo(Files.readString(generated));
    }
}
