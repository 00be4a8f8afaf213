package io.pbx3sbc.routingdb;

import io.pbx3sbc.routingdb.manifest.Json;
import io.pbx3sbc.routingdb.model.Destination;
import io.pbx3sbc.routingdb.model.DispatcherSet;
import io.pbx3sbc.routingdb.model.Domain;
import io.pbx3sbc.routingdb.model.RoutingModel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a {@link RoutingModel} into a new, self-contained routing.db (rollback-journal mode, no
 * -wal/-shm beside it). Rows go in in canonical order, so the same content always yields the same
 * tables and the same content hash; wall-clock time only appears in {@code routing_version}.
 */
public final class RoutingDbBuilder {
    private static final int BATCH = 4096;

    /** What was built: where, its content hash and row counts. */
    public record Built(Path file, String contentSha256, int domains, int destinations, int sets) {
    }

    /**
     * Builds {@code target} atomically: a half-written file never appears under that name.
     *
     * @throws IllegalArgumentException when the model is not fit to route with (see {@link RoutingModel#problems()})
     */
    public Built build(RoutingModel model, VersionInfo version, Path target) throws IOException {
        requireFit(model);
        String sha = ContentHash.of(model);
        return writeAtomically(model, sha, target, tmp -> {
            Files.delete(tmp); // SQLite creates it; an empty file would be read as a database
            write(model, version, sha, tmp);
        });
    }

    /**
     * Builds {@code target} from {@code previous} (a file this builder made from {@code previousModel}): a copy
     * of it with only the changed domain rows replaced, so a one-domain change costs a file copy instead of
     * writing every row. The rows are the same as a fresh build's, so the content hash is the same; SQLite's
     * page layout may differ, which nothing reads. Builds afresh when the sets changed or many domains did.
     */
    public Built buildFrom(Path previous, RoutingModel previousModel, RoutingModel model, VersionInfo version, Path target)
            throws IOException {
        requireFit(model);
        DomainDelta delta = previousModel.sets().equals(model.sets())
                ? DomainDelta.between(previousModel.domains(), model.domains()) : null;
        if (delta == null || delta.size() > Math.max(1_000, model.domains().size() / 10) || !Files.exists(previous)) {
            return build(model, version, target);
        }
        String sha = ContentHash.of(model);
        return writeAtomically(model, sha, target, tmp -> {
            Files.copy(previous, tmp, StandardCopyOption.REPLACE_EXISTING);
            patch(tmp, delta, version, sha, model);
        });
    }

    private interface FileWriter {
        void fill(Path tmp) throws IOException, SQLException;
    }

