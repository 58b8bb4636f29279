package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.core.Litefleet;
import io.litefleet.core.Replication;
import io.litefleet.testkit.Await;
import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control commands on fleet databases (multi-db: patterns): {@code sync -wait} ships a hot one through its
 * replicators and a cold one by a transient pass; {@code list} shows tiers; {@code register} of a path the patterns
 * match is {@code already registered}; {@code start}, {@code stop} and {@code unregister} are refused, naming why.
 */
class FleetControlTest {
    @TempDir
    Path dir;

    private Path socket() {
        return dir.resolve("ctl.sock");
    }

    private Path tenant(String name) throws Exception {
        Path db = dir.resolve("data/p/databases/d/branches/main/tenants/" + name + ".db");
        Files.createDirectories(db.getParent());
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)", "INSERT INTO t VALUES ('first')");
        }
        return db;
    }

    private Replication fleet(String policy) throws Exception {
        Path cfg = Files.writeString(dir.resolve("fleet.yml"), """
                state-dir: %s
                multi-db:
                  patterns:
                    - "%s/*/databases/*/branches/*/tenants/*.db"
                  scan-interval: 1h
                %s
                  replica-template:
                    type: file
                    path: "%s/{{project}}/{{database}}/{{branch}}/{{tenant}}"
                    sync-interval: 1h
                """.formatted(dir.resolve("state"), dir.resolve("data"), policy, dir.resolve("replicas")));
        return Litefleet.builder().config(cfg).controlSocket(socket(), 0600).start();
    }

    private CliRun ctl(String... args) {
        return ControlCommandsTest.ctl(socket(), args);
    }

    private static long field(CliRun r, String name) {
        return ControlCommandsTest.field(r, name);
    }

    @Test
    void hotDatabase_syncWait_shipsThroughItsReplicators_andFleetOnlyCommandsAreRefused() throws Exception {
        Path db = tenant("t1");
        try (Replication r = fleet("  max-hot-databases: 10"); Connection app = SqliteFiles.open(db)) {
            Await.until(Duration.ofSeconds(30), () -> "t1 captured: " + r.status(), () -> txid(r, db) >= 1
                    && r.status().running() == 0);
            SqliteFiles.exec(app, "INSERT INTO t VALUES ('a change: promoted')");
            // promoted at the first change it sees (opening a connection may be it): what it had then is shipped
            Await.until(Duration.ofSeconds(30), () -> "t1 promoted: " + r.status(), () -> r.status().hot() == 1);
            CliRun settle = ctl("sync", "-wait", db.toString());
            assertEquals(0, settle.code(), settle.err());
            long before = field(settle, "replica_txid");
            assertEquals(before, r.txid(db));
            SqliteFiles.exec(app, "INSERT INTO t VALUES ('only sync -wait ships this: the interval is an hour')");
            CliRun sync = ctl("sync", "-wait", db.toString());
            assertEquals(0, sync.code(), sync.err());
            assertEquals(before + 1, field(sync, "replica_txid"));
            assertRestoresEqual(db, replicaOf("t1"));

            CliRun stop = ctl("stop", db.toString());
            assertEquals(1, stop.code());
            assertTrue(stop.err().startsWith("litefleet: stop failed: " + db + " is a fleet database"), stop.err());
            assertTrue(ctl("unregister", db.toString()).err().contains("'unregister' does not apply"));
            CliRun reg = ctl("register", "-replica", dir.resolve("elsewhere").toUri().toString(), db.toString());
            assertEquals(0, reg.code(), reg.err());
            assertTrue(reg.out().startsWith("status: already registered\n"), reg.out());
            assertTrue(ctl("info", "-json").out().contains("\"database_count\": 1"));
        }
    }

    @Test
    void coldDatabase_syncWait_shipsByATransientPass_withoutPromotingIt() throws Exception {
        Path hot = tenant("t1");
        Path cold = tenant("t2");
        // One hot slot, held by t1 for its minimum residency (2 sync intervals): t2's changes get transient passes.
        try (Replication r = fleet("  max-hot-databases: 1")) {
            Await.until(Duration.ofSeconds(30), () -> "both captured: " + r.status(), () -> txid(r, hot) >= 1
                    && txid(r, cold) >= 1 && r.status().running() == 0);
            write(hot, "t1 takes the hot slot");
            Await.until(Duration.ofSeconds(30), () -> "t1 promoted: " + r.status(), () -> r.status().hot() == 1);
            write(cold, "shipped by a pass before sync -wait returns");
            CliRun sync = ctl("sync", "-wait", cold.toString());
            assertEquals(0, sync.code(), sync.err());
            assertTrue(field(sync, "replica_txid") >= 2, sync.out());
            assertEquals(1, r.status().hot(), "t2 was synced without taking the hot slot");
            assertTrue(ctl("list").out().contains(hot + " [hot]"), "t1 holds it");
            assertRestoresEqual(cold, replicaOf("t2"));
            CliRun list = ctl("list");
            assertTrue(list.out().contains(cold + " [cold]"), list.out());
            CliRun unknown = ctl("sync", "-wait", dir.resolve("data/elsewhere.db").toString());
            assertEquals("litefleet: sync failed: database not found: " + dir.resolve("data/elsewhere.db") + "\n",
                    unknown.err());
        }
    }

    private static void write(Path db, String v) throws Exception {
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "INSERT INTO t VALUES ('" + v + "')");
        }
    }

    private static long txid(Replication r, Path db) {
        try {
            return r.txid(db);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Path replicaOf(String tenant) {
        return dir.resolve("replicas/p/d/main/" + tenant);
    }

    private void assertRestoresEqual(Path db, Path replica) throws Exception {
        ControlCommandsTest.assertRestoresEqual(dir, db, replica);
    }
}
