package io.pbx3sbc.operator.edgefleet;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.pbx3sbc.operator.api.v1alpha1.EdgeFleet;
import io.pbx3sbc.operator.api.v1alpha1.EdgeFleetSpec;
import io.pbx3sbc.operator.naming.FleetNames;
import io.pbx3sbc.operator.publish.KubernetesFleetSecrets;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Kubernetes objects an EdgeFleet's edges run as (pure; the applier writes them): a ServiceAccount
 * with no API rights, the edge configuration, a Deployment (a DaemonSet with host networking), a SIP
 * Service (UDP and TCP), a headless admin Service, and a PodDisruptionBudget. All are owned by the
 * fleet, so deleting it removes them.
 */
public final class EdgeWorkloads {
    /** The image the operator runs edges with when the fleet names none. */
    /**
     * @param edgeImage        image of fleets that name none
     * @param adminClients     namespaces whose pods may reach the edges' admin port (the operator's and monitoring)
     */
    public record Defaults(String edgeImage, Set<String> adminClients) {
        public Defaults {
            adminClients = Set.copyOf(adminClients);
        }

        public Defaults(String edgeImage) {
            this(edgeImage, Set.of());
        }
    }

    static final String DATA_DIR = "/var/lib/pbx3sbc";
    static final String TRUST_DIR = "/etc/pbx3sbc/trust";
    static final String DIALOG_DIR = "/etc/pbx3sbc/dialog";
    /** The TLS Secret, mounted whole (never by subPath: only a whole mount sees the Secret's updates). */
    static final String TLS_DIR = "/etc/pbx3sbc/tls";
    static final String CLIENT_CA_DIR = "/etc/pbx3sbc/client-ca";
    static final String BACKEND_CA_DIR = "/etc/pbx3sbc/backend-ca";
    static final String TRUST_FILE = "trusted-keys";
    /** The durable part of the edge's data: last known good version and accepted pointer. */
    static final String STATE_DIR = "/var/lib/pbx3sbc-state";
    /** The edge drains for up to 30 s on SIGTERM (EDGE_DRAIN_TIMEOUT); leave room beyond it. */
    static final long TERMINATION_GRACE_SECONDS = 45;

    private EdgeWorkloads() {
    }

    /**
     * @param trustedKeys the public keys (base64 DER) the edges trust: one, two during a key rotation. They go
     *                    into a ConfigMap of their own that the edges read as a file, so a rotation rolls no pod.
     */
    public static List<HasMetadata> desired(EdgeFleet fleet, List<String> trustedKeys, Defaults defaults) {
        List<HasMetadata> out = new ArrayList<>();
        out.add(serviceAccount(fleet));
        out.add(trust(fleet, trustedKeys));
        ConfigMap config = config(fleet);
        out.add(config);
        String configHash = WorkloadApplier.hash(config);
        out.add(Boolean.TRUE.equals(fleet.getSpec().hostNetwork) ? daemonSet(fleet, defaults, configHash)
                : deployment(fleet, defaults, configHash));
        out.add(sipService(fleet));
        out.add(adminService(fleet));
        out.add(disruptionBudget(fleet));
        out.add(networkPolicy(fleet, defaults));
        return out;
    }

