package io.pbx3sbc.charts;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.pbx3sbc.operator.OperatorConfig;
import io.pbx3sbc.operator.OperatorMain;
import io.pbx3sbc.operator.api.v1alpha1.DispatcherSet;
import io.pbx3sbc.operator.api.v1alpha1.EdgeFleet;
import io.pbx3sbc.operator.api.v1alpha1.SipDomain;
import io.pbx3sbc.operator.testing.LocalControlPlane;
import io.pbx3sbc.operator.testing.SampleResources;
import io.pbx3sbc.routingdb.store.S3ObjectStore;
import io.pbx3sbc.routingdb.testing.Await;
import io.pbx3sbc.routingdb.testing.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The chart on a real kube-apiserver with RBAC on: the rendered chart applies (server-side dry run, then
 * for real); the operator, authenticated as the chart's ServiceAccount, reconciles the samples (publish,
 * promote, workloads, statuses, Events, the signing key); and that ServiceAccount cannot do what the
 * operator never needs. Once with a ClusterRole (all namespaces), once with Roles (given namespaces).
 */
class ChartOnApiServerIT {
    @TempDir
    static Path work;
    static LocalControlPlane cluster;
    static KubernetesClient admin;
    static S3ProxyServer s3;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalControlPlane.start(work.resolve("cluster"));
        admin = cluster.client();
        s3 = new S3ProxyServer(work).start();
        try (S3ObjectStore store = new S3ObjectStore(s3.location("sip-routing", ""))) {
            store.ensureBucket();
        }
        ok(cluster.kubectl(null, "apply", "--server-side", "-f", "charts/pbx3sbc-operator/crds/"));
        ok(cluster.kubectl(null, "wait", "--for=condition=Established", "--timeout=60s", "crd/sipdomains.pbx3sbc.io",
                "crd/dispatchersets.pbx3sbc.io", "crd/edgefleets.pbx3sbc.io"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (s3 != null) {
            s3.stop();
        }
        if (admin != null) {
            admin.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    static void ok(LocalControlPlane.Result r) {
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(90), done::getAsBoolean, ok -> ok);
    }

    @Test
    void withAClusterRoleTheOperatorReconcilesEveryNamespace() throws Exception {
        installAndReconcile("ops-cluster", "tenants-a", Map.of());
    }

    @Test
    void withRolesTheOperatorReconcilesTheNamespacesItWasGivenAndSeesNoOther() throws Exception {
        installAndReconcile("ops-scoped", "tenants-b", Map.of("watchNamespaces[0]", "tenants-b"));
        String sa = "system:serviceaccount:ops-scoped:pbx3sbc-pbx3sbc-operator";
        assertThat(lastLine(cluster.kubectl(null, "auth", "can-i", "list", "sipdomains.pbx3sbc.io", "-n", "tenants-a",
                "--as", sa).output())).isEqualTo("no");
    }

    void installAndReconcile(String releaseNs, String tenants, Map<String, Object> values) throws Exception {
        for (String ns : new String[] {releaseNs, tenants}) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        }
        Path rendered = work.resolve(releaseNs + ".yaml");
        Files.writeString(rendered, Chart.render(releaseNs, values));
        ok(cluster.kubectl(null, "apply", "--server-side", "--dry-run=server", "-f", rendered.toString()));
        ok(cluster.kubectl(null, "apply", "--server-side", "-f", rendered.toString()));

        refusesEdgeFleetsAskingForMoreThanAllowed(tenants);

        String saName = "pbx3sbc-pbx3sbc-operator";
        String sa = "system:serviceaccount:" + releaseNs + ":" + saName;
        for (String[] forbidden : new String[][] {
                {"list", "secrets", "-n", tenants}, {"get", "pods", "-n", tenants}, {"delete", "namespaces"},
                {"create", "clusterroles"}, {"patch", "sipdomains.pbx3sbc.io", "-n", tenants},
                {"delete", "secrets", "-n", tenants}, {"get", "leases.coordination.k8s.io", "-n", tenants}}) {
            String[] args = new String[forbidden.length + 4];
            args[0] = "auth";
            args[1] = "can-i";
            System.arraycopy(forbidden, 0, args, 2, forbidden.length);
            args[forbidden.length + 2] = "--as";
            args[forbidden.length + 3] = sa;
            assertThat(lastLine(cluster.kubectl(null, args).output())).as(String.join(" ", forbidden)).isEqualTo("no");
        }

        // The operator as the chart runs it: the ServiceAccount's token, leader election in the release namespace.
        String token = cluster.kubectl(null, "create", "token", saName, "-n", releaseNs, "--duration=1h").output().trim();
        Config asOperator = new ConfigBuilder(Config.empty()).withMasterUrl(admin.getConfiguration().getMasterUrl())
                .withTrustCerts(true).withOauthToken(token).build();
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(asOperator).build()) {
            Set<String> watch = values.isEmpty() ? Set.of() : Set.of(tenants);
            OperatorMain.Running operator = OperatorMain.start(client, new OperatorConfig(watch, "127.0.0.1", 0, true,
                    saName, releaseNs, "it-" + releaseNs, "edge:test", work.resolve("build-" + releaseNs)));
            try {
                applySamples(tenants);
                await("the fleet in " + tenants + " active on version 1", () -> {
                    EdgeFleet f = admin.resources(EdgeFleet.class).inNamespace(tenants).withName("edge").get();
                    return f.getStatus() != null && Long.valueOf(1).equals(f.getStatus().activeVersion);
                });
                await("SipDomain statuses", () -> admin.resources(SipDomain.class).inNamespace(tenants).list().getItems()
                        .stream().allMatch(d -> d.getStatus() != null && !d.getStatus().fleets.isEmpty()));
                assertThat(admin.apps().deployments().inNamespace(tenants).withName("edge-edge").get()).isNotNull();
                assertThat(admin.secrets().inNamespace(tenants).withName("routing-signing-key").get()).isNotNull();
                assertThat(admin.v1().events().inNamespace(tenants).list().getItems()).isNotEmpty();
                assertThat(admin.leases().inNamespace(releaseNs).withName(saName).get()).isNotNull();
            } finally {
                operator.stop();
            }
        }
    }

