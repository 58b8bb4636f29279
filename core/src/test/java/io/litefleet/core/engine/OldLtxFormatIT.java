package io.litefleet.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.compact.CompactionSettings;
import io.litefleet.core.compact.Maintenance;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.replica.TestRestore;
import io.litefleet.core.restore.RestoreTarget;
import io.litefleet.core.state.Catalog;
import io.litefleet.testkit.Await;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replicas written by litestream v0.5.15 (ltx v0.5.1, as every release from v0.5.0 to v0.5.15: each page an LZ4
 * frame, no size prefix) restore with ours and stock v0.5.16, and continue: our files and compactions over the
 * mixed replica restore with both tools. The old files are written by the old release itself.
 */
class OldLtxFormatIT {
    @TempDir
    Path dir;

    @Test
    void v0515Replica_restores_isContinued_andCompactedMixed_bothRestoresEqual() throws Exception {
        Path old = PeerTools.litestream("v0.5.15");
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        ReplicaTarget target = new ReplicaTarget(new FileReplicaClientProvider().create(Settings.of("test",
                Map.of("root", replica.toString()))), ReplicaLayout.LTX_DIRS, "");
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            exec(app, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)");
            Process upstream = PeerProcess.startLitestreamReplicate(old, dir, db, replica);
            try {
                // Compressible and incompressible pages (an LZ4 frame stores the latter as a raw block).
                exec(app, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20) "
                        + "INSERT INTO t(v) SELECT zeroblob(3000) FROM n");
                Await.until(Duration.ofSeconds(60), "v0.5.15 shipped the first commits",
                        () -> files(target).size() >= 2);
                exec(app, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20) "
                        + "INSERT INTO t(v) SELECT randomblob(3000) FROM n",
                        "UPDATE t SET v = randomblob(100) WHERE id % 3 = 0");
                long want = files(target).stream().mapToLong(LtxFileRef::maxTxid).max().orElse(0) + 1;
                Await.until(Duration.ofSeconds(60), "v0.5.15 shipped the last commit", () -> files(target)
                        .stream().mapToLong(LtxFileRef::maxTxid).max().orElse(0) >= want);
            } finally {
                PeerProcess.stopGracefully(upstream);
                PeerProcess.kill(upstream);
            }
            List<LtxFileRef> theirs = TestRestore.list(target);
            assertTrue(theirs.stream().anyMatch(f -> framedPages(target, f)),
                    "the old release wrote pages as LZ4 frames (flags 0): " + theirs);
            assertRestoresEqual(target, replica, db, "v0.5.15's replica");

            // Continued by us, then compacted over old and new files together.
            exec(app, "INSERT INTO t(v) VALUES (randomblob(5000))");
            long theirMax = theirs.stream().mapToLong(LtxFileRef::maxTxid).max().orElseThrow();
            try (Catalog catalog = Catalog.open(dir.resolve("state"));
                 DbReplicator r = DbReplicator.create(db, target, catalog, EngineSettings.DEFAULTS,
                         Clock.systemUTC(), ReplicaListener.NONE)) {
                assertEquals(theirMax + 1, r.sync().txid(), "our TXIDs continue the old replica's");
                exec(app, "DELETE FROM t WHERE id % 4 = 0");
                r.sync();
            }
            assertRestoresEqual(target, replica, db, "continued");
            var settled = Maintenance.create(target, CompactionSettings.defaults())
                    .settle(Instant.now().plusSeconds(60), Duration.ZERO);
            assertEquals(null, settled.report().failure());
            assertTrue(settled.report().written().stream().anyMatch(f -> f.level() == 1 && f.minTxid() <= theirMax),
                    "L1 merged old and new files: " + settled.report().written());
            assertTrue(settled.report().written().stream().anyMatch(LtxFileRef::isSnapshot));
            assertRestoresEqual(target, replica, db, "compacted");
        } finally {
            target.client().close();
        }
    }

    private static List<LtxFileRef> files(ReplicaTarget target) {
        try {
            return TestRestore.list(target);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Whether the first page of {@code f} has flags 0 (an LZ4 frame follows the page header). */
    private static boolean framedPages(ReplicaTarget target, LtxFileRef f) {
        try (InputStream in = target.client().get(target.key(f.level(), f.minTxid(), f.maxTxid()))) {
            byte[] head = in.readNBytes(110);
            return head.length >= 110 && head[104] == 0 && head[105] == 0
                    && (head[106] & 0xFF) == 0x04 && (head[107] & 0xFF) == 0x22;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void assertRestoresEqual(ReplicaTarget target, Path replica, Path db, String what) throws Exception {
        String want = DbContent.hash(db);
        Path ours = dir.resolve("ours-" + what.replace(' ', '-') + ".db");
        TestRestore.restore(target, RestoreTarget.latest(), ours);
        assertEquals(want, DbContent.hash(ours), what + ": our restore");
        assertEquals("ok", DbContent.integrityCheck(ours));
        Path stock = dir.resolve("stock-" + what.replace(' ', '-') + ".db");
        var res = PeerProcess.run(dir, Duration.ofSeconds(60), List.of(PeerTools.litestream().toString(), "restore",
                "-o", stock.toString(), replica.toUri().toString()));
        assertEquals(0, res.exitCode(), res.both());
        assertEquals(want, DbContent.hash(stock), what + ": stock litestream v0.5.16 restore");
        assertEquals("ok", DbContent.integrityCheck(stock));
    }

    private static void exec(Connection c, String... sql) throws Exception {
        try (Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }
}
