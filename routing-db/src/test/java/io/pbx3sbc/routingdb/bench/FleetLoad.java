package io.pbx3sbc.routingdb.bench;

import com.sun.net.httpserver.HttpServer;
import io.pbx3sbc.routingdb.VersionVerifier;
import io.pbx3sbc.routingdb.manifest.EdgeReport;
import io.pbx3sbc.routingdb.manifest.Manifest;
import io.pbx3sbc.routingdb.manifest.Nudge;
import io.pbx3sbc.routingdb.manifest.ReleasePointer;
import io.pbx3sbc.routingdb.manifest.SigningKeys;
import io.pbx3sbc.routingdb.manifest.TrustedKeys;
import io.pbx3sbc.routingdb.store.FleetLayout;
import io.pbx3sbc.routingdb.store.LitestreamRestore;
import io.pbx3sbc.routingdb.store.ObjectStore;
import io.pbx3sbc.routingdb.store.S3Location;
import io.pbx3sbc.routingdb.store.S3ObjectStore;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stands in for a fleet of N edges against the real operator and S3 server ({@code hack/bench/fleet-load.sh}):
 * each simulated edge polls the signed release pointer with conditional GETs (every 30 s, every second while a
 * candidate is pending, as the edge does), takes signed nudges on its own address (127.3.x.y, one HTTP server
 * for all), stages and activates what the pointer names, and writes its report under its own id with the edge
 * credential. A version is restored with litestream and verified once for all of them (the part that would run
 * in parallel on real nodes). Then it changes a SipDomain and measures the promotion.
 */
public final class FleetLoad {
    static final Duration POLL = Duration.ofSeconds(30);
    static final Duration PENDING_POLL = Duration.ofSeconds(1);
    static final Duration HEARTBEAT = Duration.ofSeconds(30);

    final FleetLayout layout;
    final ObjectStore store;
    final S3Location location;
    final TrustedKeys trusted;
    final LitestreamRestore restore;
    final Path scratch;
    final int nudgePort;
    final List<SimEdge> edges = new ArrayList<>();
    final Map<String, SimEdge> byAddress = new ConcurrentHashMap<>();
    final Map<Long, Manifest> verified = new ConcurrentHashMap<>();
    final ScheduledExecutorService timers = Executors.newScheduledThreadPool(8);
    /** When the last report naming each version as staged was written (epoch millis). */
    final Map<Long, AtomicLong> lastStagedReport = new ConcurrentHashMap<>();
    final AtomicLong gets = new AtomicLong();
    final AtomicLong puts = new AtomicLong();

    FleetLoad(S3Location location, String fleet, TrustedKeys trusted, Path litestream, Path scratch, int edgeCount,
              int nudgePort) {
        this.layout = new FleetLayout(fleet);
        this.location = location;
        this.store = new S3ObjectStore(location);
        this.trusted = trusted;
        this.scratch = scratch;
        this.restore = new LitestreamRestore(litestream, location, scratch);
        this.nudgePort = nudgePort;
        for (int i = 0; i < edgeCount; i++) {
            SimEdge e = new SimEdge(String.format("load-%04d", i + 1), "127.3." + (i / 250) + "." + (i % 250 + 1));
            edges.add(e);
            byAddress.put(e.address, e);
        }
    }

    /** One simulated edge: what it serves and has staged, and the newest pointer it accepted. */
    final class SimEdge {
        final String id;
        final String address;
        Long active;
        Long staged;
        long epoch;
        long sequence;
        String etag;
        long lastReportMillis;
        EdgeReport lastReport;

        SimEdge(String id, String address) {
            this.id = id;
            this.address = address;
        }

        /** Reads the pointer (conditional GET), acts on it, reports when anything changed or a heartbeat is due. */
        synchronized void look() throws IOException, InterruptedException {
            gets.incrementAndGet();
            var fetched = store.getIfChanged(layout.releasePointer(), etag);
            if (fetched.isPresent() && !fetched.get().notModified()) {
                ReleasePointer p = ReleasePointer.fromJson(fetched.get().bytes());
                if (SigningKeys.verify(p, trusted) && p.fleet().equals(layout.fleet()) && !p.olderThan(epoch, sequence)) {
                    etag = fetched.get().etag();
                    epoch = p.epoch();
                    sequence = p.sequence();
                    if (p.active() != null && !p.active().equals(active)) {
                        verify(p.active());
                        active = p.active();
                    }
                    Long candidate = p.candidate();
                    if (candidate != null && !candidate.equals(active)) {
                        verify(candidate);
                        staged = candidate;
                    } else {
                        staged = null;
                    }
                }
            }
            report(false);
        }