    /** The chart's ValidatingAdmissionPolicy, enforced by the real API server. */
    static void refusesEdgeFleetsAskingForMoreThanAllowed(String ns) throws Exception {
        EdgeFleet fleet = SampleResources.load("pbx3sbc_v1alpha1_edgefleet.yaml", EdgeFleet.class).get(0);
        fleet.getMetadata().setNamespace(ns);
        fleet.getMetadata().setName("rogue");
        fleet.getSpec().image = "evil.example/miner:latest";
        // The policy may take a moment to be loaded after it is created.
        Await.until("the admission policy refuses an edge image outside the allowlist", Duration.ofSeconds(60), () -> {
            try {
                admin.resource(fleet).create();
                admin.resource(fleet).delete();
                return "admitted";
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                return e.getMessage();
            }
        }, m -> m.contains("is not an allowed edge image"));
        fleet.getSpec().image = null;
        fleet.getSpec().hostNetwork = true;
        assertThatThrownBy(() -> admin.resource(fleet).create()).hasMessageContaining("hostNetwork is not permitted");
    }

    /** kubectl auth can-i answers on its last line (a warning may come first). */
    static String lastLine(String output) {
        return output.strip().lines().reduce((a, b) -> b).orElse("").trim();
    }

    static void applySamples(String ns) throws Exception {
        admin.secrets().inNamespace(ns).resource(new SecretBuilder().withNewMetadata().withName("routing-s3").endMetadata()
                .withStringData(Map.of("accessKeyId", S3ProxyServer.ACCESS_KEY, "secretAccessKey", S3ProxyServer.SECRET_KEY))
                .build()).create();
        for (DispatcherSet s : SampleResources.load("pbx3sbc_v1alpha1_dispatcherset.yaml", DispatcherSet.class)) {
            s.getMetadata().setNamespace(ns);
            admin.resource(s).create();
        }
        for (SipDomain d : SampleResources.load("pbx3sbc_v1alpha1_sipdomain.yaml", SipDomain.class)) {
            d.getMetadata().setNamespace(ns);
            admin.resource(d).create();
        }
        EdgeFleet fleet = SampleResources.load("pbx3sbc_v1alpha1_edgefleet.yaml", EdgeFleet.class).get(0);
        fleet.getMetadata().setNamespace(ns);
        fleet.getSpec().store.endpoint = s3.endpoint().toString();
        admin.resource(fleet).create();
    }
}
