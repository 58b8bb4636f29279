package io.litefleet.core.wal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/** Seeded SQL workloads and the database checks the WAL tests share. */
final class Workload {
    static final String TABLE = "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB);"
            + " CREATE INDEX t_len ON t(length(v))";

    private Workload() {
    }

    /** Creates a WAL-mode database with the test table; the creating session closes, so no -wal is left. */
    static void create(SqliteSession.Driver driver, Path db, int pageSize) throws Exception {
        try (SqliteSession s = driver.open(db)) {
            s.exec("PRAGMA page_size=" + pageSize);
            s.exec("PRAGMA journal_mode=WAL");
            for (String sql : TABLE.split(";")) {
                s.exec(sql.strip());
            }
        }
    }

    /**
     * {@code count} transactions, each starting with an insert (so each commits at least one frame); the first
     * inserts 3000 rows (many pages), some later ones insert
     * blobs larger than a page (overflow chains), some hundreds of rows (many pages), some update or delete.
     */
    static List<List<String>> transactions(Random random, int count, int pageSize) {
        List<List<String>> txs = new ArrayList<>();
        txs.add(List.of(insert(1), "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3000)"
                + " INSERT INTO t(v) SELECT randomblob(400) FROM c"));
        for (int i = 1; i < count; i++) {
            List<String> tx = new ArrayList<>();
            tx.add(insert(random.nextInt(10) == 0 ? pageSize * 3 + random.nextInt(150_000) : 1 + random.nextInt(300)));
            switch (random.nextInt(5)) {
                case 0 -> tx.add("WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < "
                        + (50 + random.nextInt(400)) + ") INSERT INTO t(v) SELECT randomblob(200) FROM c");
                case 1 -> tx.add("UPDATE t SET v = randomblob(" + random.nextInt(2 * pageSize) + ") WHERE id % 5 = "
                        + random.nextInt(5));
                case 2 -> tx.add("DELETE FROM t WHERE id % 11 = " + random.nextInt(11));
                default -> tx.add(insert(random.nextInt(100)));
            }
            txs.add(tx);
        }
        return txs;
    }

    private static String insert(int bytes) {
        return "INSERT INTO t(v) VALUES (randomblob(" + bytes + "))";
    }

    /** SHA-256 over every row, read through SQLite, after checking integrity. Works on a copy of {@code db}. */
    static String contentDigest(Path db) throws Exception {
        Path copy = Files.createTempFile(db.getParent(), "digest-", ".db");
        Files.copy(db, copy, StandardCopyOption.REPLACE_EXISTING);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy);
                Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("PRAGMA integrity_check")) {
                rs.next();
                if (!"ok".equals(rs.getString(1))) {
                    throw new AssertionError("integrity_check of " + db + ": " + rs.getString(1));
                }
            }
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (ResultSet rs = s.executeQuery("SELECT id, v FROM t ORDER BY id")) {
                while (rs.next()) {
                    sha.update(Long.toString(rs.getLong(1)).getBytes());
                    byte[] v = rs.getBytes(2);
                    sha.update(v == null ? new byte[0] : v);
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } finally {
            deleteWithSidecars(copy);
        }
    }

    static void deleteWithSidecars(Path db) throws IOException {
        Files.deleteIfExists(db);
        Files.deleteIfExists(Path.of(db + "-wal"));
        Files.deleteIfExists(Path.of(db + "-shm"));
    }

    static Path wal(Path db) {
        return Path.of(db + "-wal");
    }
}
