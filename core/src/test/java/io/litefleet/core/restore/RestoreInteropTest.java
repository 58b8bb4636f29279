package io.litefleet.core.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.litefleet.core.replica.RetryPolicy;

/**
 * A replica written by the real {@code litestream replicate} v0.5.16 (file backend) is restored by {@link Restorer}
 * to the source's content, latest and at an intermediate TXID, and byte for byte to what stock
 * {@code litestream restore} produces from the same replica.
 */
class RestoreInteropTest {
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String CONTENT = "SELECT count(*) || ':' || coalesce(sum(length(v)), 0) || ':' "
            + "|| coalesce(group_concat(id || '=' || hex(substr(v, 1, 8)), ','), '') FROM (SELECT * FROM t ORDER BY id)";

    @TempDir
    Path dir;

    private final Restorer restorer = Restorer.create(Clock.systemUTC(), RetryPolicy.DEFAULT);

    @Test
    void restore_replicaWrittenByLitestream_equalsTheSourceAndStockRestore() throws Exception {
        Path litestream = PeerTools.litestream();
        SplittableRandom rnd = new SplittableRandom(SourceHistory.seed("restore_replicaWrittenByLitestream"));
        Path db = dir.resolve("src.db");
        Path replicaDir = dir.resolve("replica");
        try (Connection c = SqliteFiles.open(db);
                ReplicaClient client = new FileReplicaClientProvider().create(Settings.of("test",
                        Map.of("root", replicaDir.toString())))) {
            ReplicaTarget replica = new ReplicaTarget(client, ReplicaLayout.LTX_DIRS, "");
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)");
            Process p = startReplicate(litestream, db, replicaDir);
            long midTxid;
            String midContent;
            try {
                long txid = 0;
                midTxid = 0;
                midContent = null;
                for (int tx = 0; tx < 6; tx++) {
                    write(c, rnd, tx);
                    String expected = SqliteFiles.queryString(c, CONTENT);
                    txid = awaitRestorable(p, replica, expected, txid);
                    if (tx == 2) {
                        midTxid = txid;
                        midContent = expected;
                    }
                }
                stopGracefully(p);
            } finally {
                PeerProcess.kill(p);
            }
            String finalContent = SqliteFiles.queryString(c, CONTENT);
            assertSameAsStock(litestream, replica, replicaDir, RestoreTarget.latest(), finalContent, "latest");
            assertSameAsStock(litestream, replica, replicaDir, new RestoreTarget.AtTxid(midTxid), midContent, "mid");
        }
    }

    private Process startReplicate(Path litestream, Path db, Path replica) throws Exception {
        return PeerProcess.startLitestreamReplicate(litestream, dir, db, replica);
    }

    private static void write(Connection c, SplittableRandom rnd, int tx) throws Exception {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO t(id, v) VALUES (?, ?)")) {
            for (int i = 0; i < 40; i++) {
                byte[] v = new byte[50 + rnd.nextInt(1500)];
                rnd.nextBytes(v);
                ps.setInt(1, tx * 1000 + i);
                ps.setBytes(2, v);
                ps.executeUpdate();
            }
        }
        if (tx == 4) {
            SqliteFiles.exec(c, "DELETE FROM t WHERE id % 3 = 0");
        }
        c.commit();
        c.setAutoCommit(true);
    }

    /** Polls with a deadline until our restore of the latest state shows {@code expected}; returns its TXID. */
    private long awaitRestorable(Process p, ReplicaTarget replica, String expected, long after) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        String last = "no files yet";
        for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
            assertTrue(p.isAlive(), () -> "litestream exited: " + log());
            var plan = restorer.plan(replica, RestoreTarget.latest(), 8);
            if (plan.isPresent() && plan.get().txid() > after) {
                Path out = dir.resolve("poll-" + attempt + ".db");
                RestoreResult r = restorer.restore(replica, plan.get(), RestoreOptions.of(out));
                String got = content(out);
                Files.delete(out);
                if (expected.equals(got)) {
                    return r.txid();
                }
                last = "TXID " + r.txid() + " restores other content";
            }
            p.waitFor(100, TimeUnit.MILLISECONDS);
        }
        throw new AssertionError("replica did not reach the source within " + DEADLINE + " (" + last + ")\n" + log());
    }

    private void assertSameAsStock(Path litestream, ReplicaTarget replica, Path replicaDir, RestoreTarget target,
            String expected, String name) throws Exception {
        Path ours = dir.resolve("ours-" + name + ".db");
        RestorePlan plan = restorer.plan(replica, target, 8).orElseThrow();
        restorer.restore(replica, plan, RestoreOptions.of(ours));
        Path stock = dir.resolve("stock-" + name + ".db");
        List<String> cmd = new java.util.ArrayList<>(List.of(litestream.toString(), "restore", "-o",
                stock.toString()));
        if (target instanceof RestoreTarget.AtTxid t) {
            cmd.addAll(List.of("-txid", String.format("%016x", t.txid())));
        }
        cmd.add("file://" + replicaDir);
        PeerProcess.Result r = PeerProcess.run(dir, DEADLINE, cmd);
        assertEquals(0, r.exitCode(), r.both());
        byte[] a = Files.readAllBytes(ours);
        byte[] b = Files.readAllBytes(stock);
        assertEquals(SqliteFiles.sha256(b), SqliteFiles.sha256(a), name + ": our restore differs from stock ("
                + plan.files().size() + " files to TXID " + plan.txid() + ")");
        assertArrayEquals(b, a);
        assertEquals(expected, content(ours), name + ": restored content differs from the source");
        assertEquals("ok", SqliteFiles.integrityCheck(ours));
        System.out.println(name + ": TXID " + plan.txid() + " from " + plan.files() + ", " + a.length + " bytes");
    }

    private static String content(Path db) throws Exception {
        try (Connection c = SqliteFiles.open(db)) {
            return SqliteFiles.queryString(c, CONTENT);
        }
    }

    private static void stopGracefully(Process p) throws InterruptedException {
        PeerProcess.stopGracefully(p);
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("litestream.log"));
        } catch (java.io.IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
