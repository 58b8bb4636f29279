package io.litefleet.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * SQLite database files for tests: built with sqlite-jdbc, read back as pages with plain file I/O, compared by
 * content hash, checked with {@code PRAGMA integrity_check}. Stateless; safe from any thread.
 */
public final class SqliteFiles {
    private SqliteFiles() {
    }

    /** Opens (creating) a database; the caller closes the connection. */
    public static Connection open(Path db) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + db);
    }

    /** Executes statements in order. */
    public static void exec(Connection c, String... sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        }
    }

    /** The first column of the first row, or null when there is no row. */
    public static String queryString(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** The page size recorded in a database file's header. */
    public static int pageSize(byte[] file) {
        int v = (file[16] & 0xFF) << 8 | (file[17] & 0xFF);
        return v == 1 ? 65536 : v;
    }

    /** The pages of a database file, index = page number (index 0 unused). */
    public static byte[][] pages(Path db) throws IOException {
        byte[] file = Files.readAllBytes(db);
        int pageSize = pageSize(file);
        if (file.length % pageSize != 0) {
            throw new IOException(db + " is not a whole number of pages");
        }
        byte[][] pages = new byte[file.length / pageSize + 1][];
        for (int pgno = 1; pgno < pages.length; pgno++) {
            pages[pgno] = Arrays.copyOfRange(file, (pgno - 1) * pageSize, pgno * pageSize);
        }
        return pages;
    }

    /** A content hash of a whole file, to print in failure messages. */
    public static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code PRAGMA integrity_check} of a database, opened read-only. */
    public static String integrityCheck(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro")) {
            return queryString(c, "PRAGMA integrity_check");
        }
    }

    /**
     * The journal mode the file itself records, read from its header without opening it (bytes 18 and 19: 2 for
     * WAL): {@code wal}, or {@code delete} for a rollback-journal database.
     */
    public static String journalMode(Path db) throws IOException {
        byte[] header = new byte[20];
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(db)) {
            if (in.readNBytes(header, 0, header.length) != header.length) {
                throw new IOException(db + ": shorter than a SQLite header");
            }
        }
        return header[18] == 2 && header[19] == 2 ? "wal" : "delete";
    }
}
