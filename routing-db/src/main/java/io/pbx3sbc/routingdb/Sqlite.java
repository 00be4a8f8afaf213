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
        String path = file.toAbsolutePath().toString()
                .replace("%", "%25").replace("?", "%3f").replace("#", "%23").replace(" ", "%20");
        return DriverManager.getConnection("jdbc:sqlite:file:" + path + "?immutable=1&mode=ro");
    }
}
