package io.pbx3sbc.edge;

import io.pbx3sbc.edge.admin.AdminServer;
import io.pbx3sbc.edge.admin.AdminServer.Readiness;
import io.pbx3sbc.edge.admin.EdgeMetrics;
import io.pbx3sbc.edge.admin.Scrape;
import io.pbx3sbc.edge.dispatch.DestinationStats;
import io.pbx3sbc.edge.dispatch.HealthTracker;
import io.pbx3sbc.edge.dispatch.OptionsProber;
import io.pbx3sbc.edge.dns.BackendResolver;
import io.pbx3sbc.edge.dns.DnsJavaClient;
import io.pbx3sbc.edge.routing.ActiveTable;
import io.pbx3sbc.edge.routing.Backend;
import io.pbx3sbc.edge.routing.BackendSet;
import io.pbx3sbc.edge.routing.DestinationSelector;
import io.pbx3sbc.edge.routing.ProtectionPolicy;
import io.pbx3sbc.edge.routing.RateLimiter;
import io.pbx3sbc.edge.routing.Router;
import io.pbx3sbc.edge.routing.RoutingTable;
import io.pbx3sbc.edge.sip.DialogTokens;
import io.pbx3sbc.edge.sip.FloodGuard;
import io.pbx3sbc.edge.sip.MessageCodec;
import io.pbx3sbc.edge.sip.RelayEngine;
import io.pbx3sbc.edge.sip.SelfAddress;
import io.pbx3sbc.edge.sip.SipCore;
import io.pbx3sbc.edge.sip.transport.FastCurves;
import io.pbx3sbc.edge.sip.transport.TcpTransport;
import io.pbx3sbc.edge.sip.transport.TlsContexts;
import io.pbx3sbc.edge.update.NudgeReceiver;
import io.pbx3sbc.edge.update.RoutingUpdater;
import io.pbx3sbc.edge.update.S3VersionSource;
import io.pbx3sbc.routingdb.InvalidRoutingDbException;
import io.pbx3sbc.routingdb.RoutingDb;
import io.pbx3sbc.routingdb.RoutingDbValidator;
import io.pbx3sbc.routingdb.manifest.EdgeReport;
import io.pbx3sbc.routingdb.manifest.Json;
import io.pbx3sbc.routingdb.store.FleetLayout;
import io.pbx3sbc.routingdb.store.LitestreamRestore;
import io.pbx3sbc.routingdb.model.DestinationState;
import io.pbx3sbc.routingdb.store.S3ObjectStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One running edge: the routing table, the SIP endpoint and proxy, the prober and the admin port,
 * wired by hand. {@link #start} returns once SIP listens and the table is loaded; {@link #drain} then
 * {@link #close} is the SIGTERM path.
 */
public final class Edge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Edge.class);
    /** A Secret volume changes the key files in place (within about a minute): read them this often. */
    private static final long DIALOG_KEY_RELOAD_MILLIS = 10_000;
    /** Poll interval while a candidate is pending (staged, or its restore retried). */
    static final long STAGED_POLL_MILLIS = 1000;

    private final EdgeConfig config;
    private final ActiveTable tables = new ActiveTable();
    private final HealthTracker health = new HealthTracker();
    private final DestinationStats stats = new DestinationStats();
    private final EdgeMetrics metrics = new EdgeMetrics();
    private final ScheduledExecutorService timers;
    private final Instant started = Instant.now();
    private SipCore sip;
    private TlsContexts tls;
    private DialogTokens tokens;
    private BackendResolver resolver;
    private RelayEngine proxy;
    private OptionsProber prober;
    private AdminServer admin;
    private S3ObjectStore store;
    private RoutingUpdater updater;
    private ScheduledExecutorService updates;
    /** Fleet mode: the operator's signed "look now" on the admin port; null otherwise. */
    private NudgeReceiver nudges;

    private Edge(EdgeConfig config) {
        this.config = config;
        AtomicInteger n = new AtomicInteger();
        java.util.concurrent.ScheduledThreadPoolExecutor pool = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "edge-timers-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // Most fr timers are cancelled by an answer; a cancelled 30 s fr_inv timer must not keep its call alive.
        pool.setRemoveOnCancelPolicy(true);
        this.timers = pool;
    }

    public static Edge start(EdgeConfig config) throws Exception {
        Edge edge = new Edge(config);
        try {
            if (config.routingDb() != null) {
                edge.load(config.routingDb());
                edge.startSip();
            } else {
                // The admin port answers (not ready, and why) while the first version is restored: a slow or
                // hung restore must not look like a dead process to the liveness probe.
                edge.prepareFleetUpdates(config.fleet());
                edge.startSip();
                edge.startFleetUpdates(config.fleet());
            }
            return edge;
        } catch (Exception e) {
            edge.close();
            throw e;
        }
    }

    /** Validates a routing.db and makes it active; a bad file throws and the active table stays. */
    public RoutingTable load(java.nio.file.Path file) throws InvalidRoutingDbException {
        RoutingDb db = new RoutingDbValidator().validate(file);
        RoutingTable table = RoutingTable.from(db);
        if (tables.activate(table)) {
            LOG.info("routing table active: version {} ({} domains, sha256 {})", table.version(), table.tenantCount(),
                    table.contentSha256().substring(0, 12));
        }
        return table;
    }

    /**
     * Fleet mode: the active version from the store (or the last known good copy), then a poll of the
     * release pointer, all on the updater's own thread, so a slow restore never delays SIP timers or the
     * admin port.
     */
    private void prepareFleetUpdates(EdgeConfig.Fleet fleet) throws java.io.IOException {
        store = new S3ObjectStore(fleet.store());
        LitestreamRestore litestream = new LitestreamRestore(fleet.litestream(), fleet.store(), fleet.dataDir().resolve("tmp"),
                fleet.restoreTimeout());
        updater = new RoutingUpdater(new S3VersionSource(store, new FleetLayout(fleet.name()), litestream, config.edgeId()),
                tables, fleet.trustedKeys(), fleet.name(), fleet.dataDir(), fleet.stateDir(), config.edgeId(), fleet.heartbeat(),
                Clock.systemUTC(), this::destinationReports);
        nudges = new NudgeReceiver(fleet.name(), fleet.trustedKeys(), Clock.systemUTC(), updater::tick, () -> {
            byte[] report = updater.lastReportJson();
            return report == null ? "{}" : new String(report, java.nio.charset.StandardCharsets.UTF_8);
        });
    }

    private void startFleetUpdates(EdgeConfig.Fleet fleet) {
        updates = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "routing-updater");
            t.setDaemon(true);
            return t;
        });
        updates.execute(() -> {
            try {
                updater.start();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.error("loading the first routing version failed; polling goes on", e);
            }
        });
        nudges.start(updates);
        scheduleNextPoll(fleet.pollInterval().toMillis());
        // Destination health changes go out within a second, whatever the poll interval.
        updates.scheduleWithFixedDelay(updater::reportChanges, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Polls the release pointer every {@code --poll-interval}, or every second while a candidate is
     * pending here (staged and waiting for its promotion, or its restore retried): a promotion, or a
     * rejection after the restore attempts, must not wait a whole slow interval each step (the operator
     * gives a candidate {@code deadlineSeconds} to be staged).
     */
    private void scheduleNextPoll(long every) {
        long next = updater.candidatePending() ? Math.min(every, STAGED_POLL_MILLIS) : every;
        try {
            updates.schedule(() -> {
                try {
                    updater.tick();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    LOG.error("routing update failed; the active table keeps routing", e);
                }
                scheduleNextPoll(every);
            }, next, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("polling stopped: {}", e.toString());
        }
    }

    private void startSip() throws Exception {
        EdgeConfig.Protection p = config.protection();
        FloodGuard guard = new FloodGuard(p.floodLimit(), p.floodBan().toMillis(), 100_000, System::currentTimeMillis);
        var trusted = SipCore.cidrs(p.floodExempt());
        // the tenants' backends answer every call: never counted (a forged backend source still meets the signed-route checks)
        guard.exemptWhen(a -> trusted.apply(a) || isDestination(a));
        EdgeConfig.Tls t = config.tls();
        FastCurves.install();
        tls = TlsContexts.load(t.settings());
        if (t.settings().serves()) {
            tls.watch(t.reloadInterval().toMillis());
            LOG.info("TLS certificate loaded from {}: expires {}", t.settings().certificate(), tls.certificateNotAfter());
        }
        sip = SipCore.bind(config.sipListen(), t.listen(), tls, t.callerTransports(), guard, new TcpTransport.Limits(p.tcpMaxConnections(),
                p.tcpMaxPerSource(), p.maxMessageBytes(), p.tcpReadTimeout().toMillis(), p.tcpIdleTimeout().toMillis(), 1 << 20));
        if (p.dialogKeyFile() != null) {
            tokens = DialogTokens.fromFile(p.dialogKeyFile());
            tokens.watch(DIALOG_KEY_RELOAD_MILLIS);
            LOG.info("dialog keys from {}: {}", p.dialogKeyFile(), tokens.describeKeys());
        } else {
            tokens = DialogTokens.random();
            LOG.warn("no --dialog-key-file: Via branches and Record-Route are signed with a key of this process only; "
                    + "dialogs cannot move to another edge or survive a restart");
        }
        HostPort tlsListen = t.listen() == null ? null : new HostPort(t.listen().host(), sip.tlsPort());
        HostPort tlsAdvertised = t.advertised() == null ? null
                : new HostPort(t.advertised().host(), t.listen().port() == 0 ? sip.tlsPort() : t.advertised().port());
        SelfAddress self = new SelfAddress(config.sipListen(), config.advertised(), sip.viaAddress(), tlsListen, tlsAdvertised,
                config.pathAddress());
        ProtectionPolicy policy = ProtectionPolicy.of(config.scannerUserAgents(), config.requireRequestUriMatchesTo(),
                ProtectionPolicy.DEFAULT_METHODS);
        Router router = new Router(policy, new DestinationSelector(), new RateLimiter());
        prober = new OptionsProber(tables::current, health, timers, System::currentTimeMillis);
        resolver = new BackendResolver(config.dnsServer() == null ? DnsJavaClient.system()
                : DnsJavaClient.server(new java.net.InetSocketAddress(config.dnsServer().host(), config.dnsServer().port())),
                System::currentTimeMillis);
        proxy = new RelayEngine(sip.wire(), sip.wheel(), self, tokens, tables, router, health, metrics, stats, prober,
                new RelayEngine.Settings(config.frTimer().toMillis(), config.frInvTimer().toMillis(), p.waitTimer().toMillis(),
                        p.maxTransactions()), resolver);
        sip.start(proxy, new MessageCodec(reason -> {
            metrics.malformed();
            LOG.debug("malformed message dropped: {}", reason);
        }), config.sipThreads());
        timers.scheduleWithFixedDelay(this::forgetOldDestinationState, 1, 1, TimeUnit.MINUTES);
        if (config.probing()) {
            prober.start(proxy);
        }
        admin = new AdminServer(config.adminListen(), this::readiness, this::statusJson, this::metricsText,
                config.adminDetail() ? this::lookup : null, nudges == null ? null : this::nudge);
        if (updater != null) {
            updater.nudgeAt(nudgeAddress(config.adminListen()));
        }
        LOG.info("edge {} listening for SIP on {} (udp, tcp){}, callers on {}, Record-Route {}, Via {}, admin on {}, flood guard {}",
                config.edgeId(), config.sipListen(), tlsListen == null ? "" : " and " + tlsListen + " (tls)",
                t.callerTransports(), config.advertised(), sip.viaAddress(), config.adminListen(),
                p.floodLimit() > 0 ? p.floodLimit() + " msg/s per source, ban " + p.floodBan().toSeconds() + " s" : "off");
    }

    private java.util.concurrent.CompletableFuture<AdminServer.Answer> nudge(byte[] body) {
        return nudges.receive(body).thenApply(r -> new AdminServer.Answer(r.status(), r.body()));
    }

    /** The admin address as the operator can reach it; null when it listens on every address (no single one to tell). */
    static String nudgeAddress(HostPort admin) {
        String host = admin.host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.isEmpty()) {
            return null;
        }
        return (host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + admin.port();
    }

    private boolean isDestination(java.net.InetAddress a) {
        RoutingTable t = tables.current();
        return (t != null && t.isDestinationHost(a.getHostAddress())) || (resolver != null && resolver.isBackendAddress(a.getHostAddress()));
    }

    /** Dialogs past their maximum age, and counters of destinations gone from the table. */
    private void forgetOldDestinationState() {
        try {
            int expired = stats.expire(System.currentTimeMillis());
            if (expired > 0) {
                LOG.info("forgot {} dialogs older than {} h whose BYE never crossed this edge", expired,
                        DestinationStats.DEFAULT_MAX_AGE_MILLIS / 3600_000);
            }
            RoutingTable t = tables.current();
            if (t != null) {
                stats.retainOnly(t.destinationUris());
            }
        } catch (RuntimeException e) {
            LOG.warn("destination bookkeeping failed: {}", e.toString());
        }
    }

    /** Each destination of the active table as this edge sees it, for the fleet report. */
    List<EdgeReport.DestinationHealth> destinationReports() {
        RoutingTable t = tables.current();
        if (t == null) {
            return List.of();
        }
        Map<String, HealthTracker.Snapshot> probed = health.snapshot();
        Map<String, Backend> byUri = new TreeMap<>();
        t.sets().forEach(set -> set.backends().forEach(b -> byUri.putIfAbsent(b.uri(), b)));
        List<EdgeReport.DestinationHealth> out = new ArrayList<>(byUri.size());
        for (Backend b : byUri.values()) {
            HealthTracker.Snapshot s = probed.get(b.uri());
            boolean disabled = b.state() == DestinationState.DISABLED;
            boolean up = !disabled && health.isUp(b);
            String reason = disabled ? "disabled" : up ? "" : s == null ? "inactive" : s.downKind();
            out.add(new EdgeReport.DestinationHealth(b.uri(), b.state().wireName(), up,
                    s == null ? null : Instant.ofEpochMilli(s.sinceMillis()), reason,
                    disabled ? "disabled: not probed" : s == null ? "not probed yet" : s.lastReason(),
                    stats.dialogs(b.uri()), stats.requests(b.uri()), stats.failovers(b.uri())));
        }
        return out;
    }

    AdminServer.Lookup lookup(String domain) {
        RoutingTable t = tables.current();
        io.pbx3sbc.edge.routing.Tenant tenant = t == null ? null : t.tenant(domain);
        return tenant == null ? null : new AdminServer.Lookup(t.version(), tenant.setId(), tenant.enabled());
    }

    public Readiness readiness() {
        if (tables.current() == null) {
            String why = updater == null ? null : updater.notReadyReason();
            return new Readiness(false, why == null ? "no routing table loaded" : why);
        }
        if (sip == null || proxy == null) {
            return new Readiness(false, "SIP listener not started");
        }
        if (proxy.draining()) {
            return new Readiness(false, "draining");
        }
        return new Readiness(true, "");
    }

    /**
     * Stops taking new dialogs and waits until open transactions finish or the drain timeout passes.
     * @return the transactions still open when it gave up (0 on a clean drain)
     */
    public int drain(Duration timeout) throws InterruptedException {
        if (proxy == null) {
            return 0;
        }
        proxy.startDraining();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (proxy.openTransactions() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return proxy.openTransactions();
    }

    public EdgeMetrics metrics() {
        return metrics;
    }

    public HealthTracker health() {
        return health;
    }

    public int adminPort() {
        return admin.port();
    }

    /** The admin port's /status document. */
    public String statusText() {
        return new String(statusJson(), java.nio.charset.StandardCharsets.UTF_8);
    }

    byte[] statusJson() {
        RoutingTable t = tables.current();
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("edgeId", config.edgeId());
        status.put("ready", readiness().ready());
        status.put("startedAt", started.toString());
        Map<String, Object> routing = new LinkedHashMap<>();
        if (t != null) {
            routing.put("version", t.version());
            routing.put("contentSha256", t.contentSha256());
            routing.put("domains", t.tenantCount());
        }
        tables.previous().ifPresent(p -> routing.put("previousVersion", p.version()));
        if (updater != null) {
            routing.put("fleet", config.fleet().name());
            routing.put("stagedVersion", updater.stagedVersion());
            routing.put("rejectedVersion", updater.rejectedVersion());
            routing.put("rejectionReason", updater.rejectionReason());
            routing.put("storeError", updater.lastError());
            routing.put("pointerRefused", updater.pointerRefusal());
        }
        status.put("routing", routing);
        Map<String, Object> destinations = new LinkedHashMap<>();
        Map<String, HealthTracker.Snapshot> probed = health.snapshot();
        Set<String> uris = t == null ? Set.of() : new java.util.TreeSet<>(t.destinationUris());
        if (config.adminDetail()) {
            for (String uri : uris) {
                HealthTracker.Snapshot s = probed.get(uri);
                destinations.put(uri, Map.of("up", s == null || s.up(), "lastProbe", s == null ? "not probed yet" : s.lastReason(),
                        "dialogs", stats.dialogs(uri)));
            }
        } else { // where the tenants' PBXes are is detail: counts only
            destinations.put("total", uris.size());
            destinations.put("up", uris.stream().filter(health::isUp).count());
        }
        status.put("destinations", destinations);
        status.put("openTransactions", proxy == null ? 0 : proxy.openTransactions());
        if (proxy != null) {
            status.put("transactions", Map.of("relays", proxy.transactions(), "branches", proxy.clientBranches(),
                    "absorbedRetransmissions", proxy.absorbedRetransmissions(), "retransmissionsSent", proxy.retransmissionsSent()));
        }
        if (sip != null) {
            FloodGuard g = sip.floodGuard();
            status.put("floodGuard", Map.of("enabled", g.enabled(), "bannedNow", g.bannedNow(), "bans", g.bannedCount(),
                    "blocked", g.blockedCount(), "trackedSources", g.trackedSources()));
            status.put("tcp", Map.of("connections", sip.tcp().connectionCount(), "refused", sip.tcp().refusedCount(),
                    "timedOut", sip.tcp().timedOutCount(), "oversized", sip.tcp().oversizedCount()));
        }
        status.put("requests", metrics.requestsByMethodAndOutcome());
        status.put("drops", metrics.dropsByReason());
        status.put("malformed", metrics.malformedCount());
        Runtime rt = Runtime.getRuntime();
        status.put("jvm", Map.of("heapUsedBytes", rt.totalMemory() - rt.freeMemory(), "heapMaxBytes", rt.maxMemory()));
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(status);
        } catch (Exception e) {
            return ("{\"error\":\"" + e.getMessage() + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    String metricsText() {
        Scrape out = new Scrape();
        metrics.writeCounters(out, config.adminDetail());
        RoutingTable t = tables.current();
        writeSipCoreMetrics(out);
        out.single("pbx3sbc_edge_routing_version", "Version of the active routing table (0: none)", "gauge", t == null ? 0 : t.version());
        Long staged = updater == null ? null : updater.stagedVersion();
        out.single("pbx3sbc_edge_routing_staged_version", "Version staged next to the active one (0: none)", "gauge", staged == null ? 0 : staged);
        Long rejected = updater == null ? null : updater.rejectedVersion();
        out.single("pbx3sbc_edge_routing_rejected_version", "Last version this edge refused (0: none)", "gauge", rejected == null ? 0 : rejected);
        out.single("pbx3sbc_edge_routing_domains", "Domains in the active routing table", "gauge", t == null ? 0 : t.tenantCount());
        writeDestinationMetrics(out, t);
        out.single("pbx3sbc_edge_open_transactions", "Relayed transactions not finished yet", "gauge", proxy == null ? 0 : proxy.openTransactions());
        Runtime rt = Runtime.getRuntime();
        out.single("pbx3sbc_edge_jvm_heap_used_bytes", "Java heap in use", "gauge", rt.totalMemory() - rt.freeMemory());
        out.single("pbx3sbc_edge_jvm_heap_max_bytes", "Java heap limit", "gauge", rt.maxMemory());
        out.family("pbx3sbc_edge_nudges_total", "Nudges from the operator: accepted, refused (bad signature, fleet or age), malformed, starting", "counter");
        if (nudges != null) {
            nudges.outcomes().forEach((outcome, n) -> out.sample("outcome", outcome,
                    null, null, n));
        }
        out.single("pbx3sbc_edge_ready", "1 when the edge is ready for traffic", "gauge", readiness().ready() ? 1 : 0);
        return out.text();
    }

    private void writeSipCoreMetrics(Scrape out) {
        if (sip == null || proxy == null) {
            return;
        }
        FloodGuard g = sip.floodGuard();
        Object[][] rows = {
                {"pbx3sbc_edge_flood_blocked_total", "Messages dropped unparsed because their source floods or is banned", "counter", g.blockedCount()},
                {"pbx3sbc_edge_flood_bans_total", "Sources banned by the flood guard", "counter", g.bannedCount()},
                {"pbx3sbc_edge_flood_banned_sources", "Sources banned now", "gauge", g.bannedNow()},
                {"pbx3sbc_edge_tcp_connections", "TCP connections open", "gauge", sip.tcp().connectionCount()},
                {"pbx3sbc_edge_tcp_refused_total", "TCP connections refused or closed by a limit", "counter", sip.tcp().refusedCount()},
                {"pbx3sbc_edge_tcp_timeouts_total", "TCP connections closed for a read or idle timeout", "counter", sip.tcp().timedOutCount()},
                {"pbx3sbc_edge_tcp_oversized_total", "TCP connections closed for a message over the size limit", "counter", sip.tcp().oversizedCount()},
                {"pbx3sbc_edge_transactions", "Relayed transactions kept (open and lingering to absorb retransmissions)", "gauge", proxy.transactions()},
                {"pbx3sbc_edge_retransmissions_absorbed_total", "Retransmitted requests answered from the transaction table", "counter", proxy.absorbedRetransmissions()},
                {"pbx3sbc_edge_retransmissions_sent_total", "Requests and answers the edge retransmitted (timers A, E, G)", "counter", proxy.retransmissionsSent()}};
        for (Object[] r : rows) {
            out.single((String) r[0], (String) r[1], (String) r[2], ((Number) r[3]).doubleValue());
        }
        writeTlsMetrics(out);
        writeDialogKeyMetrics(out);
    }

    private void writeDialogKeyMetrics(Scrape out) {
        if (tokens == null) {
            return;
        }
        out.single("pbx3sbc_edge_dialog_keys", "Dialog keys accepted (the signing key, plus .next and .previous while rotating)", "gauge", tokens.keyIds().size());
    }

    private void writeTlsMetrics(Scrape out) {
        if (tls == null) {
            return;
        }
        TcpTransport conns = sip.tls();
        out.single("pbx3sbc_edge_tls_connections", "TLS connections open (callers and backends)", "gauge", conns == null ? 0 : conns.connectionCount());
        out.family("pbx3sbc_edge_tls_handshake_failures_total",
                "TLS handshakes that failed (expired, untrusted or missing certificate, no common version), by direction", "counter");
        out.sample("direction", "inbound", null, null, tls.inboundHandshakeFailures());
        out.sample("direction", "outbound", null, null, tls.outboundHandshakeFailures());
        out.family("pbx3sbc_edge_tls_certificate_reloads_total", "TLS certificate rotations taken, by result", "counter");
        out.sample("result", "loaded", null, null, tls.reloads());
        out.sample("result", "refused", null, null, tls.reloadFailures());
        java.time.Instant notAfter = tls.certificateNotAfter();
        if (notAfter != null) {
            out.single("pbx3sbc_edge_tls_certificate_expiry_seconds", "When the served TLS certificate expires (Unix time)", "gauge", notAfter.getEpochSecond());
        }
    }

    /** Per destination and set (label values from the table only): up, requests, failovers, dialogs. */
    private void writeDestinationMetrics(Scrape out, RoutingTable t) {
        List<BackendSet> sets = new ArrayList<>();
        if (t != null) {
            t.sets().forEach(sets::add);
            sets.sort(java.util.Comparator.comparingInt(BackendSet::setId));
        }
        String[][] families = {
                {"pbx3sbc_edge_destination_up", "1 when the destination is up (probes; 0 when disabled)", "gauge"},
                {"pbx3sbc_edge_destination_requests_total", "Initial requests sent to the destination", "counter"},
                {"pbx3sbc_edge_destination_failovers_total", "Requests moved away from the destination after a timeout or 5xx", "counter"},
                {"pbx3sbc_edge_destination_dialogs", "Dialogs up on the destination through this edge", "gauge"},
                {"pbx3sbc_edge_destination_state", "Administrative state: 0 active, 1 draining (no new dialog), 2 disabled (nothing, not probed)", "gauge"}};
        for (String[] f : families) {
            out.family(f[0], f[1], f[2]);
            for (BackendSet set : sets) {
                for (Backend b : set.backends()) {
                    double v = switch (f[0]) {
                        case "pbx3sbc_edge_destination_up" -> b.state() != DestinationState.DISABLED && health.isUp(b) ? 1 : 0;
                        case "pbx3sbc_edge_destination_requests_total" -> stats.requests(b.uri());
                        case "pbx3sbc_edge_destination_failovers_total" -> stats.failovers(b.uri());
                        case "pbx3sbc_edge_destination_dialogs" -> stats.dialogs(b.uri());
                        default -> b.state().ordinal();
                    };
                    out.sample("set", String.valueOf(set.setId()), "uri", b.uri(), v);
                }
            }
        }
    }

    @Override
    public void close() {
        if (prober != null) {
            prober.stop();
        }
        if (admin != null) {
            admin.close();
        }
        if (sip != null) {
            sip.close();
        }
        if (tokens != null) {
            tokens.stopWatching();
        }
        if (tls != null) {
            tls.close();
        }
        if (resolver != null) {
            resolver.close();
        }
        timers.shutdownNow();
        if (updates != null) {
            // Tell the fleet this edge is gone, on the updater's thread (after any look in progress), briefly.
            try {
                updates.submit(updater::reportStopped).get(3, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                     | java.util.concurrent.RejectedExecutionException e) {
                LOG.debug("no stopped report: {}", e.toString());
            }
            updates.shutdownNow();
        }
        if (store != null) {
            store.close();
        }
    }
}
