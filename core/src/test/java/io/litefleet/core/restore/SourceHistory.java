package io.litefleet.core.restore;

import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A real SQLite database (WAL mode, 1 KiB pages) taken through a seeded workload; the checkpointed file after each
 * step is the state at that TXID. Step 4 deletes most rows and vacuums (the database shrinks), step 6 inserts many
 * rows (it grows past its old size).
 */
public final class SourceHistory {
    public static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    public static final int PAGE_SIZE = 1024;

    private final List<byte[]> states = new ArrayList<>(); // index txid - 1

    private SourceHistory() {
    }

    /** A seed for this run, printed so a failure can be replayed with -Drestore.seed=... */
    public static long seed(String test) {
        String fixed = System.getProperty("restore.seed");
        long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
        System.out.println(test + ": seed=" + seed + " (replay with -Drestore.seed=" + seed + ")");
        return seed;
    }

    public static SourceHistory build(Path dir, long seed, int steps) throws Exception {
        SplittableRandom rnd = new SplittableRandom(seed);
        SourceHistory h = new SourceHistory();
        Path db = dir.resolve("source-" + seed + ".db");
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA page_size=" + PAGE_SIZE, "PRAGMA journal_mode=WAL",
                    "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)");
            int nextId = 0;
            for (int step = 1; step <= steps; step++) {
                if (step == 4) {
                    SqliteFiles.exec(c, "DELETE FROM t WHERE id % 10 != 0", "VACUUM");
                } else {
                    nextId = insert(c, rnd, nextId, step == 6 ? 400 : 20 + rnd.nextInt(60));
                    SqliteFiles.exec(c, "UPDATE t SET v = randomblob(50) WHERE id % 7 = " + rnd.nextInt(7));
                }
                SqliteFiles.exec(c, "PRAGMA wal_checkpoint(TRUNCATE)");
                h.states.add(Files.readAllBytes(db));
            }
        }
        return h;
    }

    private static int insert(Connection c, SplittableRandom rnd, int from, int n) throws Exception {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t(id, v) VALUES (?, ?)")) {
            for (int i = from; i < from + n; i++) {
                byte[] v = new byte[100 + rnd.nextInt(500)];
                rnd.nextBytes(v);
                ps.setInt(1, i);
                ps.setBytes(2, v);
                ps.executeUpdate();
            }
        }
        c.commit();
        c.setAutoCommit(true);
        return from + n;
    }

    public int txids() {
        return states.size();
    }

    /** The database file at {@code txid} (0: empty). */
    public byte[] state(long txid) {
        return txid == 0 ? new byte[0] : states.get((int) txid - 1);
    }

    public int pages(long txid) {
        return state(txid).length / PAGE_SIZE;
    }

    /** Page {@code pgno} at {@code txid}, or null beyond the database. */
    public byte[] page(long txid, int pgno) {
        byte[] s = state(txid);
        int off = (pgno - 1) * PAGE_SIZE;
        return off + PAGE_SIZE > s.length ? null : Arrays.copyOfRange(s, off, off + PAGE_SIZE);
    }

    /** When transaction {@code txid} committed. */
    public static Instant time(long txid) {
        return T0.plusSeconds(10 * txid);
    }
}