    static ObjectMeta meta(EdgeFleet fleet, String name) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(fleet.getMetadata().getNamespace())
                .withLabels(FleetNames.labels(fleet))
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion(fleet.getApiVersion()).withKind(fleet.getKind())
                        .withName(fleet.getMetadata().getName()).withUid(fleet.getMetadata().getUid())
                        .withController(true).withBlockOwnerDeletion(true).build())
                .build();
    }

    static ServiceAccount serviceAccount(EdgeFleet fleet) {
        // Edges read S3, never the Kubernetes API: no token, no Role.
        return new ServiceAccountBuilder().withMetadata(meta(fleet, FleetNames.serviceAccount(fleet)))
                .withAutomountServiceAccountToken(false).build();
    }

    /** Everything an edge needs to find, verify and serve its fleet's routing versions; no secret in it. */
    static ConfigMap trust(EdgeFleet fleet, List<String> trustedKeys) {
        return new ConfigMapBuilder().withMetadata(meta(fleet, FleetNames.trust(fleet)))
                .withData(Map.of(TRUST_FILE, String.join("\n", trustedKeys) + "\n")).build();
    }

    static ConfigMap config(EdgeFleet fleet) {
        EdgeFleetSpec s = fleet.getSpec();
        Map<String, String> data = new LinkedHashMap<>();
        data.put("EDGE_FLEET", FleetNames.storeFleet(fleet));
        data.put("EDGE_S3_ENDPOINT", s.store.endpoint);
        data.put("EDGE_S3_REGION", s.store.regionOrDefault());
        data.put("EDGE_S3_BUCKET", s.store.bucket);
        data.put("EDGE_S3_PREFIX", FleetNames.storePrefix(fleet));
        data.put("EDGE_S3_PATH_STYLE", String.valueOf(!Boolean.FALSE.equals(s.store.pathStyle)));
        data.put("EDGE_PUBLIC_KEY_FILE", TRUST_DIR + "/" + TRUST_FILE);
        data.put("EDGE_DIALOG_KEY_FILE", DIALOG_DIR + "/" + KubernetesFleetSecrets.DIALOG_KEY);
        data.put("EDGE_DATA_DIR", DATA_DIR);
        if (s.stateVolume != null) {
            data.put("EDGE_STATE_DIR", STATE_DIR);
        }
        boolean ipv6 = s.service != null && s.service.usesIpv6();
        String any = ipv6 ? "[::]" : "0.0.0.0"; // [::] takes IPv4 too (as mapped addresses): dual stack
        data.put("EDGE_SIP_LISTEN", any + ":" + FleetNames.SIP_PORT);
        List<EdgeFleetSpec.Transport> callers = s.callerTransportsOrDefault();
        data.put("EDGE_CALLER_TRANSPORTS", String.join(",", callers.stream().map(Enum::name).toList()));
        if (s.tls != null) {
            EdgeFleetSpec.Tls t = s.tls;
            data.put("EDGE_TLS_LISTEN", any + ":" + t.portOrDefault());
            data.put("EDGE_TLS_CERT", TLS_DIR + "/tls.crt");
            data.put("EDGE_TLS_KEY", TLS_DIR + "/tls.key");
            data.put("EDGE_TLS_MIN_VERSION", t.minVersion == null ? "1.2" : t.minVersion);
            data.put("EDGE_TLS_VERIFY_CLIENTS", (t.verifyClients == null ? EdgeFleetSpec.ClientVerification.None : t.verifyClients)
                    .name().toLowerCase(java.util.Locale.ROOT));
            if (t.clientCA != null) {
                data.put("EDGE_TLS_CLIENT_CA", CLIENT_CA_DIR + "/" + t.clientCA.keyOrDefault());
            }
            data.put("EDGE_TLS_ADVERTISED_ADDRESS", t.advertisedAddress != null ? t.advertisedAddress
                    : hostOf(advertised(fleet)) + ":" + t.portOrDefault());
        }
        if (s.tls != null && s.tls.backendCA != null) {
            data.put("EDGE_TLS_BACKEND_CA", BACKEND_CA_DIR + "/" + s.tls.backendCA.keyOrDefault());
        }
        data.put("EDGE_ADMIN_DETAIL", String.valueOf(Boolean.TRUE.equals(s.adminDetail)));
        if (offersPlainSip(s)) {
            data.put("EDGE_ADVERTISED_ADDRESS", advertised(fleet));
        } // else the container's env names the pod itself: only backends use UDP/TCP, from inside the cluster
        if (s.protection != null) {
            data.put("EDGE_SCANNER_USER_AGENTS", s.protection.scannerUserAgents);
            data.put("EDGE_REQUIRE_RURI_MATCHES_TO", String.valueOf(!Boolean.FALSE.equals(s.protection.requireRequestUriMatchesTo)));
            if (s.protection.floodLimitPerSecond != null) {
                data.put("EDGE_FLOOD_LIMIT", String.valueOf(s.protection.floodLimitPerSecond));
            }
            if (s.protection.floodBanSeconds != null) {
                data.put("EDGE_FLOOD_BAN", s.protection.floodBanSeconds + "s");
            }
            if (s.protection.trustedSources != null && !s.protection.trustedSources.isEmpty()) {
                data.put("EDGE_FLOOD_EXEMPT", String.join(",", s.protection.trustedSources.stream().map(t -> t.cidr).toList()));
            }
            if (s.protection.tcpConnectionsPerSource != null) {
                data.put("EDGE_TCP_MAX_PER_SOURCE", String.valueOf(s.protection.tcpConnectionsPerSource));
            }
        }
        data.values().removeIf(v -> v == null);
        return new ConfigMapBuilder().withMetadata(meta(fleet, FleetNames.config(fleet))).withData(data).build();
    }

    /** What is wrong with the fleet's TLS Secret, if anything: the edges' pods cannot start without it. */
    static java.util.Optional<String> tlsSecretProblem(String name, io.fabric8.kubernetes.api.model.Secret secret) {
        if (secret == null) {
            return java.util.Optional.of("spec.tls.secretName names Secret " + name + ", which does not exist: the edge pods wait for it"
                    + " (a cert-manager Certificate writes it once issued).");
        }
        Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
        List<String> missing = java.util.stream.Stream.of("tls.crt", "tls.key").filter(k -> !data.containsKey(k)).toList();
        return missing.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of("Secret " + name + " has no "
                + String.join(" or ", missing) + ": it must be a kubernetes.io/tls Secret.");
    }

    /** What callers reach over UDP and TCP: the fleet's advertisedAddress, else the SIP Service. */
    static String advertised(EdgeFleet fleet) {
        String a = fleet.getSpec().advertisedAddress;
        return a != null ? a : FleetNames.edges(fleet) + "." + fleet.getMetadata().getNamespace() + ".svc:" + FleetNames.SIP_PORT;
    }

    static String hostOf(String hostPort) {
        if (hostPort.startsWith("[")) {
            return hostPort.substring(0, hostPort.indexOf(']') + 1);
        }
        int colon = hostPort.lastIndexOf(':');
        return colon < 0 || hostPort.indexOf(':') != colon ? hostPort : hostPort.substring(0, colon);
    }

    /** Whether callers may use UDP or TCP (else the fleet is TLS-only). */
    static boolean offersPlainSip(EdgeFleetSpec s) {
        List<EdgeFleetSpec.Transport> callers = s.callerTransportsOrDefault();
        return callers.contains(EdgeFleetSpec.Transport.udp) || callers.contains(EdgeFleetSpec.Transport.tcp);
    }

    static HasMetadata deployment(EdgeFleet fleet, Defaults defaults, String configHash) {
        return new DeploymentBuilder().withMetadata(meta(fleet, FleetNames.edges(fleet)))
                .withNewSpec()
                .withReplicas(fleet.getSpec().replicas == null ? 2 : fleet.getSpec().replicas)
                .withNewSelector().withMatchLabels(FleetNames.selectorLabels(fleet)).endSelector()
                // One edge at a time, never below the desired count: calls keep a live edge during a roll.
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxSurge(new IntOrString(1)).withMaxUnavailable(new IntOrString(0)).endRollingUpdate().endStrategy()
                .withTemplate(podTemplate(fleet, defaults, configHash))
                .endSpec().build();
    }

    static HasMetadata daemonSet(EdgeFleet fleet, Defaults defaults, String configHash) {
        return new DaemonSetBuilder().withMetadata(meta(fleet, FleetNames.edges(fleet)))
                .withNewSpec()
                .withNewSelector().withMatchLabels(FleetNames.selectorLabels(fleet)).endSelector()
                .withNewUpdateStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxUnavailable(new IntOrString(1)).endRollingUpdate().endUpdateStrategy()
                .withTemplate(podTemplate(fleet, defaults, configHash))
                .endSpec().build();
    }

    /** {@code configHash} in the pod template rolls the edges when their configuration (say, the public key) changes. */
    static PodTemplateSpec podTemplate(EdgeFleet fleet, Defaults defaults, String configHash) {
        boolean host = Boolean.TRUE.equals(fleet.getSpec().hostNetwork);
        PodSpec pod = new PodSpecBuilder()
                .withServiceAccountName(FleetNames.serviceAccount(fleet))
                .withAutomountServiceAccountToken(false)
                .withHostNetwork(host)
                .withDnsPolicy(host ? "ClusterFirstWithHostNet" : "ClusterFirst")
                .withTerminationGracePeriodSeconds(TERMINATION_GRACE_SECONDS)
                .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(65532L).withRunAsGroup(65532L)
                .withFsGroup(65532L).withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                .withContainers(container(fleet, defaults))
                .addNewVolume().withName("data").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewVolume().withName("trust").withNewConfigMap().withName(FleetNames.trust(fleet)).endConfigMap().endVolume()
                .addNewVolume().withName("dialog-key").withNewSecret().withSecretName(FleetNames.dialogKeySecret(fleet))
                .withDefaultMode(0440).endSecret().endVolume()
                .build();
        EdgeFleetSpec spec = fleet.getSpec();
        if (spec.tls != null) {
            pod.getVolumes().add(new VolumeBuilder().withName("tls").withNewSecret().withSecretName(spec.tls.secretName)
                    .withDefaultMode(0440).endSecret().build());
            mount(pod, "tls", TLS_DIR);
            if (spec.tls.clientCA != null) {
                pod.getVolumes().add(new VolumeBuilder().withName("client-ca").withNewSecret().withSecretName(spec.tls.clientCA.secretName)
                        .withDefaultMode(0440).endSecret().build());
                mount(pod, "client-ca", CLIENT_CA_DIR);
            }
            if (spec.tls.backendCA != null) {
                pod.getVolumes().add(new VolumeBuilder().withName("backend-ca").withNewSecret().withSecretName(spec.tls.backendCA.secretName)
                        .withDefaultMode(0440).endSecret().build());
                mount(pod, "backend-ca", BACKEND_CA_DIR);
            }
        }
        pod.setNodeSelector(spec.nodeSelector);
        pod.setTolerations(spec.tolerations);
        pod.setAffinity(spec.affinity != null ? spec.affinity : spreadOverNodes(fleet));
        EdgeFleetSpec.StateVolume state = fleet.getSpec().stateVolume;
        if (state != null) {
            pod.getVolumes().add(state.hostPath != null
                    ? new VolumeBuilder().withName("state").withNewHostPath().withPath(state.hostPath)
                    .withType("DirectoryOrCreate").endHostPath().build()
                    : new VolumeBuilder().withName("state").withNewPersistentVolumeClaim()
                    .withClaimName(state.persistentVolumeClaim).endPersistentVolumeClaim().build());
            pod.getContainers().get(0).getVolumeMounts().add(new VolumeMountBuilder().withName("state")
                    .withMountPath(STATE_DIR).build());
        }
        return new PodTemplateSpecBuilder()
                .withNewMetadata().withLabels(FleetNames.labels(fleet))
                // The admin port's /metrics, for Prometheus setups that scrape by annotation (the chart's
                // edge PodMonitor is the Prometheus Operator way); the fleet's NetworkPolicy decides who may.
                .withAnnotations(Map.of(FleetNames.ANNOTATION_CONFIG_HASH, configHash, "prometheus.io/scrape", "true",
                        "prometheus.io/port", String.valueOf(FleetNames.ADMIN_PORT), "prometheus.io/path", "/metrics"))
                .endMetadata()
                .withSpec(pod).build();
    }

    private static void mount(PodSpec pod, String volume, String dir) {
        pod.getContainers().get(0).getVolumeMounts().add(new VolumeMountBuilder().withName(volume).withMountPath(dir)
                .withReadOnly(true).build());
    }

    /** Edges on different nodes when the scheduler can: one node lost is one edge lost. */
    static io.fabric8.kubernetes.api.model.Affinity spreadOverNodes(EdgeFleet fleet) {
        return new io.fabric8.kubernetes.api.model.AffinityBuilder().withNewPodAntiAffinity()
                .addNewPreferredDuringSchedulingIgnoredDuringExecution().withWeight(100).withNewPodAffinityTerm()
                .withTopologyKey("kubernetes.io/hostname").withNewLabelSelector().withMatchLabels(FleetNames.selectorLabels(fleet))
                .endLabelSelector().endPodAffinityTerm().endPreferredDuringSchedulingIgnoredDuringExecution()
                .endPodAntiAffinity().build();
    }

    static Container container(EdgeFleet fleet, Defaults defaults) {
        EdgeFleetSpec s = fleet.getSpec();
        // Edges get their own least-privilege credential when the fleet names one (read, write own reports).
        String creds = s.store.edgeCredentialsSecretRef != null ? s.store.edgeCredentialsSecretRef
                : s.store.credentialsSecretRef;
        List<EnvVar> env = new ArrayList<>(List.of(
                new EnvVarBuilder().withName("EDGE_ID").withNewValueFrom().withNewFieldRef().withFieldPath("metadata.name")
                        .endFieldRef().endValueFrom().build(),
                // The admin port binds the pod's own address (the node's with hostNetwork), never 0.0.0.0.
                new EnvVarBuilder().withName("POD_IP").withNewValueFrom().withNewFieldRef().withFieldPath("status.podIP")
                        .endFieldRef().endValueFrom().build(),
                new EnvVarBuilder().withName("EDGE_ADMIN_LISTEN").withValue("$(POD_IP):" + FleetNames.ADMIN_PORT).build(),
                // Path names this pod alone: the registrar's requests for a phone reach the edge holding its
                // connection, not whichever edge the Service picks
                new EnvVarBuilder().withName("EDGE_PATH_ADDRESS").withValue("$(POD_IP):" + FleetNames.SIP_PORT).build(),
                secretEnv("AWS_ACCESS_KEY_ID", creds, KubernetesFleetSecrets.ACCESS_KEY_ID),
                secretEnv("AWS_SECRET_ACCESS_KEY", creds, KubernetesFleetSecrets.SECRET_ACCESS_KEY)));
        if (!offersPlainSip(s)) {
            // TLS-only: UDP and TCP serve the backends alone, which reach this pod directly
            env.add(new EnvVarBuilder().withName("EDGE_ADVERTISED_ADDRESS").withValue("$(POD_IP):" + FleetNames.SIP_PORT).build());
        }
        ContainerBuilder c = new ContainerBuilder()
                .withName("edge")
                .withImage(s.image == null || s.image.isBlank() ? defaults.edgeImage() : s.image)
                .withEnv(env)
                .addNewEnvFrom().withNewConfigMapRef().withName(FleetNames.config(fleet)).endConfigMapRef().endEnvFrom()
                .addNewPort().withName("sip-udp").withContainerPort(FleetNames.SIP_PORT).withProtocol("UDP").endPort()
                .addNewPort().withName("sip-tcp").withContainerPort(FleetNames.SIP_PORT).withProtocol("TCP").endPort()
                .addNewPort().withName("admin").withContainerPort(FleetNames.ADMIN_PORT).withProtocol("TCP").endPort();
        if (s.tls != null) {
            c.addNewPort().withName("sip-tls").withContainerPort(s.tls.portOrDefault()).withProtocol("TCP").endPort();
        }
        return c
                .withNewReadinessProbe().withNewHttpGet().withPath("/readyz").withPort(new IntOrString("admin")).endHttpGet()
                .withPeriodSeconds(2).withFailureThreshold(2).endReadinessProbe()
                .withNewLivenessProbe().withNewHttpGet().withPath("/healthz").withPort(new IntOrString("admin")).endHttpGet()
                .withPeriodSeconds(10).withFailureThreshold(3).endLivenessProbe()
                .withResources(resources(s.resources))
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withRunAsNonRoot(true).withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                .addNewVolumeMount().withName("data").withMountPath(DATA_DIR).endVolumeMount()
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                .addNewVolumeMount().withName("trust").withMountPath(TRUST_DIR).withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("dialog-key").withMountPath(DIALOG_DIR).withReadOnly(true).endVolumeMount()
                .build();
    }

    /** The fleet's resources, else a 256 MiB heap's worth (docs/benchmarks.md: about 500 calls/s). */
    static ResourceRequirements resources(ResourceRequirements requested) {
        if (requested != null) {
            return requested;
        }
        return new ResourceRequirementsBuilder()
                .withRequests(Map.of("cpu", new Quantity("500m"), "memory", new Quantity("384Mi")))
                .withLimits(Map.of("memory", new Quantity("384Mi"))).build();
    }

    private static EnvVar secretEnv(String name, String secret, String key) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef().withName(secret).withKey(key)
                .endSecretKeyRef().endValueFrom().build();
    }

    /**
     * SIP from anywhere; the admin port only from the operator's namespace and the monitoring namespace
     * (with hostNetwork most network plugins do not apply policies: the admin port then binds the node's
     * address, see docs/operations.md).
     */
    static NetworkPolicy networkPolicy(EdgeFleet fleet, Defaults defaults) {
        List<NetworkPolicyPeer> admins = defaults.adminClients().stream().sorted()
                .map(ns -> new NetworkPolicyPeerBuilder().withNewNamespaceSelector()
                        .addToMatchLabels("kubernetes.io/metadata.name", ns).endNamespaceSelector().build())
                .toList();
        return new NetworkPolicyBuilder().withMetadata(meta(fleet, FleetNames.edges(fleet)))
                .withNewSpec()
                .withNewPodSelector().withMatchLabels(FleetNames.selectorLabels(fleet)).endPodSelector()
                .withPolicyTypes("Ingress")
                .addNewIngress()
                .withPorts(sipPolicyPorts(fleet))
                .endIngress()
                .addNewIngress()
                .withFrom(admins)
                .addNewPort().withProtocol("TCP").withPort(new IntOrString(FleetNames.ADMIN_PORT)).endPort()
                .endIngress()
                .endSpec().build();
    }

    /** SIP from anywhere on every SIP port the edge binds (UDP/TCP also carry the backends of a TLS-only fleet). */
    private static List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort> sipPolicyPorts(EdgeFleet fleet) {
        List<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort> ports = new ArrayList<>();
        ports.add(new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder().withProtocol("UDP")
                .withPort(new IntOrString(FleetNames.SIP_PORT)).build());
        ports.add(new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder().withProtocol("TCP")
                .withPort(new IntOrString(FleetNames.SIP_PORT)).build());
        if (fleet.getSpec().tls != null) {
            ports.add(new io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder().withProtocol("TCP")
                    .withPort(new IntOrString(fleet.getSpec().tls.portOrDefault())).build());
        }
        return ports;
    }

    /**
     * The callers' Service: only the transports they may use, of the type the fleet asks for. Outside
     * the cluster, traffic stays on the node that got it (externalTrafficPolicy Local) unless the fleet
     * says otherwise: SIP needs every caller's real address.
     */
    static Service sipService(EdgeFleet fleet) {
        EdgeFleetSpec s = fleet.getSpec();
        EdgeFleetSpec.SipService svc = s.service == null ? new EdgeFleetSpec.SipService() : s.service;
        List<EdgeFleetSpec.Transport> callers = s.callerTransportsOrDefault();
        ObjectMeta meta = meta(fleet, FleetNames.edges(fleet));
        if (svc.annotations != null && !svc.annotations.isEmpty()) {
            meta.setAnnotations(new LinkedHashMap<>(svc.annotations));
        }
        io.fabric8.kubernetes.api.model.ServiceSpecBuilder spec = new io.fabric8.kubernetes.api.model.ServiceSpecBuilder()
                .withType((svc.type == null ? EdgeFleetSpec.ServiceType.ClusterIP : svc.type).name())
                .withSelector(FleetNames.selectorLabels(fleet))
                // SIP dialogs are not pinned by the proxy (Record-Route carries the advertised address), but
                // keeping a caller on one edge keeps its retransmissions on the transaction that has them.
                .withSessionAffinity("ClientIP");
        if (callers.contains(EdgeFleetSpec.Transport.udp)) {
            spec.addNewPort().withName("sip-udp").withPort(FleetNames.SIP_PORT).withTargetPort(new IntOrString("sip-udp"))
                    .withProtocol("UDP").endPort();
        }
        if (callers.contains(EdgeFleetSpec.Transport.tcp)) {
            spec.addNewPort().withName("sip-tcp").withPort(FleetNames.SIP_PORT).withTargetPort(new IntOrString("sip-tcp"))
                    .withProtocol("TCP").endPort();
        }
        if (callers.contains(EdgeFleetSpec.Transport.tls) && s.tls != null) {
            spec.addNewPort().withName("sip-tls").withPort(s.tls.portOrDefault()).withTargetPort(new IntOrString("sip-tls"))
                    .withProtocol("TCP").endPort();
        }
        EdgeFleetSpec.TrafficPolicy policy = svc.externalTrafficPolicyOrDefault();
        if (policy != null) {
            spec.withExternalTrafficPolicy(policy.name());
        }
        if (svc.loadBalancerSourceRanges != null && !svc.loadBalancerSourceRanges.isEmpty()) {
            spec.withLoadBalancerSourceRanges(svc.loadBalancerSourceRanges);
        }
        if (svc.ipFamilyPolicy != null) {
            spec.withIpFamilyPolicy(svc.ipFamilyPolicy.name());
        }
        if (svc.ipFamilies != null && !svc.ipFamilies.isEmpty()) {
            spec.withIpFamilies(svc.ipFamilies.stream().map(Enum::name).toList());
        }
        return new ServiceBuilder().withMetadata(meta).withSpec(spec.build()).build();
    }

    static Service adminService(EdgeFleet fleet) {
        return new ServiceBuilder().withMetadata(meta(fleet, FleetNames.adminService(fleet)))
                .withNewSpec()
                .withClusterIP("None")
                .withSelector(FleetNames.selectorLabels(fleet))
                .withPublishNotReadyAddresses(true)
                .addNewPort().withName("admin").withPort(FleetNames.ADMIN_PORT).withTargetPort(new IntOrString("admin"))
                .withProtocol("TCP").endPort()
                .endSpec().build();
    }

    static HasMetadata disruptionBudget(EdgeFleet fleet) {
        return new PodDisruptionBudgetBuilder().withMetadata(meta(fleet, FleetNames.disruptionBudget(fleet)))
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector().withMatchLabels(FleetNames.selectorLabels(fleet)).endSelector()
                .endSpec().build();
    }
}
