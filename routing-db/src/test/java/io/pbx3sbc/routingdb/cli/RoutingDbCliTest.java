package io.pbx3sbc.routingdb.cli;

import io.pbx3sbc.routingdb.RoutingDbReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class RoutingDbCliTest {
    /** The repository's samples, found from the module directory Maven runs tests in. */
    static final Path SAMPLES = Path.of("..", "config", "samples");

    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        out.reset();
        err.reset();
        return new RoutingDbCli(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).run(args);
    }

    @Test
    void buildOfSamplesAndImportOfItsOutputRoundTripToTheSameHash() throws Exception {
        Path first = dir.resolve("first.db");
        assertThat(run("build", SAMPLES.toString(), "--out", first.toString())).as(err.toString()).isZero();
        Path yaml = dir.resolve("imported.yaml");
        assertThat(run("import", first.toString(), "--out", yaml.toString())).as(err.toString()).isZero();
        Path second = dir.resolve("second.db");
        assertThat(run("build", yaml.toString(), "--out", second.toString(), "--version", "2")).as(err.toString()).isZero();

        var reader = new RoutingDbReader();
        assertThat(reader.read(second).contentSha256()).isEqualTo(reader.read(first).contentSha256());
        assertThat(reader.read(first).model().domains()).hasSize(4);
    }

    @Test
    void validateNamesFileObjectAndField() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                apiVersion: pbx3sbc.io/v1alpha1
                kind: DispatcherSet
                metadata: {name: broken, namespace: t}
                spec:
                  setId: 5
                  destinations:
                    - uri: sip:127.0.0.1:5060
                    - uri: not-a-uri
                ---
                apiVersion: pbx3sbc.io/v1alpha1
                kind: SipDomain
                metadata: {name: orphan, namespace: t}
                spec: {domain: orphan.example.com, dispatcherSetRef: missing}
                """);

        assertThat(run("validate", bad.toString())).isEqualTo(1);
        assertThat(err.toString())
                .contains(bad + ": DispatcherSet/t/broken spec.destinations[1].uri: InvalidSpec")
                .contains(bad + ": SipDomain/t/orphan spec.dispatcherSetRef: DispatcherSetNotFound");
    }

    @Test
    void validateAcceptsTheSamples() {
        assertThat(run("validate", SAMPLES.toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("4 SipDomain(s), 2 DispatcherSet(s) valid");
    }

    @Test
    void signsAndVerifiesAndRefusesTamperedManifest() throws Exception {
        assertThat(run("keygen", "--out-dir", dir.toString())).isZero();
        Path db = dir.resolve("routing.db");
        assertThat(run("build", SAMPLES.toString(), "--out", db.toString(), "--version", "9",
                "--signing-key", dir.resolve("signing.key").toString())).as(err.toString()).isZero();
        Path manifest = Path.of(db + ".manifest.json");

        assertThat(run("verify", db.toString(), "--manifest", manifest.toString(),
                "--public-key", dir.resolve("signing.pub").toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("verified: version 9");

        Files.writeString(manifest, Files.readString(manifest).replace("\"version\":9", "\"version\":10"));
        assertThat(run("verify", db.toString(), "--manifest", manifest.toString(),
                "--public-key", dir.resolve("signing.pub").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("signature");
    }

    @Test
    void inspectPrintsVersionCountsAndHash() {
        Path db = dir.resolve("routing.db");
        run("build", SAMPLES.toString(), "--out", db.toString(), "--version", "4", "--fleet", "edge");

        assertThat(run("inspect", db.toString())).isZero();
        assertThat(out.toString()).contains("version:        4").contains("fleet:          edge")
                .contains("domains:        4 (3 enabled)").contains("content sha256: ");
    }

    @Test
    void importsALiveClassicSeedDatabaseIncludingRowsStillInItsWal() throws Exception {
        Path classic = dir.resolve("kamailio-routing.db");
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + classic); var s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA wal_autocheckpoint=0");
            s.execute("CREATE TABLE sip_domains (domain TEXT PRIMARY KEY, dispatcher_setid INTEGER NOT NULL,"
                    + " enabled INTEGER NOT NULL DEFAULT 1, comment TEXT)");
            s.execute("CREATE TABLE dispatcher (id INTEGER PRIMARY KEY AUTOINCREMENT, setid INTEGER NOT NULL,"
                    + " destination TEXT NOT NULL, flags INTEGER DEFAULT 0, priority INTEGER DEFAULT 0, attrs TEXT)");
            s.execute("INSERT INTO sip_domains VALUES ('tenant1.example.com', 10, 1, NULL), ('tenant2.example.com', 20, 1, 'b')");
            s.execute("INSERT INTO dispatcher (setid, destination) VALUES (10, 'sip:10.0.1.10:5060'),"
                    + " (10, 'sip:10.0.1.11:5060'), (20, 'sip:10.0.2.20:5060')");
            // Kamailio's administrative states: disabled (flag 4), and draining as our builder writes it.
            s.execute("INSERT INTO dispatcher (setid, destination, flags, attrs) VALUES (20, 'sip:10.0.2.21:5060', 4, NULL),"
                    + " (20, 'sip:10.0.2.22:5060', 4, 'weight=1;state=draining')");
            assertThat(Path.of(classic + "-wal")).exists(); // the rows are still in the WAL, as on a live edge

            Path yaml = dir.resolve("tenants.yaml");
            assertThat(run("import", classic.toString(), "--namespace", "tenants", "--out", yaml.toString()))
                    .as(err.toString()).isZero();
            assertThat(Files.readString(yaml)).contains("domain: tenant2.example.com").contains("name: set-20")
                    .contains("uri: sip:10.0.1.11:5060").contains("algorithm: round-robin");
            var sets = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                    .readValues(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory().createParser(yaml.toFile()),
                            com.fasterxml.jackson.databind.JsonNode.class).readAll();
            var set20 = sets.stream().filter(n -> n.path("metadata").path("name").asText().equals("set-20")).findFirst().orElseThrow();
            java.util.Map<String, String> states = new java.util.TreeMap<>();
            set20.path("spec").path("destinations").forEach(d -> states.put(d.path("uri").asText(),
                    d.path("state").asText("active") + "/" + d.path("flags").asInt(0)));
            assertThat(states).containsExactly(java.util.Map.entry("sip:10.0.2.20:5060", "active/0"),
                    java.util.Map.entry("sip:10.0.2.21:5060", "disabled/0"), java.util.Map.entry("sip:10.0.2.22:5060", "draining/0"));
            assertThat(run("validate", yaml.toString())).as(err.toString()).isZero();
            assertThat(out.toString()).contains("2 SipDomain(s), 2 DispatcherSet(s) valid");
        }
    }

    @Test
    void unknownCommandIsAUsageError() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(err.toString()).contains("unknown command");
    }
}
