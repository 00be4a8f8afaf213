package io.pbx3sbc.operator.bench;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.pbx3sbc.operator.api.v1alpha1.DispatcherSet;
import io.pbx3sbc.operator.api.v1alpha1.DispatcherSetSpec;
import io.pbx3sbc.operator.api.v1alpha1.SipDomain;
import io.pbx3sbc.operator.api.v1alpha1.SipDomainSpec;
import io.pbx3sbc.operator.compile.ResourceSources;
import io.pbx3sbc.operator.compile.SourceCache;
import io.pbx3sbc.routingdb.ContentHash;
import io.pbx3sbc.routingdb.RoutingDbBuilder;
import io.pbx3sbc.routingdb.VersionInfo;
import io.pbx3sbc.routingdb.VersionVerifier;
import io.pbx3sbc.routingdb.compile.IncrementalCompiler;
import io.pbx3sbc.routingdb.compile.RoutingCompiler;
import io.pbx3sbc.routingdb.manifest.SigningKeys;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Where a one-domain change's publish spends its time, without the API server or S3: the steps of the
 * publish path on N in-memory SipDomains, full and incremental, each the median of several runs.
 * Run by {@code hack/bench/publish-profile.sh [domains] [runs]}.
 */
public final class PublishPathProfile {
    private static final Map<String, List<Long>> TIMES = new TreeMap<>();

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int reps = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        List<SipDomain> domains = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            SipDomain d = new SipDomain();
            d.setMetadata(new ObjectMetaBuilder().withName("tenant" + i).withNamespace("default").withUid("uid-" + i)
                    .withResourceVersion("1").withGeneration(1L).withCreationTimestamp("2026-11-30T10:00:00Z").build());
            d.setSpec(new SipDomainSpec());
            d.getSpec().domain = "tenant" + i + ".voip.example.com";
            d.getSpec().dispatcherSetRef = "set" + (1 + i % 100);
            domains.add(d);
        }
        List<DispatcherSet> sets = new ArrayList<>();
        for (int s = 1; s <= 100; s++) {
            DispatcherSet set = new DispatcherSet();
            set.setMetadata(new ObjectMetaBuilder().withName("set" + s).withNamespace("default").withUid("set-" + s)
                    .withResourceVersion("1").withGeneration(1L).withCreationTimestamp("2026-11-30T10:00:00Z").build());
            set.setSpec(new DispatcherSetSpec());
            set.getSpec().setId = s;
            DispatcherSetSpec.Destination dest = new DispatcherSetSpec.Destination();
            dest.uri = "sip:10.1." + s + ".10:5060";
            set.getSpec().destinations.add(dest);
            sets.add(set);
        }
        Path work = Files.createTempDirectory("publish-profile");
        var keys = SigningKeys.generate();
        SourceCache cache = new SourceCache();
        IncrementalCompiler incremental = new IncrementalCompiler();
        RoutingDbBuilder.Built previous = null;
        RoutingCompiler.Compilation previousCompilation = null;
        for (int r = 0; r < reps; r++) {
            SipDomain changed = domains.get(r * 7919 % n);
            changed.getSpec().comment = "change " + r;
            changed.getMetadata().setResourceVersion(String.valueOf(2 + r));
            changed.getMetadata().setGeneration(2L + r);

            var domainSources = time("1 map resources (full)", () -> domains.stream().map(ResourceSources::domain).toList());
            var setSources = sets.stream().map(ResourceSources::set).toList();
            time("1 map resources (cached)", () -> cache.domains(domains));
            var full = time("2 compile (full)", () -> new RoutingCompiler().compile(domainSources, setSources));
            var inc = time("2 compile (incremental)", () -> incremental.compile(cache.domains(domains), cache.sets(sets)));
            if (!inc.equals(full)) {
                throw new IllegalStateException("incremental compile differs from the full one");
            }
            time("3 content hash", () -> ContentHash.of(full.model()));
            VersionInfo info = new VersionInfo(r + 1, "edge", Instant.now(), full.sourceGenerations());
            Path file = work.resolve("v" + r + ".db");
            var built = time("4 build (full)", () -> unchecked(() -> new RoutingDbBuilder().build(full.model(), info, file)));
            if (previous != null) {
                Path incFile = work.resolve("i" + r + ".db");
                RoutingDbBuilder.Built prev = previous;
                RoutingCompiler.Compilation prevC = previousCompilation;
                time("4 build (incremental)", () -> unchecked(() -> new RoutingDbBuilder()
                        .buildFrom(prev.file(), prevC.model(), full.model(), info, incFile)));
            }
            time("5 manifest and sign", () -> SigningKeys.sign(VersionVerifier.manifestFor(built, info), keys).toJson().length);
            time("6 lz4", () -> unchecked(() -> {
                var out = new java.io.ByteArrayOutputStream();
                try (var lz4 = new net.jpountz.lz4.LZ4FrameOutputStream(out, net.jpountz.lz4.LZ4FrameOutputStream.BLOCKSIZE.SIZE_4MB)) {
                    Files.copy(file, lz4);
                }
                return out.size();
            }));
            previous = built;
            previousCompilation = full;
        }
        TIMES.forEach((step, ms) -> {
            List<Long> sorted = ms.stream().sorted().toList();
            System.out.printf("%-28s median %5d ms  (runs: %s)%n", step, sorted.get(sorted.size() / 2), ms);
        });
    }

    interface Io<T> {
        T get() throws Exception;
    }

    static <T> T unchecked(Io<T> io) {
        try {
            return io.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static <T> T time(String step, Supplier<T> work) {
        long t = System.nanoTime();
        T result = work.get();
        TIMES.computeIfAbsent(step, k -> new ArrayList<>()).add((System.nanoTime() - t) / 1_000_000);
        return result;
    }
}
