package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.core.Litefleet;
import io.litefleet.core.Replication;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code litefleet snapshot}: a new snapshot file appears in the replica, directly when no daemon runs and through
 * the control socket when one does, and the replica still restores equal to the source with our restore and stock
 * litestream v0.5.16.
 */
class SnapshotIT {
    @TempDir
    Path dir;

    private static void insert(Path db, String value) throws Exception {
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE IF NOT EXISTS t(v)",
                    "INSERT INTO t VALUES ('" + value + "'), (randomblob(5000))");
        }
    }

    /** The snapshot files (level 9) of a file replica, by name. */
    private static List<String> snapshots(Path replica) throws Exception {
        Path level = replica.resolve("ltx/9");
        if (!Files.isDirectory(level)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(level)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void snapshot_directlyAndThroughTheDaemon_addsASnapshotFile_andTheReplicaStillRestores() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        Path socket = dir.resolve("ctl.sock");
        Path config = Files.writeString(dir.resolve("litestream.yml"), """
                state-dir: %1$s/state
                socket: {enabled: true, path: %2$s}
                dbs:
                  - path: %3$s
                    replica: {url: file://%4$s}
                """.formatted(dir, socket, db, replica));
        insert(db, "first");
        Litefleet.builder().config(config).syncOnce();
        List<String> initial = snapshots(replica);
        insert(db, "second");

        CliRun direct = CliRun.of("snapshot", "-config", config.toString(), db.toString());
        assertEquals(0, direct.code(), direct.err());
        assertTrue(direct.out().contains("via: direct"), direct.out());
        List<String> afterDirect = snapshots(replica);
        assertEquals(initial.size() + 1, afterDirect.size(), "one new snapshot: " + initial + " -> " + afterDirect);
        restoresEqual(db, replica, "direct");

        long shipped = Long.parseLong(direct.out().lines().filter(l -> l.startsWith("txid: ")).findFirst()
                .orElseThrow().substring(6), 16);
        try (Replication daemon = Litefleet.builder().config(config).start()) {
            insert(db, "third");
            // The daemon ships the commit first (sync -wait, as the snapshot's own sync does); polled, since a
            // commit made while the daemon is still starting may be shipped by its next sync rather than this one.
            io.litefleet.testkit.Await.until(Duration.ofSeconds(15), "the daemon ships the commit made after it "
                    + "started", () -> {
                        CliRun sync = CliRun.of("sync", "-wait", "-socket", socket.toString(), "-json", db.toString());
                        return sync.code() == 0 && ((Number) io.litefleet.core.control.Json.parseObject(sync.out())
                                .get("txid")).longValue() > shipped;
                    });
            CliRun viaDaemon = CliRun.of("snapshot", "-config", config.toString(), "-json", db.toString());
            assertEquals(0, viaDaemon.code(), viaDaemon.err());
            assertTrue(viaDaemon.out().contains("\"via\": \"daemon\"") && viaDaemon.out().contains("\"snapshots\": 1"),
                    viaDaemon.out());
            assertEquals(afterDirect.size() + 1, snapshots(replica).size(), "one more snapshot: " + snapshots(replica));
            CliRun unknown = CliRun.of("snapshot", "-config", config.toString(), dir.resolve("other.db").toString());
            assertEquals(1, unknown.code());
            assertTrue(unknown.err().contains("snapshot failed") && unknown.err().contains("other.db"), unknown.err());
        }
        restoresEqual(db, replica, "daemon");
    }

    @Test
    void fleetDatabase_isSnapshottedDirectly_placedByItsTemplate() throws Exception {
        Path db = dir.resolve("data/tenants/t1.db");
        Path replica = dir.resolve("replica");
        Path config = fleet(db, replica, "");
        FleetCapture.captureAll(config, 1);
        List<String> initial = snapshots(replica.resolve("t1"));
        insert(db, "second");
        CliRun r = CliRun.of("snapshot", "-config", config.toString(), db.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(initial.size() + 1, snapshots(replica.resolve("t1")).size());
        restoresEqual(db, replica.resolve("t1"), "fleet");
        CliRun outside = CliRun.of("snapshot", "-config", config.toString(), dir.resolve("elsewhere.db").toString());
        assertEquals(1, outside.code());
        assertTrue(outside.err().contains(dir.resolve("elsewhere.db") + " is not a configured database"),
                outside.err());
        CliRun none = CliRun.of("snapshot", "-config", config.toString());
        assertEquals(1, none.code());
        assertTrue(none.err().contains("database path required"), none.err());
    }

    @Test
    void fleetDatabase_throughTheDaemon_coldThenHot_eachAddsASnapshot() throws Exception {
        Path db = dir.resolve("data/tenants/t1.db");
        Path replica = dir.resolve("replica");
        Path config = fleet(db, replica, "socket: {enabled: true, path: " + dir.resolve("ctl.sock") + "}");
        try (Replication daemon = Litefleet.builder().config(config).start()) {
            io.litefleet.testkit.Await.until(Duration.ofSeconds(30), () -> "first capture: " + daemon.status(),
                    () -> daemon.status().transients() >= 1 && daemon.status().backlog() == 0);
            int before = snapshots(replica.resolve("t1")).size();
            CliRun cold = CliRun.of("snapshot", "-config", config.toString(), "-json", db.toString());
            assertEquals(0, cold.code(), cold.err());
            assertTrue(cold.out().contains("\"via\": \"daemon\""), cold.out());
            long reported = ((Number) io.litefleet.core.control.Json.parseObject(cold.out()).get("snapshots"))
                    .longValue();
            assertEquals(before + reported, snapshots(replica.resolve("t1")).size(), "as many new files as reported: "
                    + cold.out());
            insert(db, "second"); // a change to a known database promotes it
            io.litefleet.testkit.Await.until(Duration.ofSeconds(30), "promoted", () -> daemon.status().hot() == 1);
            CliRun hot = CliRun.of("snapshot", "-config", config.toString(), "-json", db.toString());
            assertEquals(0, hot.code(), hot.err());
            assertTrue(hot.out().contains("\"snapshots\": 1"), hot.out());
            assertEquals(before + reported + 1, snapshots(replica.resolve("t1")).size(),
                    snapshots(replica.resolve("t1")).toString());
        }
        restoresEqual(db, replica.resolve("t1"), "fleet-daemon");
    }

    /** A fleet over {@code db}'s directory with a file replica per tenant, {@code db} created with one row. */
    private Path fleet(Path db, Path replica, String extra) throws Exception {
        Files.createDirectories(db.getParent());
        insert(db, "first");
        return Files.writeString(dir.resolve("fleet.yml"), """
                state-dir: %1$s/state
                %4$s
                multi-db:
                  patterns: ["%2$s/*.db"]
                  replica-template: {type: file, path: "%3$s/{{tenant}}"}
                """.formatted(dir, db.getParent(), replica, extra));
    }

    private void restoresEqual(Path source, Path replica, String tag) throws Exception {
        String url = replica.toUri().toString();
        Path ours = dir.resolve("ours-" + tag + ".db");
        CliRun r = CliRun.of("restore", "-o", ours.toString(), url);
        assertEquals(0, r.code(), r.err());
        assertEquals(DbContent.hash(source), DbContent.hash(ours), "our restore (" + tag + ")");
        assertEquals("ok", DbContent.integrityCheck(ours));
        Path stock = dir.resolve("stock-" + tag + ".db");
        var res = PeerProcess.run(dir, Duration.ofSeconds(60), List.of(PeerTools.litestream().toString(), "restore",
                "-o", stock.toString(), url));
        assertEquals(0, res.exitCode(), res.stderr());
        assertEquals(DbContent.hash(source), DbContent.hash(stock), "stock restore (" + tag + ")");
        assertEquals("ok", DbContent.integrityCheck(stock));
    }
}
