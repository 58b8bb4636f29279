package io.litefleet.core.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The logical content of a SQLite database, as {@code verify} compares a restore with its source: SHA-256 over the
 * schema ({@code sqlite_master}, sorted) and every row of every table in rowid order, so two files with different
 * page layouts but the same data compare equal. The file is opened read-only (a source's committed {@code -wal}
 * frames count); the source's own writers are not disturbed beyond a read transaction.
 */
final class ContentHash {
    private ContentHash() {
    }

    /** The hash, hex; an unreadable file is an {@link IOException} naming it. */
    static String of(Path db) throws IOException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro")) {
            c.setAutoCommit(false); // one read transaction: schema and rows from the same state
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            List<String> tables = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master ORDER BY type, name")) {
                while (rs.next()) {
                    for (int col = 1; col <= 4; col++) {
                        field(md, rs.getString(col).getBytes(StandardCharsets.UTF_8));
                    }
                    if (rs.getString(1).equals("table") && !rs.getString(2).startsWith("sqlite_")) {
                        tables.add(rs.getString(2));
                    }
                }
            }
            for (String table : tables) {
                rows(c, table, md);
            }
            c.rollback();
            return HexFormat.of().formatHex(md.digest());
        } catch (SQLException e) {
            throw new IOException(db + ": cannot read as a SQLite database: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void rows(Connection c, String table, MessageDigest md) throws SQLException {
        field(md, ("table " + table).getBytes(StandardCharsets.UTF_8));
        String quoted = "\"" + table.replace("\"", "\"\"") + "\"";
        String sql = "SELECT * FROM " + quoted + " ORDER BY rowid";
        if (withoutRowid(c, table)) { // its primary key orders it; every column sorts the same rows the same way
            int n;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + quoted
                    + " LIMIT 0")) {
                n = rs.getMetaData().getColumnCount();
            }
            sql = "SELECT * FROM " + quoted + " ORDER BY " + String.join(", ",
                    java.util.stream.IntStream.rangeClosed(1, n).mapToObj(Integer::toString).toList());
        }
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                for (int col = 1; col <= columns; col++) {
                    field(md, rs.getBytes(col));
                }
            }
        }
    }

    private static boolean withoutRowid(Connection c, String table) throws SQLException {
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT wr FROM pragma_table_list WHERE name = ?")) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getInt(1) == 1;
            }
        }
    }

    /** A length-prefixed field (-1 for NULL), so that field boundaries cannot shift between two contents. */
    private static void field(MessageDigest md, byte[] v) {
        int n = v == null ? -1 : v.length;
        md.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        if (v != null) {
            md.update(v);
        }
    }
}
