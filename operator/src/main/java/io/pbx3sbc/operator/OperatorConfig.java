package io.pbx3sbc.operator;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's configuration, from the environment (the Helm chart sets it).
 *
 * @param watchNamespaces  namespaces to watch; empty means all (WATCH_NAMESPACES, comma separated)
 * @param adminHost        address of /healthz, /readyz and /metrics (OPERATOR_ADMIN_LISTEN host part)
 * @param adminPort        its port (default 8080)
 * @param leaderElection   run as one of several replicas with a Lease (LEADER_ELECTION, default true)
 * @param leaseName        the Lease's name (LEASE_NAME)
 * @param leaseNamespace   the Lease's namespace (LEASE_NAMESPACE, else POD_NAMESPACE, else default)
 * @param identity         this replica's name in the Lease (POD_NAME, else the host name)
 * @param edgeImage        image for edges of fleets that name none (EDGE_IMAGE)
 * @param workDir          scratch space for building versions (WORK_DIR)
 * @param edgeAdminClients namespaces allowed to reach the edges' admin port besides the operator's own
 *                         (EDGE_ADMIN_CLIENT_NAMESPACES, comma separated: the monitoring namespace)
 * @param admission        edge images allowed (EDGE_IMAGE_ALLOWLIST, comma separated prefixes; default the
 *                         default image's repository) and namespaces where fleets may use the host network
 *                         (HOST_NETWORK_NAMESPACES, comma separated, {@code *} for any; default none)
 * @param nudges           tell the edges to look at once when the release pointer changes (OPERATOR_NUDGES,
 *                         default true); false leaves them to their slow poll (the bench's "nudges blocked")
 */
public record OperatorConfig(Set<String> watchNamespaces, String adminHost, int adminPort, boolean leaderElection,
                             String leaseName, String leaseNamespace, String identity, String edgeImage, Path workDir,
                             Set<String> edgeAdminClients, io.pbx3sbc.operator.edgefleet.AdmissionRules admission,
                             boolean nudges) {

    /** The defaults of the environment form for what is not given: only the edge image's repository, no host network. */
    public OperatorConfig(Set<String> watchNamespaces, String adminHost, int adminPort, boolean leaderElection,
                          String leaseName, String leaseNamespace, String identity, String edgeImage, Path workDir) {
        this(watchNamespaces, adminHost, adminPort, leaderElection, leaseName, leaseNamespace, identity, edgeImage, workDir,
                Set.of(), new io.pbx3sbc.operator.edgefleet.AdmissionRules(List.of(repository(edgeImage)), Set.of()), true);
    }

    /** {@code registry/edge-runtime:} of {@code registry/edge-runtime:1.2}: every tag of the default image. */
    static String repository(String image) {
        int colon = image.lastIndexOf(':');
        return colon > image.lastIndexOf('/') ? image.substring(0, colon + 1) : image;
    }

    public static OperatorConfig fromEnvironment(Map<String, String> env) {
        String listen = env.getOrDefault("OPERATOR_ADMIN_LISTEN", "0.0.0.0:8080");
        int colon = listen.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("OPERATOR_ADMIN_LISTEN must be host:port, got '" + listen + "'");
        }
        int port;
        try {
            port = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("OPERATOR_ADMIN_LISTEN port is not a number: '" + listen + "'");
        }
        Set<String> namespaces = Arrays.stream(env.getOrDefault("WATCH_NAMESPACES", "").split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
        String identity = env.getOrDefault("POD_NAME", env.getOrDefault("HOSTNAME", "pbx3sbc-operator-" + ProcessHandle.current().pid()));
        String edgeImage = env.getOrDefault("EDGE_IMAGE", "ghcr.io/pbx3sbc/edge-runtime:" + version());
        List<String> images = list(env.getOrDefault("EDGE_IMAGE_ALLOWLIST", repository(edgeImage)));
        return new OperatorConfig(namespaces, listen.substring(0, colon), port,
                !"false".equalsIgnoreCase(env.getOrDefault("LEADER_ELECTION", "true")),
                env.getOrDefault("LEASE_NAME", "pbx3sbc-operator"),
                env.getOrDefault("LEASE_NAMESPACE", env.getOrDefault("POD_NAMESPACE", "default")),
                identity, edgeImage,
                Path.of(env.getOrDefault("WORK_DIR", System.getProperty("java.io.tmpdir") + "/pbx3sbc-operator")),
                Set.copyOf(list(env.getOrDefault("EDGE_ADMIN_CLIENT_NAMESPACES", ""))),
                new io.pbx3sbc.operator.edgefleet.AdmissionRules(images,
                        Set.copyOf(list(env.getOrDefault("HOST_NETWORK_NAMESPACES", "")))),
                !"false".equalsIgnoreCase(env.getOrDefault("OPERATOR_NUDGES", "true")));
    }

    private static List<String> list(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(s -> !s.isEmpty()).distinct().toList();
    }

    static String version() {
        String v = OperatorConfig.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
