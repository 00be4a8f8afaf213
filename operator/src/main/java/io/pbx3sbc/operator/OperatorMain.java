package io.pbx3sbc.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.pbx3sbc.operator.admin.AdminServer;
import io.pbx3sbc.operator.admin.OperatorMetrics;
import io.pbx3sbc.operator.edgefleet.ChangeCoalescer;
import io.pbx3sbc.operator.edgefleet.EdgeFleetReconciler;
import io.pbx3sbc.operator.edgefleet.EdgeWorkloads;
import io.pbx3sbc.operator.events.KubernetesEventRecorder;
import io.pbx3sbc.operator.publish.FleetNudger;
import io.pbx3sbc.operator.publish.KubernetesFleetSecrets;
import io.pbx3sbc.operator.publish.StoreConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/** Wires the operator: configuration from the environment, one reconciler, leader election, admin HTTP. */
public final class OperatorMain {
    private static final Logger LOG = LoggerFactory.getLogger(OperatorMain.class);
    /** Changes quieter than this are one burst, compiled into one version. */
    static final Duration COALESCE_QUIET = Duration.ofMillis(150);
    static final Duration COALESCE_MAX_WAIT = Duration.ofSeconds(2);

    private OperatorMain() {
    }

    public static void main(String[] args) throws Exception {
        OperatorConfig config;
        try {
            config = OperatorConfig.fromEnvironment(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("pbx3sbc-operator: " + e.getMessage());
            System.exit(2);
            return;
        }
        KubernetesClient client = new KubernetesClientBuilder().build();
        Running running = start(client, config);
        Runtime.getRuntime().addShutdownHook(new Thread(running::stop, "operator-shutdown"));
        LOG.info("pbx3sbc-operator {} started (namespaces: {}, leader election: {}, admin on {}:{})",
                OperatorConfig.version(), config.watchNamespaces().isEmpty() ? "all" : config.watchNamespaces(),
                config.leaderElection(), config.adminHost(), running.admin.port());
    }

    /** A started operator and its admin server; {@link #stop()} stops both. */
    public record Running(Operator operator, EdgeFleetReconciler reconciler, AdminServer admin, StoreConnector stores,
                          OperatorMetrics metrics, AtomicBoolean stopping) {
        public void stop() {
            stopping.set(true); // giving up the lease now is expected, not a reason to exit
            operator.stop();
            reconciler.close();
            admin.close();
            stores.close();
        }
    }

    /** Another replica may publish now: never keep reconciling without the lease. */
    private static void stoppedLeading(AtomicBoolean stopping) {
        if (!stopping.get()) {
            LOG.error("lost the leader lease; exiting so that only the leader publishes");
            new Thread(() -> System.exit(1), "exit-on-lost-lease").start();
        }
    }

    /** The operator's own namespace and the configured ones (monitoring) may reach the edges' admin port. */
    private static java.util.Set<String> adminClients(OperatorConfig config) {
        java.util.Set<String> out = new java.util.TreeSet<>(config.edgeAdminClients());
        out.add(config.leaseNamespace());
        return out;
    }

    /**
     * This replica's term. A newer term seen in the store or the edges' reports is adopted only while this
     * replica holds the lease (without leader election it runs alone by configuration, and always adopts).
     */
    private static io.pbx3sbc.operator.publish.LeadershipTerm leadershipTerm(KubernetesClient client, OperatorConfig config,
                                                                            java.util.concurrent.atomic.AtomicLong epoch) {
        return new io.pbx3sbc.operator.publish.LeadershipTerm() {
            @Override
            public long epoch() {
                return epoch.get();
            }

            @Override
            public long adopt(long seen) {
                if (config.leaderElection() && !holdsLease(client, config)) {
                    LOG.warn("a newer leadership term ({}) wrote the release pointer and this replica does not hold the"
                            + " lease: keeping term {}, which edges refuse", seen, epoch.get());
                    return epoch.get();
                }
                long adopted = epoch.accumulateAndGet(seen, Math::max);
                LOG.warn("a release pointer of a newer term ({}) was written by a replica not holding the lease;"
                        + " this leader continues from it", seen);
                return adopted;
            }
        };
    }

    private static boolean holdsLease(KubernetesClient client, OperatorConfig config) {
        try {
            var lease = client.leases().inNamespace(config.leaseNamespace()).withName(config.leaseName()).get();
            return lease != null && lease.getSpec() != null && config.identity().equals(lease.getSpec().getHolderIdentity());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** When this replica acquired the lease (epoch millis), read back from the Lease; now when unreadable. */
    private static long leaseAcquired(KubernetesClient client, OperatorConfig config) {
        try {
            var lease = client.leases().inNamespace(config.leaseNamespace()).withName(config.leaseName()).get();
            var acquired = lease == null || lease.getSpec() == null ? null : lease.getSpec().getAcquireTime();
            return acquired == null ? System.currentTimeMillis() : acquired.toInstant().toEpochMilli();
        } catch (RuntimeException e) {
            LOG.warn("cannot read the leader lease back ({}); the term is the time of acquisition here", e.toString());
            return System.currentTimeMillis();
        }
    }

    public static Running start(KubernetesClient client, OperatorConfig config) throws Exception {
        return start(client, config, o -> { });
    }

    /** @param overrides extra JOSDK settings (tests against the mock server turn server-side apply off) */
    public static Running start(KubernetesClient client, OperatorConfig config,
                                Consumer<io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider> overrides)
            throws Exception {
        OperatorMetrics metrics = new OperatorMetrics();
        StoreConnector stores = new StoreConnector();
        AtomicBoolean stopping = new AtomicBoolean();
        // The release pointers this replica signs carry its leadership term; without leader election, its start.
        java.util.concurrent.atomic.AtomicLong leadershipEpoch = new java.util.concurrent.atomic.AtomicLong(System.currentTimeMillis());
        Operator operator = new Operator(o -> {
            o.withKubernetesClient(client).withMetrics(metrics).withCloseClientOnStop(false)
                    .withStopOnInformerErrorDuringStartup(true).withCacheSyncTimeout(Duration.ofMinutes(2));
            if (config.leaderElection()) {
                o.withLeaderElectionConfiguration(LeaderElectionConfigurationBuilder
                        .aLeaderElectionConfiguration(config.leaseName())
                        .withLeaseNamespace(config.leaseNamespace())
                        .withIdentity(config.identity())
                        // JOSDK's own exit on losing the lease would call System.exit inside our shutdown hook
                        // (a deadlock); we exit ourselves, unless we are the ones shutting down.
                        .withExitOnStopLeading(false)
                        .withLeaderCallbacks(new LeaderCallbacks(
                                () -> {
                                    leadershipEpoch.set(leaseAcquired(client, config));
                                    LOG.info("leading: this replica ({}) reconciles and publishes (term {})",
                                            config.identity(), leadershipEpoch.get());
                                },
                                () -> stoppedLeading(stopping),
                                leader -> LOG.info("leader is {}", leader)))
                        .build());
            }
            overrides.accept(o);
        });
        EdgeFleetReconciler reconciler = new EdgeFleetReconciler(new EdgeFleetReconciler.Dependencies(
                new KubernetesFleetSecrets(client), stores, new KubernetesEventRecorder(client), metrics,
                new ChangeCoalescer(COALESCE_QUIET, COALESCE_MAX_WAIT, System::nanoTime),
                new EdgeWorkloads.Defaults(config.edgeImage(), adminClients(config)), config.admission(), config.workDir(),
                Clock.systemUTC(), leadershipTerm(client, config, leadershipEpoch), config.nudges() ? new FleetNudger() : null));
        metrics.statusWritesPending(reconciler::statusWritesPending);
        operator.register(reconciler, c -> {
            if (!config.watchNamespaces().isEmpty()) {
                c.settingNamespaces(config.watchNamespaces());
            }
        });
        AdminServer admin = new AdminServer(config.adminHost(), config.adminPort(),
                () -> operator.getRuntimeInfo().allEventSourcesAreHealthy(),
                () -> operator.getRuntimeInfo().isStarted(), metrics::render);
        operator.start();
        return new Running(operator, reconciler, admin, stores, metrics, stopping);
    }
}