        void report(boolean stopped) throws IOException {
            String state = stopped ? "stopped" : staged != null ? "staged" : active != null ? "active" : "starting";
            boolean changed = lastReport == null || !java.util.Objects.equals(lastReport.activeVersion(), active)
                    || !java.util.Objects.equals(lastReport.stagedVersion(), staged) || !lastReport.state().equals(state)
                    || lastReport.pointerSequence() != sequence;
            long now = System.currentTimeMillis();
            if (!changed && now - lastReportMillis < HEARTBEAT.toMillis()) {
                return;
            }
            EdgeReport r = new EdgeReport(id, active, staged, state, null, null, Instant.now(), List.of(), epoch, sequence,
                    null, trusted.ids(), active == null ? null : verified.get(active).keyId(),
                    stopped ? null : address + ":" + nudgePort);
            puts.incrementAndGet();
            store.put(layout.edgeReport(id), r.toJson(), "application/json");
            lastReport = r;
            lastReportMillis = now;
            if (staged != null) {
                lastStagedReport.computeIfAbsent(staged, v -> new AtomicLong()).accumulateAndGet(System.currentTimeMillis(), Math::max);
            }
        }

        /** Polls again: every second while a candidate is staged and not yet active, else at the slow interval. */
        void schedule(Duration after) {
            timers.schedule(() -> {
                try {
                    look();
                } catch (Exception e) {
                    System.err.println(id + ": " + e.getMessage());
                }
                schedule(staged != null ? PENDING_POLL : POLL);
            }, after.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Restores and verifies a version once for the whole simulated fleet. */
    void verify(long version) throws IOException, InterruptedException {
        if (verified.containsKey(version)) {
            return;
        }
        synchronized (verified) {
            if (verified.containsKey(version)) {
                return;
            }
            Manifest m = Manifest.fromJson(store.get(layout.manifest(version))
                    .orElseThrow(() -> new IOException("no manifest for version " + version)));
            Path file = scratch.resolve("v" + version + ".db");
            Files.deleteIfExists(file);
            restore.restore(layout.replicaPath(version), file);
            try {
                new VersionVerifier(trusted).verify(file, m, layout.fleet(), version);
            } catch (io.pbx3sbc.routingdb.InvalidRoutingDbException e) {
                throw new IOException("version " + version + " refused: " + e.getMessage(), e);
            }
            verified.put(version, m);
            Files.deleteIfExists(file);
        }
    }

    HttpServer nudges() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("0.0.0.0", nudgePort), 1024);
        server.setExecutor(Executors.newFixedThreadPool(32));
        server.createContext("/nudge", exchange -> {
            try (exchange) {
                SimEdge e = byAddress.get(exchange.getLocalAddress().getAddress().getHostAddress());
                Nudge n = Nudge.fromJson(exchange.getRequestBody().readAllBytes());
                String refusal = n.refusal(layout.fleet(), trusted, Instant.now());
                if (e == null || refusal != null) {
                    exchange.sendResponseHeaders(403, -1);
                } else {
                    e.look(); // answer after looking and reporting, as the edge does: with the report as written
                    byte[] report;
                    synchronized (e) {
                        report = e.lastReport == null ? new byte[0] : e.lastReport.toJson();
                    }
                    exchange.sendResponseHeaders(200, report.length == 0 ? -1 : report.length);
                    exchange.getResponseBody().write(report);
                }
            } catch (Exception ex) {
                System.err.println("nudge: " + ex);
            }
        });
        server.start();
        return server;
    }

    /** The operator process's CPU seconds so far and its resident memory in MiB, from /proc. */
    record OperatorUsage(double cpuSeconds, long rssMiB) {
        static OperatorUsage of(long pid) throws IOException {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime in ticks of 1/100 s
            long rss = Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024).findFirst().orElse(-1L);
            return new OperatorUsage(cpu, rss);
        }
    }

