package io.litefleet.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Litestream v0.3 replica ({@code generations/}: snapshots and WAL segments) written to a backend's test server by
 * stock {@code litestream} v0.3.13 itself, restored by the built image ({@code litefleet restore -config}) at the
 * latest state and at a {@code -timestamp} inside its history, each equal to the source and to stock v0.5.16's
 * restore of the same replica where stock can restore it ({@link #stockRestoresV3()}). A backend's test starts its server once per class and gives the replica section's
 * keys (read by all three tools) and the environment.
 */
abstract class GenerationsInterop {
    private static final Duration SHIPPED = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    /** The replica section's keys for {@code path} inside the destination. */
    protected abstract Map<String, String> replica(String path);

    /** Variables the tools need to reach the server (a null value removes one); none by default. */
    protected Map<String, String> environment() {
        return Map.of();
    }

    /**
     * Whether stock v0.5.16 restores v0.3 replicas on this backend: only its file and S3 clients read
     * {@code generations/} (they alone implement {@code ReplicaClientV3}); elsewhere it says "no matching backup files
     * available", which the test asserts, while Litefleet's restore must still equal the source.
     */
    protected boolean stockRestoresV3() {
        return true;
    }

    /** Keys only litestream v0.3.13 needs, or that it spells differently; none by default. */
    protected Map<String, String> v3Replica(String path) {
        return replica(path);
    }

    @Test
    void v0313Replica_latestAndTimestamp_equalTheSource_withOursAndStockV0516() throws Exception {
        Path db = dir.resolve("app.db");
        String path = "v3/app-" + Long.toHexString(new SplittableRandom().nextLong());
        Path v3Config = config("v3.yml", db, true, v3Replica(path));
        Path config = config("v5.yml", db, false, replica(path));
        String stateA;
        Instant atA;
        try (Connection app = SqliteFiles.open(db)) {
            SqliteFiles.exec(app, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)");
            Path log = dir.resolve("v3.log");
            Process v3 = Image.process(List.of(PeerTools.litestream("v0.3.13").toString(), "replicate", "-config",
                    v3Config.toString()), environment(), log).start();
            try {
                SqliteFiles.exec(app, "INSERT INTO t(v) VALUES (randomblob(3000)), (zeroblob(2000))");
                awaitSegments(v3Config, db, 1, v3, log);
                int segments = segments(v3Config, db).size();
                SqliteFiles.exec(app, "INSERT INTO t(v) VALUES (randomblob(500))");
                awaitSegments(v3Config, db, segments + 1, v3, log);
                stateA = DbContent.hash(app);
                // v0.3's listing shows whole seconds: state A's objects are older than the next second, and the
                // later commits are made a second after that.
                atA = segments(v3Config, db).stream().max(Instant::compareTo).orElseThrow().plusSeconds(1);
                awaitClock(atA.plusSeconds(1));
                SqliteFiles.exec(app, "PRAGMA wal_checkpoint(TRUNCATE)", "INSERT INTO t(v) VALUES (randomblob(4000))",
                        "UPDATE t SET v = zeroblob(10) WHERE id = 1");
                int before = segments(v3Config, db).size();
                awaitSegments(v3Config, db, before + 1, v3, log);
                assertEquals(0, Image.stop(v3, Duration.ofSeconds(30)), Files.readString(log));
            } finally {
                Image.stop(v3, Duration.ZERO);
            }
            String latest = DbContent.hash(app);
            assertRestores(config, db, null, latest, "the latest state");
            assertRestores(config, db, atA, stateA, "-timestamp " + atA);
        }
    }

    private void assertRestores(Path config, Path db, Instant at, String want, String what) throws Exception {
        List<String> time = at == null ? List.of() : List.of("-timestamp", at.toString());
        Path ours = dir.resolve("ours-" + System.nanoTime() + ".db");
        String[] args = concat(List.of("restore", "-config", config.toString(), "-o", ours.toString()), time,
                db.toString());
        Image.Result r = Image.litefleet(dir, environment(), args);
        assertEquals(0, r.exitCode(), what + ": litefleet " + String.join(" ", args) + "\n" + r.output());
        assertTrue(r.output().contains("restored Litestream v0.3 generation"), r.output());
        assertEquals(want, DbContent.hash(ours), what + ": litefleet restore");
        assertEquals("ok", DbContent.integrityCheck(ours));
        Path stock = dir.resolve("stock-" + System.nanoTime() + ".db");
        Image.Result s = Image.run(dir, Duration.ofMinutes(2), environment(), concat(List.of(
                PeerTools.litestream().toString(), "restore", "-config", config.toString(), "-o", stock.toString()),
                time, db.toString()));
        if (!stockRestoresV3()) {
            assertEquals(1, s.exitCode(), what + ": litestream v0.5.16 restore\n" + s.output());
            assertTrue(s.output().contains("no matching backup files available"), s.output());
            return;
        }
        assertEquals(0, s.exitCode(), what + ": litestream v0.5.16 restore\n" + s.output());
        assertEquals(want, DbContent.hash(stock), what + ": litestream v0.5.16 restore");
        assertEquals("ok", DbContent.integrityCheck(stock));
    }

    private static String[] concat(List<String> a, List<String> b, String last) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        all.add(last);
        return all.toArray(String[]::new);
    }

    /** One database with this backend's replica: a {@code replicas:} list for v0.3, {@code replica:} for v0.5. */
    private Path config(String name, Path db, boolean v3, Map<String, String> keys) throws Exception {
        String indent = v3 ? "        " : "      ";
        StringBuilder yml = new StringBuilder("dbs:\n  - path: " + db + "\n    monitor-interval: 100ms\n"
                + (v3 ? "    replicas:\n      - " : "    replica:\n      ") + "sync-interval: 100ms\n");
        keys.forEach((k, v) -> yml.append(indent).append(k).append(": ").append(v).append('\n'));
        return Files.writeString(dir.resolve(name), yml);
    }

    /** The creation times of the WAL segments v0.3.13 lists ({@code litestream wal}). */
    private List<Instant> segments(Path v3Config, Path db) throws Exception {
        Image.Result r = Image.run(dir, Duration.ofMinutes(1), environment(),
                PeerTools.litestream("v0.3.13").toString(), "wal", "-config", v3Config.toString(), db.toString());
        assertEquals(0, r.exitCode(), r.output());
        return r.output().lines().map(l -> l.trim().split("\\s+"))
                .filter(f -> f.length == 6 && f[1].matches("[0-9a-f]{16}"))
                .map(f -> Instant.parse(f[5])).toList();
    }

    private void awaitSegments(Path v3Config, Path db, int n, Process v3, Path log) throws Exception {
        long deadline = System.nanoTime() + SHIPPED.toNanos();
        while (segments(v3Config, db).size() < n) {
            if (!v3.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("v0.3.13 did not ship " + n + " WAL segments within " + SHIPPED
                        + " (alive: " + v3.isAlive() + "); its log:\n" + Files.readString(log));
            }
            TimeUnit.MILLISECONDS.sleep(200); // poll interval; the loop has its deadline
        }
    }

    private static void awaitClock(Instant t) throws InterruptedException {
        while (Instant.now().isBefore(t)) {
            TimeUnit.MILLISECONDS.sleep(50); // waiting for the wall clock itself, the thing under test
        }
    }
}
