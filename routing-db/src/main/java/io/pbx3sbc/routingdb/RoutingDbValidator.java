package io.pbx3sbc.routingdb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Decides whether a routing.db may be used, and says why not. A file passes only when SQLite finds
 * it intact, it has every schema-1 table, its schema version is one this code understands, its rows
 * hash to the content hash it claims, and its content is fit to route with (no duplicate domain, no
 * enabled domain without destinations, every destination a SIP URI).
 */
public final class RoutingDbValidator {
    private final RoutingDbReader reader = new RoutingDbReader();

    /** Returns the loaded database, or throws with the first reason it must be refused. */
    public RoutingDb validate(Path file) throws InvalidRoutingDbException {
        if (!Files.isRegularFile(file)) {
            throw new InvalidRoutingDbException(file + " does not exist or is not a file");
        }
        try (Connection c = Sqlite.openImmutable(file)) {
            checkIntegrity(c);
            checkTables(c);
            checkSchemaVersion(c);
            checkKamailioVersionRow(c);
            RoutingDb db = reader.read(c);
            if (!db.contentSha256().equals(db.storedSha256())) {
                throw new InvalidRoutingDbException("content hash mismatch: rows hash to " + db.contentSha256()
                        + " but routing_version claims " + db.storedSha256());
            }
            List<String> problems = db.model().problems();
            if (!problems.isEmpty()) {
                throw new InvalidRoutingDbException(problems.get(0)
                        + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problems)" : ""));
            }
            return db;
        } catch (SQLException e) {
            throw new InvalidRoutingDbException("cannot read " + file + " as SQLite: " + e.getMessage(), e);
        }
    }

    private static void checkIntegrity(Connection c) throws SQLException, InvalidRoutingDbException {
        List<String> messages = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
            while (rs.next()) {
                messages.add(rs.getString(1));
            }
        }
        if (!messages.equals(List.of("ok"))) {
            throw new InvalidRoutingDbException("integrity check failed: "
                    + String.join("; ", messages.subList(0, Math.min(3, messages.size()))));
        }
    }

    private static void checkTables(Connection c) throws SQLException, InvalidRoutingDbException {
        Set<String> present = RoutingDbReader.tables(c);
        List<String> missing = Schema.REQUIRED_TABLES.stream().filter(t -> !present.contains(t)).toList();
        if (!missing.isEmpty()) {
            throw new InvalidRoutingDbException("missing tables: " + String.join(", ", missing));
        }
    }

    /** Before reading rows: a newer schema may have changed them. */
    private static void checkSchemaVersion(Connection c) throws SQLException, InvalidRoutingDbException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT schema_version FROM routing_version")) {
            if (!rs.next()) {
                throw new InvalidRoutingDbException("table routing_version has no row");
            }
            int found = rs.getInt(1);
            if (found > Schema.VERSION) {
                throw new InvalidRoutingDbException("schema version " + found
                        + " is newer than the supported version " + Schema.VERSION);
            }
            if (found != Schema.VERSION) {
                throw new InvalidRoutingDbException("unknown schema version " + found + " (supported: " + Schema.VERSION + ")");
            }
        }
    }

    private static void checkKamailioVersionRow(Connection c) throws SQLException, InvalidRoutingDbException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT table_version FROM version WHERE table_name = 'dispatcher'")) {
            if (!rs.next() || rs.getInt(1) != Schema.KAMAILIO_DISPATCHER_TABLE_VERSION) {
                throw new InvalidRoutingDbException("Kamailio version table must say dispatcher = "
                        + Schema.KAMAILIO_DISPATCHER_TABLE_VERSION);
            }
        }
    }
}
