package io.litefleet.core.engine;

import io.litefleet.core.replica.TestRestore;
import io.litefleet.testkit.Await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.litefleet.core.replica.ReplicaTarget;

/**
 * After a SIGKILL, the application checkpoints with TRUNCATE (restarting the WAL) and writes a little; the next
 * start cannot prove continuity from the WAL and captures the current state. The page checksums saved at each sync
 * (not only at a clean stop) make that capture ship only the pages that changed, not the whole database.
 */
class RecaptureAfterCrashIT {
    private static final Pattern CAPTURED = Pattern.compile("captured current state as TXID \\p{XDigit}+ "
            + "\\((\\d+) of (\\d+) pages");

    @TempDir
    Path dir;

    @Test
    void captureAfterSigkillAndTruncateCheckpoint_shipsOnlyTheChangedPages() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        Path state = dir.resolve("state");
        Path log = dir.resolve("daemon.log");
        Random rnd = new Random(7);
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            SqliteFiles.exec(app, "PRAGMA journal_mode=WAL", "PRAGMA wal_autocheckpoint=0",
                    "PRAGMA busy_timeout=5000", "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)");
            insert(app, rnd, 2000); // about 2,000 pages of 4 KiB
            ReplicaTarget target = new ReplicaTarget(new FileReplicaClientProvider().create(Settings.of("test",
                    Map.of("root", replica.toString()))), ReplicaLayout.LTX_DIRS, "");
            Process daemon = start(log, state, db, replica);
            try {
                await(() -> maxTxid(target) >= 1, "first capture");
                for (int round = 0; round < 5; round++) {
                    long before = maxTxid(target);
                    update(app, rnd, 10);
                    await(() -> maxTxid(target) > before, "round " + round + " shipped");
                }
                // Quiescent: the catalog has recorded what the replica holds (a kill between an upload and its
                // record would start a new chain, a different case).
                await(() -> recordedTxid(state) == maxTxid(target), "catalog caught up");
            } finally {
                daemon.destroyForcibly(); // SIGKILL
                daemon.waitFor(20, TimeUnit.SECONDS);
            }
            update(app, rnd, 10);
            SqliteFiles.exec(app, "PRAGMA wal_checkpoint(TRUNCATE)");
            update(app, rnd, 5); // a new WAL generation the old position knows nothing of
            long killedAt = maxTxid(target);
            long logBefore = Files.size(log);
            Process again = start(log, state, db, replica);
            try {
                await(() -> maxTxid(target) > killedAt, "recapture shipped");
            } finally {
                PeerProcess.stopGracefully(again);
                PeerProcess.kill(again);
            }
            String tail = Files.readString(log).substring((int) logBefore);
            Matcher m = CAPTURED.matcher(tail);
            assertTrue(m.find(), "a capture after the WAL restart: " + tail);
            long shipped = Long.parseLong(m.group(1));
            long total = Long.parseLong(m.group(2));
            System.out.printf("RecaptureAfterCrashIT: pages shipped by the recapture after SIGKILL: %d of %d%n",
                    shipped, total);
            assertTrue(total > 1500, "the database has " + total + " pages");
            assertTrue(shipped <= 100, "only the changed pages are shipped, not " + shipped + " of " + total);
            assertTrue(Files.isRegularFile(state.resolve(PageChecksumStore.FILE_NAME)), "the packed store is used");
            assertFalse(Files.exists(state.resolve(PageChecksumStore.OLD_DIR)), "no file per database");
            BothRestores.assertRestore(dir, target, replica, 0, DbContent.hash(app), "after the recapture");
            target.client().close();
        }
    }

    private static Process start(Path log, Path state, Path db, Path replica) throws Exception {
        return Daemon.start(log, "replicate", "--state-dir", state.toString(), "-sync-interval", "100ms",
                db.toString(), replica.toUri().toString());
    }

    private static void insert(Connection app, Random rnd, int rows) throws Exception {
        app.setAutoCommit(false);
        try (PreparedStatement ps = app.prepareStatement("INSERT INTO t(v) VALUES (?)")) {
            for (int i = 0; i < rows; i++) {
                byte[] v = new byte[3000];
                rnd.nextBytes(v);
                ps.setBytes(1, v);
                ps.executeUpdate();
            }
        }
        app.commit();
        app.setAutoCommit(true);
    }

    private static void update(Connection app, Random rnd, int rows) throws Exception {
        try (PreparedStatement ps = app.prepareStatement("UPDATE t SET v = ? WHERE id = ?")) {
            for (int i = 0; i < rows; i++) {
                byte[] v = new byte[3000];
                rnd.nextBytes(v);
                ps.setBytes(1, v);
                ps.setInt(2, 1 + rnd.nextInt(2000));
                ps.executeUpdate();
            }
        }
    }

    private static long maxTxid(ReplicaTarget target) {
        try {
            return TestRestore.list(target).stream().mapToLong(LtxFileRef::maxTxid).max().orElse(0);
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static long recordedTxid(Path state) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + state.resolve("catalog.db")
                + "?mode=ro"); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                        "SELECT max(txid) FROM position")) {
            return rs.next() ? rs.getLong(1) : -1;
        } catch (java.sql.SQLException e) {
            return -1;
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(Duration.ofSeconds(60), what, condition);
    }
}