    private static void requireFit(RoutingModel model) {
        var problems = model.problems();
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("refusing to build routing.db: " + String.join("; ", problems));
        }
    }

    /** Fills a temporary file beside {@code target}, then renames it into place: a half-written file never appears. */
    private static Built writeAtomically(RoutingModel model, String sha, Path target, FileWriter writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".building");
        try {
            writer.fill(tmp);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (SQLException e) {
            throw new IOException("could not write " + target + ": " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(Path.of(tmp + "-journal"));
        }
        return new Built(target, sha, model.domains().size(), model.destinationCount(), model.sets().size());
    }

    /** The domain rows to delete (by name) and to insert, between two models sorted by domain name. */
    record DomainDelta(List<String> removed, List<Domain> added) {
        int size() {
            return removed.size() + added.size();
        }

        static DomainDelta between(List<Domain> before, List<Domain> after) {
            List<String> removed = new ArrayList<>();
            List<Domain> added = new ArrayList<>();
            int i = 0;
            int j = 0;
            while (i < before.size() || j < after.size()) {
                int order = i == before.size() ? 1 : j == after.size() ? -1
                        : before.get(i).domain().compareTo(after.get(j).domain());
                if (order < 0) {
                    removed.add(before.get(i++).domain());
                } else if (order > 0) {
                    added.add(after.get(j++));
                } else {
                    if (!before.get(i).equals(after.get(j))) {
                        removed.add(before.get(i).domain());
                        added.add(after.get(j));
                    }
                    i++;
                    j++;
                }
            }
            return new DomainDelta(removed, added);
        }
    }

    private static void patch(Path file, DomainDelta delta, VersionInfo version, String sha, RoutingModel model)
            throws SQLException, IOException {
        try (Connection c = Sqlite.openForBuild(file)) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=OFF"); // a copy, renamed into place only when complete
                s.execute("PRAGMA synchronous=OFF");
                s.execute("PRAGMA locking_mode=EXCLUSIVE");
            }
            c.setAutoCommit(false);
            try (PreparedStatement domains = c.prepareStatement("DELETE FROM sip_domains WHERE domain = ?");
                 PreparedStatement limits = c.prepareStatement("DELETE FROM domain_rate_limits WHERE domain = ?")) {
                for (String d : delta.removed()) {
                    domains.setString(1, d);
                    domains.addBatch();
                    limits.setString(1, d);
                    limits.addBatch();
                }
                domains.executeBatch();
                limits.executeBatch();
            }
            insertDomains(c, delta.added());
            try (Statement s = c.createStatement()) {
                s.execute("DELETE FROM routing_version");
            }
            insertRoutingVersion(c, version, sha);
            // The rows must be the model's: a count that differs means the previous file was not what we think.
            long domains = count(c, "SELECT count(*) FROM sip_domains");
            long limited = count(c, "SELECT count(*) FROM domain_rate_limits");
            long expectedLimited = model.domains().stream().filter(d -> d.rateLimit() != null).count();
            if (domains != model.domains().size() || limited != expectedLimited) {
                throw new IOException("incremental build of version " + version.version() + " has " + domains + " domains and "
                        + limited + " rate limits, the model " + model.domains().size() + " and " + expectedLimited);
            }
            c.commit();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=DELETE");
            }
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : -1;
        }
    }

    private static void write(RoutingModel model, VersionInfo version, String sha, Path file) throws SQLException {
        try (Connection c = Sqlite.openForBuild(file)) {
            try (Statement s = c.createStatement()) {
                // Nothing to protect mid-build: the file is renamed into place only when complete.
                s.execute("PRAGMA journal_mode=OFF");
                s.execute("PRAGMA synchronous=OFF");
                s.execute("PRAGMA locking_mode=EXCLUSIVE");
                s.execute("PRAGMA cache_size=-65536");
            }
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                for (String ddl : Schema.CREATE_TABLES) {
                    s.execute(ddl);
                }
                s.execute("INSERT INTO version (table_name, table_version) VALUES ('version', 1)");
                s.execute("INSERT INTO version (table_name, table_version) VALUES ('dispatcher', "
                        + Schema.KAMAILIO_DISPATCHER_TABLE_VERSION + ")");
            }
            insertDomains(c, model.domains());
            insertSets(c, model);
            insertRoutingVersion(c, version, sha);
            try (Statement s = c.createStatement()) {
                for (String ddl : Schema.CREATE_INDEXES) {
                    s.execute(ddl);
                }
            }
            c.commit();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=DELETE");
            }
        }
    }

    private static void insertDomains(Connection c, List<Domain> rows) throws SQLException {
        try (PreparedStatement domains = c.prepareStatement(
                "INSERT INTO sip_domains (domain, dispatcher_setid, enabled, comment) VALUES (?, ?, ?, ?)");
             PreparedStatement limits = c.prepareStatement(
                     "INSERT INTO domain_rate_limits (domain, requests_per_second, burst) VALUES (?, ?, ?)")) {
            int pending = 0;
            for (Domain d : rows) {
                domains.setString(1, d.domain());
                domains.setInt(2, d.setId());
                domains.setInt(3, d.enabled() ? 1 : 0);
                if (d.comment() == null) {
                    domains.setNull(4, Types.VARCHAR);
                } else {
                    domains.setString(4, d.comment());
                }
                domains.addBatch();
                if (d.rateLimit() != null) {
                    limits.setString(1, d.domain());
                    limits.setInt(2, d.rateLimit().requestsPerSecond());
                    limits.setInt(3, d.rateLimit().burst());
                    limits.addBatch();
                }
                if (++pending == BATCH) {
                    domains.executeBatch();
                    limits.executeBatch();
                    pending = 0;
                }
            }
            domains.executeBatch();
            limits.executeBatch();
        }
    }

    private static void insertSets(Connection c, RoutingModel model) throws SQLException {
        try (PreparedStatement sets = c.prepareStatement(
                "INSERT INTO dispatcher_sets (setid, name, algorithm, probe_method, probe_interval_s,"
                        + " probing_threshold, inactive_threshold, probe_reply_codes, probe_timeout_ms)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
             PreparedStatement dests = c.prepareStatement(
                     "INSERT INTO dispatcher (setid, destination, flags, priority, attrs) VALUES (?, ?, ?, ?, ?)")) {
            for (DispatcherSet s : model.sets()) {
                sets.setInt(1, s.setId());
                sets.setString(2, s.name());
                sets.setString(3, s.algorithm().wireName());
                sets.setString(4, s.probing().method());
                sets.setInt(5, s.probing().intervalSeconds());
                sets.setInt(6, s.probing().probingThreshold());
                sets.setInt(7, s.probing().inactiveThreshold());
                sets.setString(8, s.probing().replyCodesText());
                sets.setInt(9, s.probing().timeoutMillis());
                sets.addBatch();
            }
            sets.executeBatch();
            int pending = 0;
            for (Destination d : model.destinations()) {
                dests.setInt(1, d.setId());
                dests.setString(2, d.uri());
                dests.setInt(3, d.flagsColumn());
                dests.setInt(4, d.priority());
                dests.setString(5, d.attrsColumn());
                dests.addBatch();
                if (++pending == BATCH) {
                    dests.executeBatch();
                    pending = 0;
                }
            }
            dests.executeBatch();
        }
    }

    private static void insertRoutingVersion(Connection c, VersionInfo v, String sha) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(
                "INSERT INTO routing_version (version, schema_version, content_sha256, fleet, created_at,"
                        + " source_generations) VALUES (?, ?, ?, ?, ?, ?)")) {
            p.setLong(1, v.version());
            p.setInt(2, Schema.VERSION);
            p.setString(3, sha);
            p.setString(4, v.fleet());
            p.setString(5, v.createdAt().toString());
            p.setString(6, new String(Json.write(v.sourceGenerations()), StandardCharsets.UTF_8));
            p.executeUpdate();
        }
    }
}
