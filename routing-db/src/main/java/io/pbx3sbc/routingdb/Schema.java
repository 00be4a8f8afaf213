package io.pbx3sbc.routingdb;

import java.util.List;

/**
 * Schema version 1 of routing.db, in one place.
 *
 * <p>{@code sip_domains} and {@code dispatcher} are the seed's tables, unchanged, so the seed's
 * Kamailio configuration (sqlops domain lookup, dispatcher module) reads our file as it is.
 * {@code version} is Kamailio's own table (as in db_sqlite's standard-create.sql); the row
 * {@code dispatcher = 4} makes Kamailio 5.6 load {@code setid, destination, flags, priority, attrs}.
 * Everything the seed lacks lives in tables of our own.
 */
public final class Schema {
    public static final int VERSION = 1;

    /** Kamailio's dispatcher table version that matches the seed's columns. */
    public static final int KAMAILIO_DISPATCHER_TABLE_VERSION = 4;

    public static final String SIP_DOMAINS = "sip_domains";
    public static final String DISPATCHER = "dispatcher";
    public static final String KAMAILIO_VERSION = "version";
    public static final String DISPATCHER_SETS = "dispatcher_sets";
    public static final String DOMAIN_RATE_LIMITS = "domain_rate_limits";
    public static final String ROUTING_VERSION = "routing_version";

    /** Tables a schema-1 file must have. */
    public static final List<String> REQUIRED_TABLES =
            List.of(KAMAILIO_VERSION, SIP_DOMAINS, DISPATCHER, DISPATCHER_SETS, DOMAIN_RATE_LIMITS, ROUTING_VERSION);

    /** Tables (besides the two classic ones) created before data is loaded. */
    static final List<String> CREATE_TABLES = List.of(
            """
            CREATE TABLE version (
                id INTEGER PRIMARY KEY NOT NULL,
                table_name VARCHAR(32) NOT NULL,
                table_version INTEGER DEFAULT 0 NOT NULL,
                CONSTRAINT version_table_name_idx UNIQUE (table_name)
            )""",
            """
            CREATE TABLE sip_domains (
                domain TEXT PRIMARY KEY,
                dispatcher_setid INTEGER NOT NULL,
                enabled INTEGER NOT NULL DEFAULT 1,
                comment TEXT
            )""",
            """
            CREATE TABLE dispatcher (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                setid INTEGER NOT NULL,
                destination TEXT NOT NULL,
                flags INTEGER DEFAULT 0,
                priority INTEGER DEFAULT 0,
                attrs TEXT
            )""",
            """
            CREATE TABLE dispatcher_sets (
                setid INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                algorithm TEXT NOT NULL,
                probe_method TEXT NOT NULL,
                probe_interval_s INTEGER NOT NULL,
                probing_threshold INTEGER NOT NULL,
                inactive_threshold INTEGER NOT NULL,
                probe_reply_codes TEXT NOT NULL,
                probe_timeout_ms INTEGER NOT NULL
            )""",
            """
            CREATE TABLE domain_rate_limits (
                domain TEXT PRIMARY KEY,
                requests_per_second INTEGER NOT NULL,
                burst INTEGER NOT NULL
            )""",
            """
            CREATE TABLE routing_version (
                version INTEGER NOT NULL,
                schema_version INTEGER NOT NULL,
                content_sha256 TEXT NOT NULL,
                fleet TEXT NOT NULL,
                created_at TEXT NOT NULL,
                source_generations TEXT NOT NULL
            )""");

    /** Indexes, created after the bulk insert (faster, same content). */
    static final List<String> CREATE_INDEXES = List.of(
            "CREATE INDEX idx_sip_domains_enabled ON sip_domains(enabled)",
            "CREATE INDEX idx_dispatcher_setid ON dispatcher(setid)");

    private Schema() {
    }
}
