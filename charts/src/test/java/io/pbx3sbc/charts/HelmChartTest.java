package io.pbx3sbc.charts;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** helm lint, and what the chart renders for the values users set. */
class HelmChartTest {

    @Test
    void lintPassesStrictly() {
        LintResult r = new Helm(Chart.DIR).lint().strict().call();
        assertThat(r.isFailed()).as(String.join("\n", r.getMessages())).isFalse();
    }

    @Test
    void theChartShipsExactlyTheGeneratedCrds() throws Exception {
        for (String plural : List.of("sipdomains", "dispatchersets", "edgefleets")) {
            Path committed = Path.of("../crds/pbx3sbc.io_" + plural + ".yaml");
            Path inChart = Chart.DIR.resolve("crds/pbx3sbc.io_" + plural + ".yaml");
            assertThat(Files.readString(inChart)).as("%s differs from crds/; run ./hack/update-crds.sh", inChart)
                    .isEqualTo(Files.readString(committed));
        }
    }

    @Test
    void byDefaultItWatchesEveryNamespaceWithAClusterRoleAndALockedDownDeployment() {
        List<HasMetadata> objects = Chart.objects(Chart.render("pbx3sbc-system", Map.of()));
        assertThat(objects).extracting(HasMetadata::getKind).contains("ServiceAccount", "ClusterRole", "ClusterRoleBinding",
                "Role", "RoleBinding", "Deployment", "Service").doesNotContain("ServiceMonitor");
        Deployment d = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).findFirst().orElseThrow();
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        var pod = d.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        var c = pod.getContainers().get(0);
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getImage()).isEqualTo("ghcr.io/pbx3sbc/operator:0.1.0");
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("WATCH_NAMESPACES");
            assertThat(e.getValue()).isEmpty();
        });
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    }

    @Test
    void givenNamespacesItUsesRolesThereAndNothingClusterWide() {
        List<HasMetadata> objects = Chart.objects(Chart.render("pbx3sbc-system",
                Map.of("watchNamespaces[0]", "tenants-a", "watchNamespaces[1]", "tenants-b")));
        assertThat(objects).extracting(HasMetadata::getKind).doesNotContain("ClusterRole", "ClusterRoleBinding");
        assertThat(objects).filteredOn(o -> o instanceof Role).extracting(o -> o.getMetadata().getNamespace())
                .containsExactlyInAnyOrder("tenants-a", "tenants-b", "pbx3sbc-system");
        Deployment d = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).findFirst().orElseThrow();
        assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .anySatisfy(e -> assertThat(e.getValue()).isEqualTo("tenants-a,tenants-b"));
    }

    @Test
    void theRulesNameEveryResourceAndVerbAndNeverTouchPodsOrListSecrets() {
        ClusterRole role = Chart.objects(Chart.render("pbx3sbc-system", Map.of())).stream()
                .filter(ClusterRole.class::isInstance).map(ClusterRole.class::cast).findFirst().orElseThrow();
        for (PolicyRule r : role.getRules()) {
            assertThat(r.getVerbs()).doesNotContain("*");
            assertThat(r.getResources()).doesNotContain("*", "pods", "nodes", "customresourcedefinitions");
            if (r.getResources().contains("secrets")) {
                assertThat(r.getVerbs()).containsExactlyInAnyOrder("get", "create");
            }
        }
    }

    @Test
    void theAdmissionPolicyCarriesTheAllowlistAndTheOperatorTheSame() {
        String rendered = Chart.render("ops", Map.of("edgeImages.allowed[0]", "registry.corp/pbx3sbc/edge@",
                "edgeHostNetwork.namespaces[0]", "edge-system", "edgeAdminClients.namespaces[0]", "prometheus"));
        List<HasMetadata> objects = Chart.objects(rendered);
        assertThat(objects).extracting(HasMetadata::getKind)
                .contains("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");
        var policy = objects.stream().filter(o -> o instanceof io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy)
                .map(io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy.class::cast).findFirst().orElseThrow();
        assertThat(policy.getSpec().getVariables()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("allowedImages");
            assertThat(v.getExpression()).isEqualTo("[\"ghcr.io/pbx3sbc/edge-runtime:\",\"registry.corp/pbx3sbc/edge@\"]");
        });
        Deployment d = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).findFirst().orElseThrow();
        var env = d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        assertThat(env).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("EDGE_IMAGE_ALLOWLIST");
            assertThat(e.getValue()).isEqualTo("ghcr.io/pbx3sbc/edge-runtime:,registry.corp/pbx3sbc/edge@");
        });
        assertThat(env).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("HOST_NETWORK_NAMESPACES");
            assertThat(e.getValue()).isEqualTo("edge-system");
        });
        assertThat(env).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("EDGE_ADMIN_CLIENT_NAMESPACES");
            assertThat(e.getValue()).isEqualTo("prometheus");
        });
        assertThat(Chart.objects(Chart.render("ops", Map.of("admissionPolicy.enabled", "false"))))
                .extracting(HasMetadata::getKind).doesNotContain("ValidatingAdmissionPolicy");
    }

    @Test
    void aServiceMonitorOnlyWhenAskedFor() {
        assertThat(Chart.objects(Chart.render("ops", Map.of("metrics.serviceMonitor.enabled", "true"))))
                .extracting(HasMetadata::getKind).contains("ServiceMonitor");
    }

    @Test
    void anEdgePodMonitorOnlyWhenAskedForScrapingEveryFleetsEdgesOnTheirAdminPort() {
        assertThat(Chart.objects(Chart.render("ops", Map.of()))).extracting(HasMetadata::getKind).doesNotContain("PodMonitor");
        HasMetadata monitor = Chart.objects(Chart.render("ops", Map.of("metrics.edgePodMonitor.enabled", "true"))).stream()
                .filter(o -> o.getKind().equals("PodMonitor")).findFirst().orElseThrow();
        String yaml = io.fabric8.kubernetes.client.utils.Serialization.asYaml(monitor);
        assertThat(yaml).containsPattern("app.kubernetes.io/name: \"?pbx3sbc-edge").containsPattern("port: \"?admin")
                .contains("any: true");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            replicaCount=0          | replicaCount
            logLevel=LOUD           | logLevel
            watchNamespaces[0]=Bad_NS | watchNamespaces
            metrics.port=80         | port
            colour=blue             | colour
            """)
    void badValuesFailAtInstallTime(String value, String expected) {
        String[] kv = value.split("=", 2);
        assertThatThrownBy(() -> Chart.render("ops", Map.of(kv[0], kv[1])))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(expected);
    }
}
