package io.pbx3sbc.routingdb;

import com.fasterxml.jackson.core.type.TypeReference;
import io.pbx3sbc.routingdb.manifest.Json;
import io.pbx3sbc.routingdb.model.Algorithm;
import io.pbx3sbc.routingdb.model.Destination;
import io.pbx3sbc.routingdb.model.DispatcherSet;
import io.pbx3sbc.routingdb.model.Domain;
import io.pbx3sbc.routingdb.model.Probing;
import io.pbx3sbc.routingdb.model.RateLimit;
import io.pbx3sbc.routingdb.model.RoutingModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Loads a routing.db into an immutable {@link RoutingDb}. Reads our schema-1 files and classic
 * seed files (only {@code sip_domains} and {@code dispatcher}; sets then get the seed's defaults:
 * round-robin, OPTIONS every 30 s). It checks that rows make sense, not that the file may be used:
 * that is {@link RoutingDbValidator}'s job.
 */
public final class RoutingDbReader {

    /** Reads any routing.db, including a classic edge's live WAL-mode file (see {@link Sqlite#openReadOnly}). */
    public RoutingDb read(Path file) throws InvalidRoutingDbException {
        if (!Files.isRegularFile(file)) {
            throw new InvalidRoutingDbException(file + " does not exist or is not a file");
        }
        try (Connection c = Sqlite.openReadOnly(file)) {
            return read(c);
        } catch (SQLException e) {
            throw new InvalidRoutingDbException("cannot read " + file + " as SQLite: " + e.getMessage(), e);
        }
    }

    RoutingDb read(Connection c) throws SQLException, InvalidRoutingDbException {
        Set<String> tables = tables(c);
        for (String required : List.of(Schema.SIP_DOMAINS, Schema.DISPATCHER)) {
            if (!tables.contains(required)) {
                throw new InvalidRoutingDbException("table " + required + " is missing");
            }
        }
        Map<String, RateLimit> limits = tables.contains(Schema.DOMAIN_RATE_LIMITS) ? rateLimits(c) : Map.of();
        List<Domain> domains = domains(c, limits);
        Map<Integer, List<Destination>> destinations = destinations(c);
        List<DispatcherSet> sets = sets(c, tables.contains(Schema.DISPATCHER_SETS), destinations);
        RoutingModel model = new RoutingModel(domains, sets);
        String contentSha = ContentHash.of(model);
        if (!tables.contains(Schema.ROUTING_VERSION)) {
            return new RoutingDb(Optional.empty(), 0, null, contentSha, model);
        }
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, schema_version, content_sha256, fleet, created_at,"
                     + " source_generations FROM routing_version")) {
            if (!rs.next()) {
                throw new InvalidRoutingDbException("table routing_version has no row");
            }
            long version = rs.getLong(1);
            int schemaVersion = rs.getInt(2);
            String stored = rs.getString(3);
            VersionInfo info;
            try {
                Map<String, Long> generations = Json.MAPPER.readValue(rs.getString(6), new TypeReference<TreeMap<String, Long>>() {
                });
                info = new VersionInfo(version, rs.getString(4), Instant.parse(rs.getString(5)), generations);
            } catch (IOException | RuntimeException e) {
                throw new InvalidRoutingDbException("routing_version row is malformed: " + e.getMessage(), e);
            }
            if (rs.next()) {
                throw new InvalidRoutingDbException("table routing_version has more than one row");
            }
            return new RoutingDb(Optional.of(info), schemaVersion, stored, contentSha, model);
        }
    }

    static Set<String> tables(Connection c) throws SQLException {
        Set<String> names = new HashSet<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    private static Map<String, RateLimit> rateLimits(Connection c) throws SQLException, InvalidRoutingDbException {
        Map<String, RateLimit> limits = new HashMap<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT domain, requests_per_second, burst FROM domain_rate_limits")) {
            while (rs.next()) {
                String domain = rs.getString(1);
                try {
                    limits.put(domain, new RateLimit(rs.getInt(2), rs.getInt(3)));
                } catch (IllegalArgumentException e) {
                    throw new InvalidRoutingDbException("domain_rate_limits row for " + domain + ": " + e.getMessage());
                }
            }
        }
        return limits;
    }

    private static List<Domain> domains(Connection c, Map<String, RateLimit> limits)
            throws SQLException, InvalidRoutingDbException {
        List<Domain> domains = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT domain, dispatcher_setid, enabled, comment FROM sip_domains")) {
            while (rs.next()) {
                String name = rs.getString(1);
                try {
                    domains.add(new Domain(name, rs.getInt(2), rs.getInt(3) != 0, rs.getString(4), limits.get(name)));
                } catch (IllegalArgumentException e) {
                    throw new InvalidRoutingDbException("sip_domains row '" + name + "': " + e.getMessage());
                }
                seen.add(name);
            }
        }
        for (String limited : limits.keySet()) {
            if (!seen.contains(limited)) {
                throw new InvalidRoutingDbException("domain_rate_limits names " + limited + ", which is not in sip_domains");
            }
        }
        return domains;
    }

    private static Map<Integer, List<Destination>> destinations(Connection c)
            throws SQLException, InvalidRoutingDbException {
        Map<Integer, List<Destination>> bySet = new TreeMap<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, setid, destination, flags, priority, attrs FROM dispatcher")) {
            while (rs.next()) {
                int setId = rs.getInt(2);
                try {
                    bySet.computeIfAbsent(setId, k -> new ArrayList<>())
                            .add(Destination.fromColumns(setId, rs.getString(3), rs.getInt(4), rs.getInt(5), rs.getString(6)));
                } catch (IllegalArgumentException e) {
                    throw new InvalidRoutingDbException("dispatcher row id=" + rs.getLong(1) + ": " + e.getMessage());
                }
            }
        }
        return bySet;
    }

    private static List<DispatcherSet> sets(Connection c, boolean hasSetTable, Map<Integer, List<Destination>> destinations)
            throws SQLException, InvalidRoutingDbException {
        Map<Integer, DispatcherSet> sets = new TreeMap<>();
        if (hasSetTable) {
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT setid, name, algorithm, probe_method, probe_interval_s,"
                         + " probing_threshold, inactive_threshold, probe_reply_codes, probe_timeout_ms FROM dispatcher_sets")) {
                while (rs.next()) {
                    int setId = rs.getInt(1);
                    try {
                        Probing probing = new Probing(rs.getString(4), rs.getInt(5), rs.getInt(6), rs.getInt(7),
                                Probing.parseReplyCodes(rs.getString(8)), rs.getInt(9));
                        sets.put(setId, new DispatcherSet(setId, rs.getString(2), Algorithm.fromWireName(rs.getString(3)),
                                probing, destinations.getOrDefault(setId, List.of())));
                    } catch (IllegalArgumentException e) {
                        throw new InvalidRoutingDbException("dispatcher_sets row setid=" + setId + ": " + e.getMessage());
                    }
                }
            }
        }
        for (var entry : destinations.entrySet()) {
            if (!sets.containsKey(entry.getKey())) {
                try {
                    sets.put(entry.getKey(), new DispatcherSet(entry.getKey(), "", Algorithm.ROUND_ROBIN,
                            Probing.DEFAULT, entry.getValue()));
                } catch (IllegalArgumentException e) {
                    throw new InvalidRoutingDbException("dispatcher set " + entry.getKey() + ": " + e.getMessage());
                }
            }
        }
        return List.copyOf(sets.values());
    }
}
