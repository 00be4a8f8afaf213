package io.pbx3sbc.routingdb;

import io.pbx3sbc.routingdb.model.Destination;
import io.pbx3sbc.routingdb.model.DispatcherSet;
import io.pbx3sbc.routingdb.model.Domain;
import io.pbx3sbc.routingdb.model.RoutingModel;
import io.pbx3sbc.routingdb.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoutingDbBuilderTest {
    @TempDir
    Path dir;

    private final RoutingDbBuilder builder = new RoutingDbBuilder();

    @Test
    void readsBackWhatItBuilt() throws Exception {
        RoutingModel model = Fixtures.twoTenants();
        var built = builder.build(model, Fixtures.version(7), dir.resolve("routing.db"));

        RoutingDb db = new RoutingDbReader().read(built.file());

        assertThat(db.model()).isEqualTo(model);
        assertThat(db.contentSha256()).isEqualTo(built.contentSha256()).isEqualTo(db.storedSha256());
        assertThat(db.version()).contains(Fixtures.version(7));
        assertThat(db.schemaVersion()).isEqualTo(Schema.VERSION);
    }

    @Test
    void sameContentInAnyOrderHashesTheSame() throws Exception {
        RoutingModel model = Fixtures.twoTenants();
        List<Domain> domains = new ArrayList<>(model.domains());
        Collections.reverse(domains);
        List<DispatcherSet> sets = new ArrayList<>();
        for (DispatcherSet s : model.sets()) {
            List<Destination> dests = new ArrayList<>(s.destinations());
            Collections.reverse(dests);
            sets.add(0, new DispatcherSet(s.setId(), s.name(), s.algorithm(), s.probing(), dests));
        }
        var a = builder.build(model, Fixtures.version(1), dir.resolve("a.db"));
        var b = builder.build(new RoutingModel(domains, sets),
                new VersionInfo(2, "other", Instant.now(), Map.of()), dir.resolve("b.db"));

        assertThat(b.contentSha256()).isEqualTo(a.contentSha256());
    }

    @Test
    void differentContentHashesDifferently() throws Exception {
        RoutingModel model = Fixtures.twoTenants();
        List<Domain> domains = new ArrayList<>(model.domains());
        domains.set(0, new Domain(domains.get(0).domain(), domains.get(0).setId(), !domains.get(0).enabled(),
                domains.get(0).comment(), domains.get(0).rateLimit()));

        assertThat(ContentHash.of(new RoutingModel(domains, model.sets()))).isNotEqualTo(ContentHash.of(model));
    }

    @Test
    void shipsOneSelfContainedFileInRollbackJournalMode() throws Exception {
        Path file = builder.build(Fixtures.twoTenants(), Fixtures.version(1), dir.resolve("routing.db")).file();

        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("routing.db");
        }
        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file);
             ResultSet rs = c.createStatement().executeQuery("PRAGMA journal_mode")) {
            assertThat(rs.getString(1)).isEqualTo("delete");
        }
    }

    @Test
    void writesKamailioVersionRowAndClassicColumns() throws Exception {
        Path file = builder.build(Fixtures.twoTenants(), Fixtures.version(1), dir.resolve("routing.db")).file();

        try (var c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            ResultSet v = c.createStatement().executeQuery("SELECT table_version FROM version WHERE table_name='dispatcher'");
            assertThat(v.getInt(1)).isEqualTo(4);
            ResultSet d = c.createStatement().executeQuery(
                    "SELECT setid, destination, flags, priority, attrs FROM dispatcher ORDER BY id");
            assertThat(d.next()).isTrue();
            // Highest priority first within a set; weight where Kamailio reads it.
            assertThat(d.getString("destination")).isEqualTo("sip:127.0.0.11:5060");
            assertThat(d.getString("attrs")).isEqualTo("weight=1");
            ResultSet s = c.createStatement().executeQuery(
                    "SELECT dispatcher_setid FROM sip_domains WHERE domain='tenant1.example.com' AND enabled=1");
            assertThat(s.getInt(1)).isEqualTo(10);
        }
    }

    @Test
    void refusesModelWithEnabledDomainWithoutDestinations() {
        RoutingModel model = new RoutingModel(List.of(new Domain("lonely.example.com", 99, true, null, null)), List.of());

        assertThatThrownBy(() -> builder.build(model, Fixtures.version(1), dir.resolve("x.db")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lonely.example.com");
        assertThat(dir.resolve("x.db")).doesNotExist();
    }

    @Test
    void aBuildFromThePreviousFileHoldsExactlyTheRowsOfAFreshBuild() throws Exception {
        RoutingModel before = Fixtures.twoTenants();
        var v1 = builder.build(before, Fixtures.version(1), dir.resolve("v1.db"));
        Domain first = before.domains().get(0);
        List<Domain> domains = new ArrayList<>(before.domains().subList(1, before.domains().size()));
        domains.add(new Domain(first.domain(), first.setId(), !first.enabled(), "edited", new io.pbx3sbc.routingdb.model.RateLimit(5, 10)));
        domains.add(new Domain("new.example.com", first.setId(), true, null, null));
        RoutingModel after = new RoutingModel(domains, before.sets());

        var patched = builder.buildFrom(v1.file(), before, after, Fixtures.version(2), dir.resolve("v2.db"));
        var fresh = builder.build(after, Fixtures.version(2), dir.resolve("fresh.db"));

        RoutingDb db = new RoutingDbValidator().validate(patched.file());
        assertThat(db.model()).isEqualTo(after);
        assertThat(patched.contentSha256()).isEqualTo(fresh.contentSha256()).isEqualTo(db.contentSha256());
        assertThat(db.version()).contains(Fixtures.version(2));
        assertThat(Files.exists(v1.file())).as("the previous version's file is left as it was").isTrue();
        assertThat(new RoutingDbReader().read(v1.file()).model()).isEqualTo(before);
    }
}
