package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.core.Litefleet;
import io.litefleet.core.Replication;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every control command against a daemon running in this JVM ({@link Litefleet.Builder#controlSocket}): what each
 * prints and changes, and the bad inputs. Databases sync every hour here, so only the command under test ships.
 */
class ControlCommandsTest {
    private static final Duration HOURLY = Duration.ofHours(1);

    @TempDir
    Path dir;

    private Path socket() {
        return dir.resolve("ctl.sock");
    }

    private Path walDatabase(String name) throws Exception {
        Path db = dir.resolve(name);
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)", "INSERT INTO t VALUES ('first')");
        }
        return db;
    }

    private Replication daemon(Path db, Path replica) throws Exception {
        return Litefleet.builder().stateDir(dir.resolve("state")).database(db, replica.toUri().toString(), HOURLY)
                .controlSocket(socket(), 0600).start();
    }

    private CliRun ctl(String... args) {
        return ctl(socket(), args);
    }

    /** {@code litefleet <command> -socket=<socket> <rest>}, in this JVM. */
    static CliRun ctl(Path socket, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = args[0];
        all[1] = "-socket=" + socket;
        System.arraycopy(args, 1, all, 2, args.length - 1);
        return CliRun.of(all);
    }

    /** The number after {@code name: } in what {@code r} printed. */
    static long field(CliRun r, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ": (\\d+)$").matcher(r.out());
        assertTrue(m.find(), name + " in: " + r.out() + r.err());
        return Long.parseLong(m.group(1));
    }

    @Test
    void syncWait_shipsWhatIsCommittedNow_restoresEqual_withOursAndStock() throws Exception {
        Path db = walDatabase("app.db");
        Path replica = dir.resolve("replica");
        try (Connection app = SqliteFiles.open(db); Replication r = daemon(db, replica)) {
            CliRun first = ctl("sync", "-wait", db.toString());
            assertEquals(0, first.code(), first.err());
            long before = field(first, "replica_txid");
            SqliteFiles.exec(app, "INSERT INTO t VALUES ('second')", "INSERT INTO t VALUES ('third')");
            CliRun second = ctl("sync", "-wait", "-timeout", "20", db.toString());
            assertEquals(0, second.code(), second.err());
            assertTrue(second.out().contains("db_path: " + db + "\n"), second.out());
            assertEquals(before + 1, field(second, "replica_txid"), "the new commits went up as the next TXID");
            assertEquals(field(second, "txid"), field(second, "replica_txid"));
            assertEquals(before + 1, r.txid(db));
            CliRun idle = ctl("sync", "-json", db.toString());
            assertEquals(0, idle.code(), idle.err());
            assertTrue(idle.out().contains("\"txid\": " + (before + 1)) && !idle.out().contains("replica_txid"),
                    "without -wait the replica TXID is not printed, as upstream: " + idle.out());
            assertRestoresEqual(db, replica);
        }
    }

    @Test
    void list_info_andTxid_describeTheDaemon() throws Exception {
        Path db = walDatabase("app.db");
        try (Replication r = daemon(db, dir.resolve("replica"))) {
            assertEquals(0, ctl("sync", "-wait", db.toString()).code());
            CliRun list = ctl("list");
            assertEquals(0, list.code(), list.err());
            assertTrue(list.out().startsWith(db + " [replicating] (last sync: 20"), list.out());
            CliRun info = ctl("info", "-json");
            assertEquals(0, info.code(), info.err());
            assertTrue(info.out().contains("\"pid\": " + ProcessHandle.current().pid()), info.out());
            assertTrue(info.out().contains("\"database_count\": 1"), info.out());
            assertTrue(info.out().contains("\"version\": \"" + Litefleet.version() + "\""), info.out());
            CliRun text = ctl("info");
            assertTrue(text.out().contains("  Databases:  1\n") && text.out().contains("  Uptime:     "), text.out());
        }
    }

    @Test
    void stop_thenSyncConflicts_startResumes_andTheFinalSyncOfStopShips() throws Exception {
        Path db = walDatabase("app.db");
        Path replica = dir.resolve("replica");
        try (Connection app = SqliteFiles.open(db); Replication r = daemon(db, replica)) {
            assertEquals(0, ctl("sync", "-wait", db.toString()).code());
            long before = r.txid(db);
            SqliteFiles.exec(app, "INSERT INTO t VALUES ('shipped by the final sync of stop')");
            CliRun stop = ctl("stop", db.toString());
            assertEquals(0, stop.code(), stop.err());
            assertTrue(stop.out().startsWith("status: stopped\ndb_path: " + db + "\nstate: stopped\n"), stop.out());
            assertEquals(before + 1, field(stop, "txid"), "stop waited for the final sync");
            assertTrue(ctl("stop", db.toString()).out().startsWith("status: already_stopped\n"));
            assertTrue(ctl("list").out().startsWith(db + " [stopped]"));
            CliRun sync = ctl("sync", db.toString());
            assertEquals(1, sync.code());
            assertEquals("litefleet: sync failed: database not open: " + db + "\n", sync.err());
            CliRun start = ctl("start", "-json", db.toString());
            assertEquals(0, start.code(), start.err());
            assertTrue(start.out().contains("\"status\": \"started\"") && start.out().contains("\"state\": "
                    + "\"running\""), start.out());
            assertTrue(ctl("start", db.toString()).out().startsWith("status: already_running\n"));
            SqliteFiles.exec(app, "INSERT INTO t VALUES ('after start')");
            assertEquals(0, ctl("sync", "-wait", db.toString()).code());
            assertRestoresEqual(db, replica);
        }
    }

    @Test
    void register_replicatesAnotherDatabase_unregisterRunsItsFinalSync() throws Exception {
        Path db = walDatabase("app.db");
        Path other = walDatabase("other.db");
        Path otherReplica = dir.resolve("replica-other");
        String url = otherReplica.toUri().toString();
        try (Connection app = SqliteFiles.open(other); Replication r = daemon(db, dir.resolve("replica"))) {
            CliRun reg = ctl("register", "-replica", url, other.toString());
            assertEquals(0, reg.code(), reg.err());
            assertEquals("status: registered\ndb_path: " + other + "\nreplica: " + url + "\nsocket: " + socket()
                    + "\n", reg.out());
            assertTrue(ctl("register", "-replica", url, other.toString()).out()
                    .startsWith("status: already registered\n"));
            assertEquals(0, ctl("sync", "-wait", other.toString()).code());
            SqliteFiles.exec(app, "INSERT INTO t VALUES ('shipped by unregister')");
            long before = r.txid(other);
            CliRun unreg = ctl("unregister", other.toString());
            assertEquals(0, unreg.code(), unreg.err());
            assertTrue(unreg.out().startsWith("status: unregistered\n"), unreg.out());
            assertEquals(before + 1, field(unreg, "final_txid"));
            assertTrue(ctl("unregister", other.toString()).out().startsWith("status: already_unregistered\n"));
            assertFalse(ctl("list").out().contains(other.toString()));
            CliRun gone = ctl("sync", other.toString());
            assertEquals("litefleet: sync failed: database not found: " + other + "\n", gone.err());
            assertRestoresEqual(other, otherReplica);
            // registered again after unregister: its lock was released
            assertEquals(0, ctl("register", "-replica", url, other.toString()).code());
        }
    }

    @Test
    void unregisteringAConfiguredDatabase_releasesItForAnotherReplicator() throws Exception {
        Path db = walDatabase("app.db");
        Path replica = dir.resolve("replica");
        try (Replication r = daemon(db, replica)) {
            assertEquals(0, ctl("sync", "-wait", db.toString()).code());
            CliRun unreg = ctl("unregister", "-json", db.toString());
            assertEquals(0, unreg.code(), unreg.err());
            assertTrue(unreg.out().contains("\"status\": \"unregistered\""), unreg.out());
            try (Replication other = Litefleet.builder().stateDir(dir.resolve("state")).database(db,
                    replica.toUri().toString(), HOURLY).manual().start()) {
                other.runUntilIdle();
                assertEquals(r.txid(db), other.txid(db), "the other replicator continues the same replica");
            }
        }
        assertRestoresEqual(db, replica);
    }

    @Test
    void badInputs_sayWhatIsWrong_withExitCode1() throws Exception {
        Path db = walDatabase("app.db");
        CliRun none = CliRun.of("sync", "-socket", socket().toString(), db.toString());
        assertEquals(1, none.code());
        assertTrue(none.err().startsWith("litefleet: no litefleet daemon listening on " + socket()), none.err());
        try (Replication r = daemon(db, dir.resolve("replica"))) {
            CliRun unknown = ctl("sync", "-wait", dir.resolve("nope.db").toString());
            assertEquals(1, unknown.code());
            assertEquals("litefleet: sync failed: database not found: " + dir.resolve("nope.db") + "\n",
                    unknown.err());
            CliRun noPath = ctl("sync");
            assertEquals(1, noPath.code());
            assertTrue(noPath.err().contains("database path required"), noPath.err());
            assertEquals(1, ctl("sync", "-timeout", "0", db.toString()).code());
            assertTrue(ctl("sync", "-timeout", "0", db.toString()).err().contains("timeout must be greater than 0"));
            assertTrue(ctl("register", db.toString()).err().contains("-replica is required"));
            CliRun badUrl = ctl("register", "-replica", "nosuch://x/y", dir.resolve("x.db").toString());
            assertEquals(1, badUrl.code());
            assertTrue(badUrl.err().startsWith("litefleet: register failed: invalid replica url: "), badUrl.err());
            assertTrue(badUrl.err().contains("nosuch"), badUrl.err());
            CliRun overlap = ctl("register", "-replica", dir.resolve("replica").toUri().toString(),
                    dir.resolve("x.db").toString());
            assertEquals(1, overlap.code());
            assertTrue(overlap.err().contains("replica"), overlap.err());
            assertTrue(ctl("start", dir.resolve("nope.db").toString()).err().contains("database not found"));
            assertTrue(ctl("info", "extra").err().contains("too many arguments"));
        }
    }

    @Test
    void syncWait_thatCannotShipInTime_timesOutNamingTheDatabase() throws Exception {
        Path db = walDatabase("app.db");
        // manual: nothing syncs until the test drives it, so the daemon's own timeout is what ends the wait
        try (Replication r = Litefleet.builder().stateDir(dir.resolve("state")).database(db,
                dir.resolve("replica").toUri().toString(), HOURLY).controlSocket(socket(), 0600).manual().start()) {
            long start = System.nanoTime();
            CliRun t = ctl("sync", "-wait", "-timeout", "1", db.toString());
            assertEquals(1, t.code());
            assertEquals("litefleet: sync failed: timed out after 1 s waiting for " + db + " to reach its replica (it "
                    + "keeps replicating)\n", t.err());
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "the daemon answered, not the "
                    + "client's own deadline");
            r.runUntilIdle();
            assertEquals(1, r.txid(db), "the sync that was asked for still runs");
        }
    }

    @Test
    void aDaemonThatDoesNotAnswer_timesOut_namingTheSocket() throws Exception {
        Path s = socket();
        try (ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            silent.bind(UnixDomainSocketAddress.of(s));
            long start = System.nanoTime();
            CliRun r = CliRun.of("info", "-socket", s.toString(), "-timeout", "1");
            assertEquals(1, r.code());
            assertTrue(r.err().contains(s + ": the daemon did not answer within 6 s"), r.err());
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(30).toNanos());
        }
    }

    @Test
    void socketFile_hasTheConfiguredPermissions_aStaleOneIsReplaced_aLiveOneOrAFileIsRefused() throws Exception {
        Path db = walDatabase("app.db");
        Path s = socket();
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(s)); // closed without unlinking: a stale socket file
        }
        assertTrue(Files.exists(s));
        try (Replication r = Litefleet.builder().stateDir(dir.resolve("state")).database(db,
                dir.resolve("replica").toUri().toString(), HOURLY).controlSocket(s, 0660).start()) {
            assertEquals(s, r.controlSocket().orElseThrow(), "the stale socket was replaced");
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(s)));
            assertEquals(0, ctl("list").code());
            Path other = walDatabase("other.db");
            try (Replication second = Litefleet.builder().stateDir(dir.resolve("state2")).database(other,
                    dir.resolve("replica2").toUri().toString(), HOURLY).controlSocket(s, 0600).start()) {
                assertTrue(second.controlSocket().isEmpty(), "a live socket is not taken over");
                assertTrue(ctl("list").out().contains(db.toString()), "the first daemon still answers");
            }
            assertTrue(Files.exists(s), "the refused daemon left the first one's socket alone");
        }
        assertFalse(Files.exists(s), "close removed the socket file");
        Files.writeString(s, "not a socket");
        try (Replication r = daemon(db, dir.resolve("replica"))) {
            assertTrue(r.controlSocket().isEmpty(), "a regular file is not replaced");
            assertEquals("not a socket", Files.readString(s));
        }
    }

    @Test
    void reset_forgetsTheRecordedPosition_refusedWhileReplicating_theNextSyncStartsAFreshSnapshot()
            throws Exception {
        Path db = walDatabase("app.db");
        Path replica = dir.resolve("replica");
        String state = dir.resolve("state").toString();
        long txid;
        try (Replication r = daemon(db, replica)) {
            assertEquals(0, ctl("sync", "-wait", db.toString()).code());
            txid = r.txid(db);
            CliRun busy = CliRun.of("reset", "--state-dir", state, db.toString());
            assertEquals(1, busy.code());
            assertTrue(busy.err().contains(db + ": another litefleet replicate in this process is replicating"),
                    busy.err());
        }
        CliRun dry = CliRun.of("reset", "--state-dir", state, "-dry-run", db.toString());
        assertEquals(0, dry.code(), dry.err());
        assertTrue(dry.out().contains(String.format("Would forget: position TXID %016x", txid)), dry.out());
        CliRun reset = CliRun.of("reset", "--state-dir", state, db.toString());
        assertEquals(0, reset.code(), reset.err());
        assertTrue(reset.out().endsWith("Reset complete. Next replication sync will create a fresh snapshot.\n"));
        assertTrue(CliRun.of("reset", "--state-dir", state, db.toString()).out().startsWith("No local state"));
        try (Replication r = daemon(db, replica)) {
            CliRun sync = ctl("sync", "-wait", db.toString());
            assertEquals(txid + 1, field(sync, "replica_txid"), "a snapshot as the TXID after the replica's last");
        }
        assertRestoresEqual(db, replica);
        assertEquals(1, CliRun.of("reset", dir.resolve("nope.db").toString()).code());
    }

    @Test
    void status_readsTheConfigAndTheCatalog_withoutADaemon() throws Exception {
        Path db = walDatabase("app.db");
        Path missing = dir.resolve("missing.db");
        Path cfg = dir.resolve("litestream.yml");
        Files.writeString(cfg, "state-dir: " + dir.resolve("state") + "\ndbs:\n  - path: " + db + "\n    replica:\n"
                + "      url: " + dir.resolve("replica").toUri() + "\n  - path: " + missing + "\n    replica:\n"
                + "      url: " + dir.resolve("replica-m").toUri() + "\n");
        CliRun before = CliRun.of("status", "-config", cfg.toString());
        assertEquals(0, before.code(), before.err());
        assertTrue(before.out().lines().anyMatch(l -> l.startsWith(db.toString()) && l.contains("not initialized")),
                before.out());
        assertTrue(before.out().lines().anyMatch(l -> l.startsWith(missing.toString()) && l.contains("no database")));
        try (Replication r = Litefleet.builder().stateDir(dir.resolve("state")).database(db,
                dir.resolve("replica").toUri().toString(), HOURLY).controlSocket(socket(), 0600).start()) {
            assertEquals(0, ctl("sync", "-wait", db.toString()).code());
        }
        CliRun after = CliRun.of("status", "-config", cfg.toString(), "-no-expand-env", "-json", db.toString());
        assertEquals(0, after.code(), after.err());
        assertTrue(after.out().contains("\"status\": \"ok\"") && after.out().contains("\"local_txid\": "
                + "\"0000000000000001\"") && !after.out().contains(missing.toString()), after.out());
        if (System.getenv("LITESTREAM_CONFIG") == null && !Files.exists(Path.of("/etc/litestream.yml"))) {
            CliRun none = CliRun.of("status");
            assertEquals(1, none.code());
            assertTrue(none.err().contains("no configuration file: give -config FILE"), none.err());
        }
    }

    @Test
    void humanBytes_andGoDurations_printAsUpstream() {
        assertEquals("0 B", StatusCommand.humanBytes(0));
        assertEquals("999 B", StatusCommand.humanBytes(999));
        assertEquals("4.1 kB", StatusCommand.humanBytes(4120));
        assertEquals("12 MB", StatusCommand.humanBytes(12_345_678));
        assertEquals("0s", InfoCommand.goDuration(0));
        assertEquals("2m5s", InfoCommand.goDuration(125));
        assertEquals("1h0m3s", InfoCommand.goDuration(3603));
    }

    private void assertRestoresEqual(Path db, Path replica) throws Exception {
        assertRestoresEqual(dir, db, replica);
    }

    /** Restores {@code replica} with ours and with stock litestream into {@code dir}; both equal {@code db}. */
    static void assertRestoresEqual(Path dir, Path db, Path replica) throws Exception {
        Path ours = dir.resolve("ours-" + db.getFileName());
        Files.deleteIfExists(ours);
        CliRun r = CliRun.of("restore", "-o", ours.toString(), replica.toUri().toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(DbContent.hash(db), DbContent.hash(ours), "our restore");
        assertEquals("ok", DbContent.integrityCheck(ours));
        Path stock = dir.resolve("stock-" + db.getFileName());
        Files.deleteIfExists(stock);
        var res = PeerProcess.run(dir, Duration.ofSeconds(60), List.of(PeerTools.litestream().toString(), "restore",
                "-o", stock.toString(), replica.toUri().toString()));
        assertEquals(0, res.exitCode(), res.both());
        assertEquals(DbContent.hash(db), DbContent.hash(stock), "stock litestream restore");
        assertEquals("ok", DbContent.integrityCheck(stock));
    }
}
