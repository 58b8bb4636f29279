package io.litefleet.core.engine;

import io.litefleet.core.replica.TestRestore;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.restore.RestoreTarget;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.litefleet.core.replica.ReplicaTarget;

/**
 * Issue 3's randomized end-to-end test: a writer in a separate process (the sqlite3 shell) runs random inserts,
 * updates, deletes, blobs larger than a page, schema changes, VACUUM and checkpoints of all four modes, while
 * Litefleet replicates from a second JVM that is killed with SIGKILL at random moments and restarted, and while the
 * replica directory is made unusable for a while, with compaction, snapshots and retention on second-scale
 * intervals so they run in every round. After every round, the replica restored by Litefleet and by
 * stock litestream equals the source (content hash) and passes integrity_check. Replay with -Dlitefleet.seed.
 */
class ReplicationChaosIT {
    private static final int ROUNDS = Integer.getInteger("litefleet.chaos.rounds", 20);
    private static final Duration CONVERGE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void randomWorkloadWithKillsAndOutages_replicaAlwaysConvergesToTheSource() throws Exception {
        Path sqlite3 = PeerTools.sqlite3();
        Path litestream = PeerTools.litestream();
        long seed = Long.getLong("litefleet.seed", new Random().nextLong());
        System.out.println("ReplicationChaosIT seed=" + seed);
        Random rnd = new Random(seed);
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        Path config = Files.writeString(dir.resolve("litefleet.yml"), """
                state-dir: %s
                levels:
                  - interval: 1s
                  - interval: 3s
                snapshot:
                  interval: 6s
                  retention: 12s
                l0-retention: 2s
                dbs:
                  - path: %s
                    monitor-interval: 100ms
                    min-checkpoint-page-count: 40
                    truncate-page-n: 300
                    checkpoint-interval: 1s
                    replica:
                      type: file
                      path: %s
                """.formatted(dir.resolve("state"), db, replica));
        run(sqlite3, db, "PRAGMA journal_mode=WAL;\nCREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB, n INT);\n");
        ReplicaTarget target = new ReplicaTarget(new FileReplicaClientProvider().create(Settings.of("test",
                Map.of("root", replica.toString()))), ReplicaLayout.LTX_DIRS, "");
        Process daemon = startDaemon(config);
        int kills = 0;
        int outages = 0;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String ctx = "seed=" + seed + " round=" + round;
                Process writer = startWriter(sqlite3, db, script(rnd));
                boolean outage = rnd.nextInt(4) == 0;
                if (outage) {
                    outages++;
                    breakReplica(replica);
                }
                if (rnd.nextBoolean()) {
                    Thread.sleep(rnd.nextInt(400)); // a random moment inside the writer's run, not synchronisation
                    daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    kills++;
                    daemon = startDaemon(config);
                }
                assertTrue(writer.waitFor(60, TimeUnit.SECONDS), ctx + ": writer finished");
                if (outage) {
                    repairReplica(replica);
                }
                String source = DbContent.hash(db);
                assertEquals("ok", DbContent.integrityCheck(db), ctx + ": source is sound");
                Path ours = dir.resolve("ours.db");
                awaitRestoreEquals(target, ours, source, ctx);
                assertEquals("ok", DbContent.integrityCheck(ours), ctx);
                Path theirs = dir.resolve("theirs.db");
                Files.deleteIfExists(theirs);
                Process p = new ProcessBuilder(litestream.toString(), "restore", "-o", theirs.toString(),
                        replica.toUri().toString()).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("litestream-restore.log").toFile()).start();
                assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0,
                        ctx + ": stock litestream restore: " + Files.readString(dir.resolve("litestream-restore.log")));
                assertEquals(source, DbContent.hash(theirs), ctx + ": stock litestream restore equals the source");
                assertEquals("ok", DbContent.integrityCheck(theirs), ctx);
            }
            var levels = TestRestore.list(target).stream().map(f -> f.level()).distinct().sorted().toList();
            System.out.println("ReplicationChaosIT: replica levels at the end " + levels);
            assertTrue(ROUNDS < 8 || levels.stream().anyMatch(l -> l > 0), "compaction ran: " + levels);
        } finally {
            daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            target.client().close();
        }
        System.out.printf("ReplicationChaosIT: %d rounds, %d SIGKILLs, %d replica outages%n", ROUNDS, kills, outages);
        String log = Files.readString(dir.resolve("daemon.log"));
        System.out.println("daemon log:\n" + log);
        assertTrue(log.contains("replicating " + db), "the daemon ran");
        assertTrue(ROUNDS < 8 || kills > 0, "the daemon was killed at least once");
    }

    /** Restores until the result equals the source; the daemon ships within its sync interval once it runs. */
    private static void awaitRestoreEquals(ReplicaTarget target, Path out, String source, String ctx)
            throws Exception {
        long deadline = System.nanoTime() + CONVERGE.toNanos();
        String last = "nothing restored";
        while (System.nanoTime() < deadline) {
            try {
                TestRestore.restore(target, RestoreTarget.latest(), out);
                last = DbContent.hash(out);
                if (last.equals(source)) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                last = e.toString(); // a file being written or a gap being filled: try again
            }
            Thread.sleep(100);
        }
        throw new AssertionError(ctx + ": replica did not converge to the source within " + CONVERGE + ": " + last);
    }

    private static String script(Random rnd) {
        StringBuilder sb = new StringBuilder(".timeout 300\n");
        int ops = 5 + rnd.nextInt(25);
        for (int i = 0; i < ops; i++) {
            switch (rnd.nextInt(12)) {
                case 0, 1, 2 -> sb.append("INSERT INTO t(v, n) VALUES (").append(blob(rnd, 1 + rnd.nextInt(9000)))
                        .append(", ").append(rnd.nextInt(1000)).append(");\n");
                case 3 -> {
                    sb.append("BEGIN;\n");
                    for (int j = 0; j < 1 + rnd.nextInt(20); j++) {
                        sb.append("INSERT INTO t(v, n) VALUES (").append(blob(rnd, rnd.nextInt(600))).append(", ")
                                .append(j).append(");\n");
                    }
                    sb.append("COMMIT;\n");
                }
                case 4, 5 -> sb.append("UPDATE t SET v = ").append(blob(rnd, rnd.nextInt(5000)))
                        .append(" WHERE id IN (SELECT id FROM t ORDER BY id LIMIT 1 OFFSET ")
                        .append(rnd.nextInt(50)).append(");\n");
                case 6 -> sb.append("DELETE FROM t WHERE n % ").append(2 + rnd.nextInt(9)).append(" = 0;\n");
                case 7 -> {
                    String name = "s" + rnd.nextInt(4);
                    sb.append(rnd.nextBoolean() ? "CREATE TABLE IF NOT EXISTS " + name + "(a TEXT, b BLOB);\n"
                            + "INSERT INTO " + name + " VALUES ('x', " + blob(rnd, 100) + ");\n"
                            : "DROP TABLE IF EXISTS " + name + ";\n");
                }
                case 8 -> sb.append(rnd.nextBoolean() ? "CREATE INDEX IF NOT EXISTS t_n ON t(n);\n"
                        : "DROP INDEX IF EXISTS t_n;\n");
                case 9 -> sb.append("VACUUM;\n");
                default -> sb.append("PRAGMA wal_checkpoint(")
                        .append(List.of("PASSIVE", "FULL", "RESTART", "TRUNCATE").get(rnd.nextInt(4))).append(");\n");
            }
        }
        return sb.toString();
    }

    private static String blob(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return "X'" + HexFormat.of().formatHex(b) + "'";
    }

    private Process startWriter(Path sqlite3, Path db, String script) throws IOException {
        Path f = Files.writeString(dir.resolve("writer.sql"), script, StandardCharsets.UTF_8);
        return new ProcessBuilder(sqlite3.toString(), db.toString()).redirectInput(f.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("writer.log").toFile())).start();
    }

    private void run(Path sqlite3, Path db, String script) throws Exception {
        Process p = startWriter(sqlite3, db, script);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "sqlite3 setup");
    }

    /** Replaces the replica directory with a plain file: every write fails until it is repaired. */
    private void breakReplica(Path replica) throws IOException {
        Files.createDirectories(replica);
        Files.move(replica, dir.resolve("replica.away"));
        Files.writeString(replica, "not a directory");
    }

    private void repairReplica(Path replica) throws IOException {
        Files.delete(replica);
        Files.move(dir.resolve("replica.away"), replica);
    }

    private Process startDaemon(Path config) throws IOException {
        return Daemon.start(dir.resolve("daemon.log"), "replicate", "-config", config.toString());
    }
}
