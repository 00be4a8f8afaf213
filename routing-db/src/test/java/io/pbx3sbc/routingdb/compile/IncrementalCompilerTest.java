package io.pbx3sbc.routingdb.compile;

import io.pbx3sbc.routingdb.compile.Sources.DestinationSource;
import io.pbx3sbc.routingdb.compile.Sources.DomainSource;
import io.pbx3sbc.routingdb.compile.Sources.RateLimitSource;
import io.pbx3sbc.routingdb.compile.Sources.SetSource;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class IncrementalCompilerTest {
    static final Instant T0 = Instant.parse("2026-11-30T10:00:00Z");

    static DomainSource domain(String name, long generation, String domain, String set, String comment, int createdSecond) {
        return new DomainSource(new ObjectRef(ObjectRef.SIP_DOMAIN, "ns", name), generation, T0.plusSeconds(createdSecond),
                domain, set, null, comment, null);
    }

    static SetSource set(String name, int id, String uri) {
        return new SetSource(new ObjectRef(ObjectRef.DISPATCHER_SET, "ns", name), 1, T0, id, null,
                List.of(new DestinationSource(uri, null, null, null, null)), null);
    }

    @Test
    void aCommentChangeIsPatchedAndEqualsAFullCompile() {
        List<SetSource> sets = List.of(set("s1", 1, "sip:10.0.0.1"), set("s2", 2, "sip:10.0.0.2"));
        List<DomainSource> domains = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            domains.add(domain("d" + i, 1, "t" + i + ".example.com", "s" + (1 + i % 2), null, i));
        }
        IncrementalCompiler compiler = new IncrementalCompiler();
        compiler.compile(domains, sets);
        assertThat(compiler.lastWasPatch()).isFalse();

        domains.set(42, domain("d42", 2, "t42.example.com", "s1", "moved", 42));
        Collections.shuffle(domains, new Random(1)); // an informer lists in no fixed order
        var patched = compiler.compile(domains, List.of(sets.get(1), sets.get(0)));
        assertThat(compiler.lastWasPatch()).isTrue();
        assertThat(patched).isEqualTo(new RoutingCompiler().compile(domains, sets));
        assertThat(patched.sourceGenerations()).containsEntry("SipDomain/ns/d42", 2L);
    }

    @Test
    void aNameClaimedTwiceFallsBackToAFullCompileThatKeepsTheOldestClaim() {
        List<SetSource> sets = List.of(set("s1", 1, "sip:10.0.0.1"));
        List<DomainSource> domains = new ArrayList<>(List.of(domain("old", 1, "x.example.com", "s1", null, 1),
                domain("other", 1, "y.example.com", "s1", null, 2)));
        IncrementalCompiler compiler = new IncrementalCompiler();
        compiler.compile(domains, sets);
        domains.add(domain("newer", 1, "x.example.com", "s1", null, 3)); // claims a name that is taken
        var c = compiler.compile(domains, sets);
        assertThat(compiler.lastWasPatch()).isFalse();
        assertThat(c).isEqualTo(new RoutingCompiler().compile(domains, sets));
        assertThat(c.problems()).singleElement().satisfies(p -> assertThat(p.ref().name()).isEqualTo("newer"));
    }

    /**
     * Random edits (add, delete, rename onto free and taken names, invalid names, unknown sets, set edits,
     * rate limits): after each, the incremental answer equals a full compile of the same sources.
     */
    @Test
    void randomEditsAlwaysEqualAFullCompile() {
        Random random = new Random(20261130);
        Map<String, DomainSource> domains = new LinkedHashMap<>();
        List<SetSource> sets = new ArrayList<>(List.of(set("s1", 1, "sip:10.0.0.1"), set("s2", 2, "sip:10.0.0.2"),
                set("s3", 3, "sip:10.0.0.3")));
        for (int i = 0; i < 300; i++) {
            domains.put("d" + i, domain("d" + i, 1, "t" + i + ".example.com", "s" + (1 + i % 3), null, i));
        }
        IncrementalCompiler compiler = new IncrementalCompiler();
        int patches = 0;
        for (int step = 0; step < 2_000; step++) {
            int edits = 1 + random.nextInt(random.nextInt(10) == 0 ? 20 : 3);
            for (int e = 0; e < edits; e++) {
                String name = "d" + random.nextInt(400);
                DomainSource was = domains.get(name);
                long generation = was == null ? 1 : was.generation() + 1;
                int created = was == null ? 1_000 + step : (int) (was.createdAt().getEpochSecond() - T0.getEpochSecond());
                switch (random.nextInt(9)) {
                    case 0 -> domains.remove(name);
                    case 1 -> domains.put(name, domain(name, generation, "t" + random.nextInt(350) + ".example.com",
                            "s" + (1 + random.nextInt(3)), null, created)); // maybe onto a taken name
                    case 2 -> domains.put(name, domain(name, generation, "Not A Domain", "s1", null, created));
                    case 3 -> domains.put(name, domain(name, generation, name + ".example.com", "nope", null, created));
                    case 4 -> domains.put(name, new DomainSource(new ObjectRef(ObjectRef.SIP_DOMAIN, "ns", name), generation,
                            T0.plusSeconds(created), name + ".example.com", "s2", random.nextBoolean(), null,
                            new RateLimitSource(random.nextInt(3) - 1, null)));
                    case 5 -> {
                        if (random.nextInt(10) == 0) {
                            int i = random.nextInt(sets.size());
                            SetSource s = sets.get(i);
                            sets.set(i, set(s.ref().name(), random.nextInt(4) == 0 ? 1 : s.setId(), "sip:10.0.1." + step));
                        }
                    }
                    default -> domains.put(name, domain(name, generation, name + ".example.com",
                            "s" + (1 + random.nextInt(3)), "c" + step, created));
                }
            }
            List<DomainSource> listed = new ArrayList<>(domains.values());
            Collections.shuffle(listed, random);
            var incremental = compiler.compile(listed, sets);
            patches += compiler.lastWasPatch() ? 1 : 0;
            assertThat(incremental).as("step %d", step).isEqualTo(new RoutingCompiler().compile(listed, sets));
        }
        assertThat(patches).as("most steps are patches, or this test proves nothing about them").isGreaterThan(1_000);
    }
}