    static String kubectl(String kubectl, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(kubectl));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + out);
        }
        return out;
    }

    static Map<String, Object> fleetStatus(String kubectl) throws IOException, InterruptedException {
        @SuppressWarnings("unchecked")
        Map<String, Object> fleet = io.pbx3sbc.routingdb.manifest.Json.read(
                kubectl(kubectl, "get", "edgefleet", "edge", "-o", "json").getBytes(StandardCharsets.UTF_8), Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> status = (Map<String, Object>) fleet.getOrDefault("status", Map.of());
        return status;
    }

    static long num(Map<String, Object> status, String field) {
        Object v = status.get(field);
        return v instanceof Number n ? n.longValue() : -1;
    }

    ReleasePointer pointer() throws IOException {
        return ReleasePointer.fromJson(store.get(layout.releasePointer()).orElseThrow(
                () -> new IOException("no release pointer at " + layout.releasePointer())));
    }

    /** local-up returns before the operator's first (cold) publish: wait for the pointer rather than race it. */
    ReleasePointer firstPointer(Duration patience) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        for (var stored = store.get(layout.releasePointer()); ; stored = store.get(layout.releasePointer())) {
            if (stored.isPresent()) {
                return ReleasePointer.fromJson(stored.get());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the operator published no release pointer within " + patience);
            }
            Thread.sleep(250);
        }
    }

    /** The stand-in's threads (nudge server, edge clocks) are not daemons: a failure must end the process. */
    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (Exception | AssertionError e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        Map<String, String> a = new java.util.HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int count = Integer.parseInt(a.getOrDefault("edges", "1000"));
        int reps = Integer.parseInt(a.getOrDefault("reps", "5"));
        String kubectl = a.get("kubectl");
        long operatorPid = Long.parseLong(a.get("operator-pid"));
        S3Location location = new S3Location(URI.create(a.get("endpoint")), "us-east-1", a.get("bucket"), a.get("prefix"),
                true, a.get("access-key"), a.get("secret-key"));
        TrustedKeys trusted = TrustedKeys.parse(Files.readString(Path.of(a.get("trusted-keys"))));
        Path scratch = Files.createTempDirectory("fleet-load");
        FleetLoad load = new FleetLoad(location, "edge", trusted, Path.of(a.get("litestream")), scratch, count,
                Integer.parseInt(a.getOrDefault("nudge-port", "19191")));
        HttpServer server = load.nudges();

        long t = System.nanoTime();
        for (int i = 0; i < load.edges.size(); i++) { // first looks spread over 5 s, then each on its own clock
            load.edges.get(i).schedule(Duration.ofMillis(5_000L * i / load.edges.size()));
        }
        long active = load.firstPointer(Duration.ofMinutes(2)).active();
        while (true) {
            var s = fleetStatus(kubectl);
            if (num(s, "edgesTotal") == count && num(s, "edgesActive") == count && num(s, "activeVersion") == active) {
                break;
            }
            if (System.nanoTime() - t > Duration.ofMinutes(5).toNanos()) {
                throw new IllegalStateException("the fleet status never counted " + count + " edges on version " + active
                        + ": " + s);
            }
            Thread.sleep(500);
        }
        System.out.printf("%d simulated edges report version %d and the fleet status counts them all, %.1f s after start%n",
                count, active, (System.nanoTime() - t) / 1e9);

        OperatorUsage idleStart = OperatorUsage.of(operatorPid);
        long getsStart = load.gets.get();
        long putsStart = load.puts.get();
        Thread.sleep(60_000);
        OperatorUsage idleEnd = OperatorUsage.of(operatorPid);
        System.out.printf("idle 60 s: operator CPU %.1f%% of one core, RSS %d MiB; the edges made %d pointer GETs and %d"
                        + " report PUTs%n", (idleEnd.cpuSeconds() - idleStart.cpuSeconds()) / 60 * 100, idleEnd.rssMiB(),
                load.gets.get() - getsStart, load.puts.get() - putsStart);

        List<Double> decided = new ArrayList<>();
        List<Double> converged = new ArrayList<>();
        for (int rep = 1; rep <= reps; rep++) {
            long before = load.pointer().active();
            OperatorUsage u0 = OperatorUsage.of(operatorPid);
            long changed = System.currentTimeMillis();
            kubectl(kubectl, "patch", "sipdomain", "acme", "--type", "merge", "-p",
                    "{\"spec\":{\"comment\":\"fleet-load " + rep + " " + changed + "\"}}");
            long promotedAt;
            ReleasePointer p;
            while (true) { // the pointer as an edge would see it, read every 20 ms
                p = load.pointer();
                if (p.active() != null && p.active() > before) {
                    promotedAt = System.currentTimeMillis();
                    break;
                }
                if (System.currentTimeMillis() - changed > 120_000) {
                    throw new IllegalStateException("no promotion within 120 s of the change; pointer " + p);
                }
                Thread.sleep(20);
            }
            long version = p.active();
            long lastStaged = load.lastStagedReport.getOrDefault(version, new AtomicLong()).get();
            long allActive;
            Map<String, Object> s;
            while (true) {
                s = fleetStatus(kubectl);
                if (num(s, "activeVersion") == version && num(s, "edgesActive") == count && num(s, "edgesTotal") == count) {
                    allActive = System.currentTimeMillis();
                    break;
                }
                if (System.currentTimeMillis() - promotedAt > 120_000) {
                    throw new IllegalStateException("fleet status not on version " + version + " with " + count
                            + " edges within 120 s: " + s);
                }
                Thread.sleep(100);
            }
            OperatorUsage u1 = OperatorUsage.of(operatorPid);
            double afterLastReport = (promotedAt - lastStaged) / 1000.0;
            decided.add(afterLastReport);
            converged.add((allActive - changed) / 1000.0);
            System.out.printf("rep %d: version %d; change -> last staged report %.2f s; last staged report -> promoted"
                            + " %.2f s; change -> fleet status shows all %d edges active %.2f s; operator CPU %.1f s,"
                            + " RSS %d MiB%n", rep, version, (lastStaged - changed) / 1000.0, afterLastReport, count,
                    (allActive - changed) / 1000.0, u1.cpuSeconds() - u0.cpuSeconds(), u1.rssMiB());
            Thread.sleep(5_000);
        }
        List<Double> d = decided.stream().sorted().toList();
        List<Double> c = converged.stream().sorted().toList();
        System.out.printf("RESULT edges=%d reps=%d last staged report -> promoted median %.2f s, worst %.2f s (goal <= 2 s);"
                        + " change -> fleet status all active median %.2f s, worst %.2f s%n", count, reps,
                d.get(d.size() / 2), d.get(d.size() - 1), c.get(c.size() / 2), c.get(c.size() - 1));
        server.stop(0);
        load.timers.shutdownNow();
        System.exit(0);
    }
}
