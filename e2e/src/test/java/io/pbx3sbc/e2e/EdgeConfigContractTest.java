package io.pbx3sbc.e2e;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.pbx3sbc.edge.EdgeConfig;
import io.pbx3sbc.edge.HostPort;
import io.pbx3sbc.edge.sip.transport.Peer;
import io.pbx3sbc.edge.sip.transport.TlsContexts;
import io.pbx3sbc.operator.api.v1alpha1.EdgeFleet;
import io.pbx3sbc.operator.edgefleet.EdgeWorkloads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator's side and the edge's side of one contract: the environment the operator renders for an
 * edge pod (its ConfigMap plus the container's own variables) is what the edge parses, for the TLS-only
 * LoadBalancer sample fleet. A renamed variable on either side fails here, not in a cluster.
 */
class EdgeConfigContractTest {
    @TempDir
    Path dir;

    @Test
    void theTlsSampleFleetsEdgeEnvironmentParsesIntoATlsOnlyEdge() throws Exception {
        EdgeFleet fleet = new KubernetesSerialization().unmarshal(
                Files.readString(Path.of("../config/samples/pbx3sbc_v1alpha1_edgefleet_tls.yaml")), EdgeFleet.class);
        fleet.getMetadata().setUid("uid-1");
        List<HasMetadata> objects = EdgeWorkloads.desired(fleet, List.of("MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE="),
                new EdgeWorkloads.Defaults("edge:test"));
        ConfigMap config = objects.stream().filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast)
                .filter(c -> c.getData().containsKey("EDGE_FLEET")).findFirst().orElseThrow();
        Deployment deployment = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).findFirst().orElseThrow();

        // what the kubelet would hand the container: the ConfigMap, then its own variables ($(VAR) expanded)
        Map<String, String> env = new HashMap<>(config.getData());
        env.put("POD_IP", "10.244.1.7");
        for (EnvVar e : deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
            if (e.getValue() != null) {
                env.put(e.getName(), e.getValue().replace("$(POD_IP)", "10.244.1.7"));
            }
        }
        env.put("AWS_ACCESS_KEY_ID", "edge");
        env.put("AWS_SECRET_ACCESS_KEY", "edge-secret");
        // the trust ConfigMap's volume, as a file here
        Path keys = dir.resolve("trusted-keys");
        Files.writeString(keys, "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n");
        env.put("EDGE_PUBLIC_KEY_FILE", keys.toString());

        EdgeConfig edge = EdgeConfig.parse(new String[0], env);
        assertThat(edge.fleet().name()).isEqualTo(fleet.getMetadata().getName());
        assertThat(edge.tls().listen()).isEqualTo(new HostPort("0.0.0.0", 5061));
        assertThat(edge.tls().callerTransports()).isEqualTo(Set.of(Peer.Transport.TLS));
        assertThat(edge.tls().advertised()).as("phones reach the load balancer's name").isEqualTo(new HostPort("sip.example.com", 5061));
        assertThat(edge.advertised()).as("backends reach the pod itself").isEqualTo(new HostPort("10.244.1.7", 5060));
        assertThat(edge.pathAddress()).as("a registrar's requests for a phone reach this pod").isEqualTo(new HostPort("10.244.1.7", 5060));
        assertThat(edge.tls().settings().certificate()).isEqualTo(Path.of("/etc/pbx3sbc/tls/tls.crt"));
        assertThat(edge.tls().settings().key()).isEqualTo(Path.of("/etc/pbx3sbc/tls/tls.key"));
        assertThat(edge.tls().settings().clientAuth()).isEqualTo(TlsContexts.ClientAuth.NONE);
        assertThat(edge.tls().settings().minVersion()).isEqualTo("1.2");
    }
}
