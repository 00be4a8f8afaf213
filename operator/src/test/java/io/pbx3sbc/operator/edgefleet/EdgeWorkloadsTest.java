package io.pbx3sbc.operator.edgefleet;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.pbx3sbc.operator.api.v1alpha1.EdgeFleet;
import io.pbx3sbc.operator.api.v1alpha1.EdgeFleetSpec;
import io.pbx3sbc.operator.testing.SampleResources;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EdgeWorkloadsTest {
    static final EdgeWorkloads.Defaults DEFAULTS = new EdgeWorkloads.Defaults("registry.example/edge:1");
    EdgeFleet fleet;

    @BeforeEach
    void sample() throws Exception {
        fleet = SampleResources.load("pbx3sbc_v1alpha1_edgefleet.yaml", EdgeFleet.class).get(0);
        fleet.getMetadata().setUid("uid-1");
    }

    static ConfigMap config(List<HasMetadata> objects) {
        return objects.stream().filter(o -> o.getMetadata().getName().equals("edge-edge-config")).map(ConfigMap.class::cast)
                .findFirst().orElseThrow();
    }

    <T> T one(List<HasMetadata> objects, Class<T> kind) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).findFirst().orElseThrow();
    }

    @Test
    void aFleetRunsAsALockedDownDeploymentOwnedByIt() {
        List<HasMetadata> objects = EdgeWorkloads.desired(fleet, List.of("PUBKEY"), DEFAULTS);
        assertThat(objects).hasSize(8).allSatisfy(o -> {
            assertThat(o.getMetadata().getNamespace()).isEqualTo("default");
            assertThat(o.getMetadata().getOwnerReferences()).singleElement()
                    .satisfies(r -> assertThat(r.getUid()).isEqualTo("uid-1"));
        });
        Deployment d = one(objects, Deployment.class);
        assertThat(d.getMetadata().getName()).isEqualTo("edge-edge");
        assertThat(d.getSpec().getReplicas()).isEqualTo(3);
        assertThat(d.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
        var pod = d.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan(30);
        var c = pod.getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("registry.example/edge:1");
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("AWS_SECRET_ACCESS_KEY");
            assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("routing-s3");
        });
        assertThat(one(objects, ServiceAccount.class).getAutomountServiceAccountToken()).isFalse();
        assertThat(one(objects, PodDisruptionBudget.class).getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    }

    @Test
    void theConfigurationTellsEdgesWhereAndHowToVerifyButHoldsNoSecret() {
        ConfigMap config = EdgeWorkloads.desired(fleet, List.of("PUBKEY"), DEFAULTS).stream()
                .filter(o -> o.getMetadata().getName().equals("edge-edge-config")).map(ConfigMap.class::cast).findFirst().orElseThrow();
        assertThat(config.getData())
                .containsEntry("EDGE_FLEET", "edge")
                .containsEntry("EDGE_S3_BUCKET", "sip-routing")
                .containsEntry("EDGE_S3_PREFIX", "default/")
                .containsEntry("EDGE_PUBLIC_KEY_FILE", "/etc/pbx3sbc/trust/trusted-keys")
                .containsEntry("EDGE_ADVERTISED_ADDRESS", "edge-edge.default.svc:5060");
        assertThat(config.getData().keySet()).noneMatch(k -> k.contains("SECRET"));
    }

    @Test
    void trustingAnotherKeyRollsNoEdgeTheyReadTheKeysFromAFile() {
        List<HasMetadata> before = EdgeWorkloads.desired(fleet, List.of("KEY-A"), DEFAULTS);
        List<HasMetadata> rotating = EdgeWorkloads.desired(fleet, List.of("KEY-A", "KEY-B"), DEFAULTS);
        assertThat(one(before, Deployment.class).getSpec().getTemplate())
                .isEqualTo(one(rotating, Deployment.class).getSpec().getTemplate());
        ConfigMap trust = rotating.stream().filter(o -> o.getMetadata().getName().equals("edge-edge-trust"))
                .map(ConfigMap.class::cast).findFirst().orElseThrow();
        assertThat(trust.getData()).containsEntry("trusted-keys", "KEY-A\nKEY-B\n");
        assertThat(one(rotating, Deployment.class).getSpec().getTemplate().getSpec().getVolumes())
                .anySatisfy(v -> assertThat(v.getConfigMap()).isNotNull().extracting(c -> c.getName()).isEqualTo("edge-edge-trust"));
    }

    @Test
    void edgesShareTheFleetsDialogKeyFromASecretAndTakeTheirFloodLimitsFromTheSpec() {
        fleet.getSpec().protection.floodLimitPerSecond = 500;
        fleet.getSpec().protection.floodBanSeconds = 120;
        fleet.getSpec().protection.trustedSources = List.of(new EdgeFleetSpec.TrustedSource("192.0.2.0/24"),
                new EdgeFleetSpec.TrustedSource("2001:db8::/32"));
        List<HasMetadata> objects = EdgeWorkloads.desired(fleet, List.of("PUBKEY"), DEFAULTS);
        assertThat(config(objects).getData())
                .containsEntry("EDGE_DIALOG_KEY_FILE", "/etc/pbx3sbc/dialog/dialog.key")
                .containsEntry("EDGE_FLOOD_LIMIT", "500")
                .containsEntry("EDGE_FLOOD_BAN", "120s")
                .containsEntry("EDGE_FLOOD_EXEMPT", "192.0.2.0/24,2001:db8::/32")
                .containsEntry("EDGE_TCP_MAX_PER_SOURCE", "64");
        var pod = one(objects, Deployment.class).getSpec().getTemplate().getSpec();
        assertThat(pod.getVolumes()).anySatisfy(v -> {
            assertThat(v.getSecret()).isNotNull();
            assertThat(v.getSecret().getSecretName()).isEqualTo("edge-edge-dialog-key");
        });
        assertThat(pod.getContainers().get(0).getVolumeMounts())
                .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/etc/pbx3sbc/dialog"));
    }

    @Test
    void hostNetworkMakesItADaemonSet() {
        fleet.getSpec().hostNetwork = true;
        List<HasMetadata> objects = EdgeWorkloads.desired(fleet, List.of("PUBKEY"), DEFAULTS);
        assertThat(objects).noneMatch(Deployment.class::isInstance);
        DaemonSet ds = one(objects, DaemonSet.class);
        assertThat(ds.getSpec().getTemplate().getSpec().getHostNetwork()).isTrue();
        assertThat(ds.getSpec().getTemplate().getSpec().getDnsPolicy()).isEqualTo("ClusterFirstWithHostNet");
    }

    @Test
    void sipIsServedOverUdpAndTcpAndAdminIsHeadless() {
        List<Service> services = EdgeWorkloads.desired(fleet, List.of("PUBKEY"), DEFAULTS).stream()
                .filter(Service.class::isInstance).map(Service.class::cast).toList();
        assertThat(services).hasSize(2);
        assertThat(services.get(0).getSpec().getPorts()).extracting(p -> p.getProtocol()).containsExactly("UDP", "TCP");
        assertThat(services.get(1).getSpec().getClusterIP()).isEqualTo("None");
    }

    static EdgeFleetSpec.Tls tls() {
        EdgeFleetSpec.Tls t = new EdgeFleetSpec.Tls();
        t.secretName = "edge-tls";
        t.verifyClients = EdgeFleetSpec.ClientVerification.Optional;
        t.clientCA = new EdgeFleetSpec.SecretKey();
        t.clientCA.secretName = "trunk-ca";
        t.backendCA = new EdgeFleetSpec.SecretKey();
        t.backendCA.secretName = "pbx-ca";
        t.backendCA.key = "bundle.pem";
        return t;
    }

    @Test
    void aTlsFleetMountsItsSecretsWholeAndOffersTlsBesideUdpAndTcp() {
        fleet.getSpec().tls = tls();
        fleet.getSpec().advertisedAddress = "sip.example.com:5060";
        List<HasMetadata> objects = EdgeWorkloads.desired(fleet, List.of("PUBKEY"), DEFAULTS);
        var env = config(objects).getData();
        assertThat(env).containsEntry("EDGE_TLS_LISTEN", "0.0.0.0:5061").containsEntry("EDGE_TLS_CERT", "/etc/pbx3sbc/tls/tls.crt")
                .containsEntry("EDGE_TLS_KEY", "/etc/pbx3sbc/tls/tls.key").containsEntry("EDGE_TLS_VERIFY_CLIENTS", "optional")
                .containsEntry("EDGE_TLS_CLIENT_CA", "/etc/pbx3sbc/client-ca/ca.crt")
                .containsEntry("EDGE_TLS_BACKEND_CA", "/etc/pbx3sbc/backend-ca/bundle.pem")
                .containsEntry("EDGE_TLS_ADVERTISED_ADDRESS", "sip.example.com:5061")
                .containsEntry("EDGE_CALLER_TRANSPORTS", "udp,tcp,tls")
                .containsEntry("EDGE_ADVERTISED_ADDRESS", "sip.example.com:5060");
        var pod = one(objects, Deployment.class).getSpec().getTemplate().getSpec();
        assertThat(pod.getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("tls");
            assertThat(v.getSecret().getSecretName()).isEqualTo("edge-tls");
        });
        // a whole-directory mount: a subPath mount would never see cert-manager's renewals
        assertThat(pod.getContainers().get(0).getVolumeMounts()).filteredOn(m -> m.getName().equals("tls"))
                .singleElement().satisfies(m -> assertThat(m.getSubPath()).isNull());
        assertThat(pod.getContainers().get(0).getPorts()).extracting(p -> p.getName()).contains("sip-tls");
        Service sip = one(objects, Service.class);
        assertThat(sip.getSpec().getPorts()).extracting(p -> p.getName() + "/" + p.getPort())
                .containsExactly("sip-udp/5060", "sip-tcp/5060", "sip-tls/5061");
    }

    @Test
    void aMissingOrWrongTlsSecretIsNamedWithWhatIsMissing() {
        assertThat(EdgeWorkloads.tlsSecretProblem("edge-tls", null)).hasValueSatisfying(m -> assertThat(m).contains("does not exist"));
        var opaque = new io.fabric8.kubernetes.api.model.SecretBuilder().addToData("tls.crt", "eA==").build();
        assertThat(EdgeWorkloads.tlsSecretProblem("edge-tls", opaque)).hasValueSatisfying(m -> assertThat(m).contains("has no tls.key"));
        var good = new io.fabric8.kubernetes.api.model.SecretBuilder().addToData("tls.crt", "eA==").addToData("tls.key", "eA==").build();
        assertThat(EdgeWorkloads.tlsSecretProblem("edge-tls", good)).isEmpty();
    }

    @Test
    void pathNamesThePodItselfSoARegistrarsRequestsReachTheEdgeHoldingThePhonesConnection() {
        var c = one(EdgeWorkloads.desired(fleet, List.of("PUBKEY"), DEFAULTS), Deployment.class).getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("EDGE_PATH_ADDRESS");
            assertThat(e.getValue()).isEqualTo("$(POD_IP):5060");
        });
    }

    @Test
    void aTlsOnlyFleetOffersOnlyTlsAndAdvertisesThePodToItsBackends() {
        fleet.getSpec().tls = tls();
        fleet.getSpec().callerTransports = List.of(EdgeFleetSpec.Transport.tls);
        List<HasMetadata> objects = EdgeWorkloads.desired(fleet, List.of("PUBKEY"), DEFAULTS);
        assertThat(config(objects).getData()).containsEntry("EDGE_CALLER_TRANSPORTS", "tls").doesNotContainKey("EDGE_ADVERTISED_ADDRESS");
        assertThat(one(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .anySatisfy(e -> {
                    assertThat(e.getName()).isEqualTo("EDGE_ADVERTISED_ADDRESS");
                    assertThat(e.getValue()).isEqualTo("$(POD_IP):5060");
                });
        assertThat(one(objects, Service.class).getSpec().getPorts()).extracting(p -> p.getName()).containsExactly("sip-tls");
    }

    @Test
    void aLoadBalancerKeepsCallersAddressesAndDualStackListensOnBothFamilies() {
        EdgeFleetSpec.SipService svc = new EdgeFleetSpec.SipService();
        svc.type = EdgeFleetSpec.ServiceType.LoadBalancer;
        svc.annotations = java.util.Map.of("metallb.universe.tf/address-pool", "sip");
        svc.ipFamilyPolicy = EdgeFleetSpec.IpFamilyPolicy.PreferDualStack;
        svc.ipFamilies = List.of(EdgeFleetSpec.IpFamily.IPv4, EdgeFleetSpec.IpFamily.IPv6);
        fleet.getSpec().service = svc;
        fleet.getSpec().nodeSelector = java.util.Map.of("pbx3sbc.io/edge", "true");
        fleet.getSpec().tolerations = List.of(new io.fabric8.kubernetes.api.model.TolerationBuilder().withKey("dedicated")
                .withValue("sip").withEffect("NoSchedule").build());
        List<HasMetadata> objects = EdgeWorkloads.desired(fleet, List.of("PUBKEY"), DEFAULTS);
        Service sip = one(objects, Service.class);
        assertThat(sip.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(sip.getSpec().getExternalTrafficPolicy()).as("Cluster would hide every caller behind a node").isEqualTo("Local");
        assertThat(sip.getSpec().getIpFamilyPolicy()).isEqualTo("PreferDualStack");
        assertThat(sip.getSpec().getIpFamilies()).containsExactly("IPv4", "IPv6");
        assertThat(sip.getMetadata().getAnnotations()).containsEntry("metallb.universe.tf/address-pool", "sip");
        assertThat(config(objects).getData()).containsEntry("EDGE_SIP_LISTEN", "[::]:5060");
        var pod = one(objects, Deployment.class).getSpec().getTemplate().getSpec();
        assertThat(pod.getNodeSelector()).containsEntry("pbx3sbc.io/edge", "true");
        assertThat(pod.getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
        assertThat(pod.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
                .as("spread over nodes unless the fleet says otherwise").hasSize(1);
        svc.type = EdgeFleetSpec.ServiceType.ClusterIP;
        assertThat(one(EdgeWorkloads.desired(fleet, List.of("PUBKEY"), DEFAULTS), Service.class).getSpec().getExternalTrafficPolicy())
                .isNull();
    }

    @Test
    void theAppliedHashChangesWithTheSpecOnly() {
        String a = WorkloadApplier.hash(one(EdgeWorkloads.desired(fleet, List.of("PUBKEY"), DEFAULTS), Deployment.class));
        String same = WorkloadApplier.hash(one(EdgeWorkloads.desired(fleet, List.of("PUBKEY"), DEFAULTS), Deployment.class));
        fleet.getSpec().replicas = 5;
        String changed = WorkloadApplier.hash(one(EdgeWorkloads.desired(fleet, List.of("PUBKEY"), DEFAULTS), Deployment.class));
        assertThat(a).isEqualTo(same).isNotEqualTo(changed);
    }

    @Test
    void theAdminPortBindsThePodAddressAndOnlyTheOperatorAndMonitoringMayReachIt() {
        var defaults = new EdgeWorkloads.Defaults("registry.example/edge:1", java.util.Set.of("pbx3sbc-system", "monitoring"));
        List<HasMetadata> objects = EdgeWorkloads.desired(fleet, List.of("PUBKEY"), defaults);
        var c = one(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("EDGE_ADMIN_LISTEN");
            assertThat(e.getValue()).isEqualTo("$(POD_IP):9090");
        });
        assertThat(config(objects).getData()).containsEntry("EDGE_ADMIN_DETAIL", "false")
                .doesNotContainKey("EDGE_ADMIN_LISTEN");
        var policy = one(objects, io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class).getSpec();
        assertThat(policy.getIngress()).hasSize(2);
        assertThat(policy.getIngress().get(0).getFrom()).as("SIP from anywhere").isEmpty();
        assertThat(policy.getIngress().get(0).getPorts()).extracting(p -> p.getPort().getIntVal()).containsOnly(5060);
        assertThat(policy.getIngress().get(1).getPorts()).extracting(p -> p.getPort().getIntVal()).containsExactly(9090);
        assertThat(policy.getIngress().get(1).getFrom()).extracting(p -> p.getNamespaceSelector().getMatchLabels()
                .get("kubernetes.io/metadata.name")).containsExactly("monitoring", "pbx3sbc-system");
    }

    @Test
    void edgesGetTheirOwnCredentialAndADurableStateVolumeWhenTheFleetNamesThem() {
        fleet.getSpec().store.edgeCredentialsSecretRef = "routing-s3-edge";
        fleet.getSpec().stateVolume = new io.pbx3sbc.operator.api.v1alpha1.EdgeFleetSpec.StateVolume();
        fleet.getSpec().stateVolume.hostPath = "/var/lib/pbx3sbc-fleets/edge";
        List<HasMetadata> objects = EdgeWorkloads.desired(fleet, List.of("PUBKEY"), DEFAULTS);
        var pod = one(objects, Deployment.class).getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers().get(0).getEnv()).filteredOn(e -> e.getName().startsWith("AWS_"))
                .allSatisfy(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("routing-s3-edge"));
        assertThat(pod.getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("state");
            assertThat(v.getHostPath().getPath()).isEqualTo("/var/lib/pbx3sbc-fleets/edge");
        });
        assertThat(pod.getContainers().get(0).getVolumeMounts()).anySatisfy(m -> assertThat(m.getName()).isEqualTo("state"));
        assertThat(config(objects).getData()).containsEntry("EDGE_STATE_DIR", "/var/lib/pbx3sbc-state");
    }
}
