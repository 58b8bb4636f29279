package io.litefleet.testkit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The logical content of a SQLite database as a SHA-256 over its schema and every row of every table in rowid
 * order, and its {@code PRAGMA integrity_check} verdict. Two databases with equal hashes hold the same data,
 * whatever their page layout. Opens the file read-only (a WAL database's pending frames are included).
 */
public final class DbContent {
    private DbContent() {
    }

    /** The content hash of the database at {@code db}. */
    public static String hash(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro")) {
            return hash(c);
        }
    }

    /** The content hash as seen through an open connection. */
    public static String hash(Connection c) throws SQLException {
        MessageDigest md = sha256();
        List<String> tables = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master "
                     + "ORDER BY type, name")) {
            while (rs.next()) {
                for (int i = 1; i <= 4; i++) {
                    update(md, rs.getString(i));
                }
                if ("table".equals(rs.getString(1)) && !rs.getString(2).startsWith("sqlite_")) {
                    tables.add(rs.getString(2));
                }
            }
        }
        for (String t : tables) {
            update(md, "table " + t);
            String quoted = "\"" + t.replace("\"", "\"\"") + "\"";
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT * FROM " + quoted + " ORDER BY rowid")) {
                ResultSetMetaData md2 = rs.getMetaData();
                while (rs.next()) {
                    for (int i = 1; i <= md2.getColumnCount(); i++) {
                        byte[] v = rs.getBytes(i);
                        update(md, v == null ? "\u0000null" : HexFormat.of().formatHex(v));
                    }
                }
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** {@code PRAGMA integrity_check}'s verdict: {@code ok} or the problems, one per line. */
    public static String integrityCheck(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA integrity_check")) {
            StringBuilder sb = new StringBuilder();
            while (rs.next()) {
                sb.append(sb.isEmpty() ? "" : "\n").append(rs.getString(1));
            }
            return sb.toString();
        }
    }

    private static void update(MessageDigest md, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        md.update((byte) (b.length >>> 24));
        md.update((byte) (b.length >>> 16));
        md.update((byte) (b.length >>> 8));
        md.update((byte) b.length);
        md.update(b);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
