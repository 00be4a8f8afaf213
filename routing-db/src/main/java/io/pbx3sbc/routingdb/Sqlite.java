package io.pbx3sbc.routingdb;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** Opening SQLite files the two ways routing-db needs. */
final class Sqlite {
    private Sqlite() {
    }

    /** A new file being built by this process alone. */
    static Connection openForBuild(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
    }

    /**
     * A shipped file, read only. {@code immutable=1} skips SQLite's file locking and WAL checks on
     * every statement (a large cost on small VMs) and works on a read-only mount; it is right because
     * nobody writes a published version.
     */
    static Connection openImmutable(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:file:" + uriPath(file) + "?immutable=1&mode=ro");
    }

    /**
     * Any file, read only, honouring a WAL beside it: a classic edge's live routing.db (WAL mode,
     * replicated by Litestream) may hold rows not yet checkpointed, which {@code immutable=1} would miss.
     */
    static Connection openReadOnly(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:file:" + uriPath(file) + "?mode=ro");
    }

    private static String uriPath(Path file) {
        return file.toAbsolutePath().toString()
                .replace("%", "%25").replace("?", "%3f").replace("#", "%23").replace(" ", "%20");
    }
}
