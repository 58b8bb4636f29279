package io.litefleet.core.cli;

import io.litefleet.testkit.SqliteFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;

/** Files the command-line ITs share: a small WAL database, and logs read while a process may still write them. */
final class ItFiles {
    private ItFiles() {
    }

    /** A WAL database at {@code p} with table {@code t(id, v)} holding one row {@code v}. */
    static Path walDb(Path p, String v) throws Exception {
        try (Connection c = SqliteFiles.open(p)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)",
                    "INSERT INTO t(v) VALUES ('" + v.replace("'", "''") + "')");
        }
        return p;
    }

    /** The file's text, empty while it does not exist, the error's text if it cannot be read (for messages). */
    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
