package io.pbx3sbc.routingdb.compile;

import io.pbx3sbc.routingdb.compile.Problem.Reason;
import io.pbx3sbc.routingdb.compile.Sources.DestinationSource;
import io.pbx3sbc.routingdb.compile.Sources.DomainSource;
import io.pbx3sbc.routingdb.compile.Sources.SetSource;
import io.pbx3sbc.routingdb.model.Algorithm;
import io.pbx3sbc.routingdb.model.Domain;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RoutingCompilerTest {
    private final RoutingCompiler compiler = new RoutingCompiler();

    private static DomainSource domain(String name, String domain, String set, Instant created) {
        return new DomainSource(new ObjectRef(ObjectRef.SIP_DOMAIN, "ns", name), 1, created, domain, set, null, null, null);
    }

    private static SetSource set(String name, int id, String... uris) {
        return new SetSource(new ObjectRef(ObjectRef.DISPATCHER_SET, "ns", name), 2, null, id, null,
                java.util.Arrays.stream(uris).map(u -> new DestinationSource(u, null, null, null, null)).toList(), null);
    }

    @Test
    void compilesValidTenantsWithDefaults() {
        var c = compiler.compile(List.of(domain("a", "a.example.com", "s", null)), List.of(set("s", 10, "sip:127.0.0.1:5070")));

        assertThat(c.problems()).isEmpty();
        assertThat(c.model().domains()).containsExactly(new Domain("a.example.com", 10, true, null, null));
        assertThat(c.model().sets().get(0).algorithm()).isEqualTo(Algorithm.ROUND_ROBIN);
        assertThat(c.sourceGenerations()).containsEntry("SipDomain/ns/a", 1L).containsEntry("DispatcherSet/ns/s", 2L);
    }

    @Test
    void excludesDomainWithMissingSetAndKeepsTheOthers() {
        var c = compiler.compile(
                List.of(domain("a", "a.example.com", "s", null), domain("b", "b.example.com", "nope", null)),
                List.of(set("s", 10, "sip:127.0.0.1:5070")));

        assertThat(c.model().domains()).extracting(Domain::domain).containsExactly("a.example.com");
        assertThat(c.problems()).singleElement().satisfies(p -> {
            assertThat(p.ref().name()).isEqualTo("b");
            assertThat(p.reason()).isEqualTo(Reason.DispatcherSetNotFound);
            assertThat(p.field()).isEqualTo("spec.dispatcherSetRef");
        });
    }

    @Test
    void oldestClaimKeepsADomainAndTheNewerIsMarked() {
        var c = compiler.compile(
                List.of(domain("newer", "x.example.com", "s", Instant.parse("2026-02-01T00:00:00Z")),
                        domain("older", "x.example.com", "s", Instant.parse("2026-01-01T00:00:00Z"))),
                List.of(set("s", 10, "sip:127.0.0.1:5070")));

        assertThat(c.model().domains()).hasSize(1);
        assertThat(c.problems()).singleElement().satisfies(p -> {
            assertThat(p.ref().name()).isEqualTo("newer");
            assertThat(p.reason()).isEqualTo(Reason.DomainConflict);
            assertThat(p.message()).contains("older");
        });
    }

    @Test
    void secondSetWithSameIdIsMarkedAndItsDomainsLeftOut() {
        var c = compiler.compile(
                List.of(domain("a", "a.example.com", "first", null), domain("b", "b.example.com", "second", null)),
                List.of(set("first", 10, "sip:127.0.0.1:5070"), set("second", 10, "sip:127.0.0.2:5070")));

        assertThat(c.model().sets()).singleElement().satisfies(s -> assertThat(s.name()).isEqualTo("first"));
        assertThat(c.problems()).extracting(Problem::reason)
                .containsExactlyInAnyOrder(Reason.SetIdConflict, Reason.DispatcherSetInvalid);
    }

    @Test
    void invalidDestinationMarksTheSetWithTheFieldPath() {
        var c = compiler.compile(List.of(domain("a", "a.example.com", "s", null)),
                List.of(set("s", 10, "sip:127.0.0.1:5070", "http://evil.example.com/")));

        assertThat(c.model().domains()).isEmpty();
        assertThat(c.problemsOf(new ObjectRef(ObjectRef.DISPATCHER_SET, "ns", "s"))).singleElement()
                .satisfies(p -> assertThat(p.field()).isEqualTo("spec.destinations[1].uri"));
    }

    @Test
    void emptyDestinationListIsInvalid() {
        var c = compiler.compile(List.of(), List.of(set("s", 10)));

        assertThat(c.problems()).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo(Reason.InvalidSpec);
            assertThat(p.field()).isEqualTo("spec.destinations");
        });
    }

    @Test
    void upperCaseDomainIsInvalid() {
        var c = compiler.compile(List.of(domain("a", "Acme.Example.com", "s", null)), List.of(set("s", 10, "sip:127.0.0.1")));

        assertThat(c.problems()).singleElement().satisfies(p -> assertThat(p.field()).isEqualTo("spec.domain"));
    }
}
