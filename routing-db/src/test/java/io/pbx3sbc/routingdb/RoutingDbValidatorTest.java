package io.pbx3sbc.routingdb;

import io.pbx3sbc.routingdb.testing.Fixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoutingDbValidatorTest {
    @TempDir
    Path dir;
    Path file;
    private final RoutingDbValidator validator = new RoutingDbValidator();

    @BeforeEach
    void build() throws Exception {
        file = new RoutingDbBuilder().build(Fixtures.twoTenants(), Fixtures.version(3), dir.resolve("routing.db")).file();
    }

    @Test
    void acceptsWhatTheBuilderWrote() throws Exception {
        assertThat(validator.validate(file).model()).isEqualTo(Fixtures.twoTenants());
    }

    @Test
    void refusesTamperedRowWithHashMismatch() throws Exception {
        sql("UPDATE dispatcher SET destination = 'sip:203.0.113.66:5060' WHERE setid = 20");

        assertRefused("content hash mismatch");
    }

    @Test
    void refusesCorruptFile() throws Exception {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long size = raf.length();
            for (long pos = 4096 + 100; pos < size; pos += 4096) { // wreck a cell area of every page but the first
                raf.seek(pos);
                raf.write(new byte[64]);
                raf.seek(pos - 90);
                raf.write(new byte[]{(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            }
        }
        assertThatThrownBy(() -> validator.validate(file)).isInstanceOf(InvalidRoutingDbException.class)
                .message().satisfiesAnyOf(m -> assertThat(m).contains("integrity check failed"),
                        m -> assertThat(m).contains("cannot read"));
    }

    @Test
    void refusesFileThatIsNotSqlite() throws Exception {
        Files.writeString(file, "definitely not a database, just some text that is long enough ".repeat(100));

        assertRefused("cannot read");
    }

    @Test
    void refusesNewerSchemaVersion() throws Exception {
        sql("UPDATE routing_version SET schema_version = 2");

        assertRefused("schema version 2 is newer than the supported version 1");
    }

    @Test
    void refusesMissingTable() throws Exception {
        sql("DROP TABLE dispatcher_sets");

        assertRefused("missing tables: dispatcher_sets");
    }

    @Test
    void refusesEnabledDomainWhoseSetHasNoDestinationEvenWithMatchingHash() throws Exception {
        sql("DELETE FROM dispatcher WHERE setid = 20");
        rehash();

        assertRefused("enabled domain tenant2.example.com points at set 20, which has no destination");
    }

    @Test
    void refusesDestinationThatIsNotASipUri() throws Exception {
        sql("UPDATE dispatcher SET destination = 'http://127.0.0.21/' WHERE setid = 20");

        assertRefused("is not a SIP URI");
    }

    @Test
    void refusesDuplicateDomains() throws Exception {
        sql("CREATE TABLE d2 AS SELECT * FROM sip_domains; DROP TABLE sip_domains; ALTER TABLE d2 RENAME TO sip_domains;"
                + " INSERT INTO sip_domains SELECT * FROM sip_domains WHERE domain = 'tenant2.example.com'");
        rehash();

        assertRefused("domain tenant2.example.com appears more than once");
    }

    private void assertRefused(String reason) {
        assertThatThrownBy(() -> validator.validate(file)).isInstanceOf(InvalidRoutingDbException.class)
                .hasMessageContaining(reason);
    }

    private void sql(String statements) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            for (String stmt : statements.split(";")) {
                s.execute(stmt);
            }
        }
    }

    /** Make the stored hash match the tampered rows, so the rule under test is the one that fires. */
    private void rehash() throws Exception {
        String sha = new RoutingDbReader().read(file).contentSha256();
        sql("UPDATE routing_version SET content_sha256 = '" + sha + "'");
    }
}
