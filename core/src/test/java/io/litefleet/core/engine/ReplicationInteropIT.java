package io.litefleet.core.engine;

import io.litefleet.core.replica.TestRestore;
import io.litefleet.testkit.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.cli.Main;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.restore.RestoreOptions;
import io.litefleet.core.restore.RestoreTarget;
import io.litefleet.core.restore.Restorer;
import io.litefleet.core.replica.RetryPolicy;
import io.litefleet.core.state.Catalog;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.litefleet.core.replica.ReplicaTarget;

/** Replication end to end: point-in-time restores, upstream's replicas continued, SIGTERM, config-form restore. */
class ReplicationInteropIT {
    @TempDir
    Path dir;

    private Path db;
    private Path replica;
    private Connection app;
    private ReplicaTarget target;

    @BeforeEach
    void setUp() throws Exception {
        db = dir.resolve("app.db");
        replica = dir.resolve("replica");
        app = DriverManager.getConnection("jdbc:sqlite:" + db);
        exec("PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
        target = new ReplicaTarget(new FileReplicaClientProvider().create(Settings.of("test",
                Map.of("root", replica.toString()))), ReplicaLayout.LTX_DIRS, "");
    }

    @AfterEach
    void tearDown() throws Exception {
        app.close();
        target.client().close();
    }

    @Test
    void restore_everyTxidAndTimestampBetweenWrites_givesExactlyThatState() throws Exception {
        record State(long txid, Instant after, String hash) {
        }
        List<State> states = new ArrayList<>();
        MutableClock clock = new MutableClock(Instant.parse("2026-11-26T12:00:00Z"));
        try (Catalog catalog = Catalog.open(dir.resolve("state"));
             DbReplicator r = DbReplicator.create(db, target, catalog, EngineSettings.DEFAULTS, clock,
                     ReplicaListener.NONE)) {
            for (int i = 0; i < 8; i++) {
                exec("INSERT INTO t(v) VALUES ('row " + i + "')", "UPDATE t SET v = v || '+' WHERE id % 2 = 0");
                long txid = r.sync().txid();
                states.add(new State(txid, clock.instant(), DbContent.hash(app)));
                clock.advance(Duration.ofSeconds(10));
            }
        }
        Restorer restorer = Restorer.create(Clock.systemUTC(), RetryPolicy.DEFAULT);
        Path out = dir.resolve("pit.db");
        for (State s : states) {
            var byTxid = restorer.plan(target, new RestoreTarget.AtTxid(s.txid()), 4).orElseThrow();
            restorer.restore(target, byTxid, RestoreOptions.of(out).withOverwrite(true));
            assertEquals(s.hash(), DbContent.hash(out), "state at TXID " + s.txid());
            // Five seconds after the sync: the state must be that one, not the next (ten seconds later).
            var byTime = restorer.plan(target, new RestoreTarget.AtTime(s.after().plusSeconds(5)), 4).orElseThrow();
            restorer.restore(target, byTime, RestoreOptions.of(out).withOverwrite(true));
            assertEquals(s.hash(), DbContent.hash(out), "state at " + s.after().plusSeconds(5));
            assertEquals("ok", DbContent.integrityCheck(out));
        }
    }

    @Test
    void replicate_upstreamReplica_isContinuedAndBothRestoresEqualTheSource() throws Exception {
        Path litestream = PeerTools.litestream();
        Path yml = Files.writeString(dir.resolve("litestream.yml"), """
                dbs:
                  - path: %s
                    replica:
                      type: file
                      path: %s
                      sync-interval: 100ms
                """.formatted(db, replica));
        Process upstream = new ProcessBuilder(litestream.toString(), "replicate", "-config", yml.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("litestream.log").toFile()).start();
        try {
            exec("INSERT INTO t(v) VALUES ('from upstream')");
            awaitFiles(2);
        } finally {
            upstream.destroy();
            upstream.waitFor(20, TimeUnit.SECONDS);
            PeerProcess.kill(upstream);
        }
        long theirMax = maxTxid();
        List<LtxFileRef> theirs = TestRestore.list(target);
        exec("INSERT INTO t(v) VALUES ('after upstream stopped')");
        try (Catalog catalog = Catalog.open(dir.resolve("state"));
             DbReplicator r = DbReplicator.create(db, target, catalog, EngineSettings.DEFAULTS, Clock.systemUTC(),
                     ReplicaListener.NONE)) {
            assertEquals(theirMax + 1, r.sync().txid(), "our TXIDs continue upstream's");
            exec("INSERT INTO t(v) VALUES ('ours')");
            assertEquals(theirMax + 2, r.sync().txid());
        }
        assertTrue(TestRestore.list(target).containsAll(theirs), "upstream's files are kept");
        String source = DbContent.hash(app);
        Path ours = dir.resolve("ours.db");
        Restorer restorer = Restorer.create(Clock.systemUTC(), RetryPolicy.DEFAULT);
        restorer.restore(target, restorer.plan(target, RestoreTarget.latest(), 4).orElseThrow(),
                RestoreOptions.of(ours));
        assertEquals(source, DbContent.hash(ours));
        Path stock = dir.resolve("stock.db");
        var res = PeerProcess.run(dir, Duration.ofSeconds(60), List.of(litestream.toString(), "restore", "-o",
                stock.toString(), replica.toUri().toString()));
        assertEquals(0, res.exitCode(), res.both());
        assertEquals(source, DbContent.hash(stock));
        assertEquals("ok", DbContent.integrityCheck(stock));
    }

    @Test
    void symlinkedDatabase_walIsFoundBesideTheTarget_linkStaysTheName_retargetIsCaptured() throws Exception {
        // SQLite resolves the link and keeps app.db-wal beside app.db; links/link.db-wal never exists.
        Path link = Files.createDirectories(dir.resolve("links")).resolve("link.db");
        Files.createSymbolicLink(link, Path.of("../app.db"));
        exec("PRAGMA wal_autocheckpoint=0", "INSERT INTO t(v) VALUES ('through the link')");
        try (Catalog catalog = Catalog.open(dir.resolve("state"));
             DbReplicator r = DbReplicator.create(link, target, catalog, EngineSettings.DEFAULTS, Clock.systemUTC(),
                     ReplicaListener.NONE)) {
            assertEquals(1, r.sync().txid());
            for (int i = 0; i < 3; i++) {
                exec("INSERT INTO t(v) VALUES ('hot " + i + "')");
                SyncResult s = r.sync();
                assertEquals(i + 2, s.txid());
                assertFalse(s.capture(), "the WAL beside the target continues the replica");
            }
            assertEquals(link, r.path());
            assertTrue(catalog.get(link.toString()).isPresent(), "the catalog knows it by the configured path");
            assertFalse(Files.exists(dir.resolve("links/link.db-wal")), "nothing written beside the link");
            assertBothRestoresEqual(db);

            // The link now names another database: the next sync opens that one and captures it.
            Path other = dir.resolve("other.db");
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + other);
                 Statement st = c.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                st.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
                st.execute("INSERT INTO t(v) VALUES ('other database')");
                Path tmp = dir.resolve("links/link.tmp");
                Files.createSymbolicLink(tmp, Path.of("../other.db"));
                Files.move(tmp, link, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                SyncResult s = r.sync();
                assertTrue(s.capture(), "another file behind the link is captured: " + s);
                st.execute("INSERT INTO t(v) VALUES ('after the retarget')");
                assertFalse(r.sync().capture(), "and then streamed from its own WAL");
                assertBothRestoresEqual(other);
            }
        }
    }

    /** Our restore and stock {@code litestream restore} of the replica both equal {@code source}. */
    private void assertBothRestoresEqual(Path source) throws Exception {
        String want = DbContent.hash(source);
        Path ours = dir.resolve("ours-" + source.getFileName());
        Restorer restorer = Restorer.create(Clock.systemUTC(), RetryPolicy.DEFAULT);
        restorer.restore(target, restorer.plan(target, RestoreTarget.latest(), 4).orElseThrow(),
                RestoreOptions.of(ours));
        assertEquals(want, DbContent.hash(ours), "our restore");
        assertEquals("ok", DbContent.integrityCheck(ours));
        assertStockRestoreEquals(source, replica);
    }

    /** Stock {@code litestream restore} of the replica at {@code root} equals {@code source}. */
    private void assertStockRestoreEquals(Path source, Path root) throws Exception {
        Path stock = dir.resolve("stock-" + source.getFileName());
        var res = PeerProcess.run(dir, Duration.ofSeconds(60), List.of(PeerTools.litestream().toString(), "restore",
                "-o", stock.toString(), root.toUri().toString()));
        assertEquals(0, res.exitCode(), res.both());
        assertEquals(DbContent.hash(source), DbContent.hash(stock), "stock litestream restore");
        assertEquals("ok", DbContent.integrityCheck(stock));
    }

    @Test
    void sigterm_flushesWhatIsCommittedBeforeExiting() throws Exception {
        Path log = dir.resolve("daemon.log");
        Process daemon = Daemon.start(log, "replicate", "--state-dir", dir.resolve("state").toString(),
                "-sync-interval", "1h", db.toString(), replica.toUri().toString());
        try {
            awaitFiles(1); // the first sync runs at start; the next one would be an hour later
            for (int i = 0; i < 20; i++) {
                exec("INSERT INTO t(v) VALUES ('before sigterm " + i + "')");
            }
            daemon.destroy(); // SIGTERM
            assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "daemon exits after SIGTERM");
            assertEquals(0, daemon.exitValue(), "a requested stop is a clean exit:\n" + Files.readString(log));
        } finally {
            PeerProcess.kill(daemon);
        }
        // The first sync (at start) may catch the earliest rows; the last ones can only come from the final sync.
        int files = TestRestore.list(target).size();
        assertTrue(files >= 2, "the final sync shipped: " + TestRestore.list(target) + "\n" + Files.readString(log));
        // At stop, one line per destination: every file in the replica is one put, the final sync's included.
        String summary = Files.readString(log).lines().filter(l -> l.contains("requests to file:///: ")).findFirst()
                .orElseThrow(() -> new AssertionError("no request summary at stop:\n" + log));
        assertTrue(summary.contains(": put " + files + " (ok " + files + "), "), summary);
        assertTrue(summary.matches(".*; [0-9.]+ (B|KiB|MiB) up, [0-9.]+ (B|KiB|MiB) down$"), summary);
        assertBothRestoresEqual(db);
    }

    @Test
    void sigtermWhileStarting_endsTheStartCleanlyWithExitZero_andTheNextRunReplicates() throws Exception {
        exec("INSERT INTO t(v) VALUES ('before the start')");
        Path tenant = Files.createDirectories(dir.resolve("fleet/p0")).resolve("t0.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + tenant); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("CREATE TABLE t(v)");
            st.execute("INSERT INTO t VALUES ('fleet')");
        }
        Path state = dir.resolve("state");
        Path fleetReplica = dir.resolve("fleet-replica");
        Path config = Files.writeString(dir.resolve("litefleet.yml"), dbsConfig(state) + """
                multi-db:
                  patterns: ["%s/{project}/{tenant}.db"]
                  replica-template:
                    type: file
                    path: "%s/{{project}}/{{tenant}}"
                """.formatted(dir.resolve("fleet"), fleetReplica));
        Path log = dir.resolve("daemon.log");
        Process daemon = Daemon.start(log, "replicate", "-config", config.toString());
        try {
            // The moment the start takes the state lock (before plugins, catalog and fleet), not after a sleep.
            Path lock = state.resolve("replicate.lock");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(lock)) {
                assertTrue(daemon.isAlive() && System.nanoTime() < deadline, "no state lock:\n" + Files.readString(log));
                Thread.onSpinWait();
            }
            daemon.destroy(); // SIGTERM
            assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "daemon exits after SIGTERM");
            assertEquals(0, daemon.exitValue(), "a stop while starting is a clean exit:\n" + Files.readString(log));
        } finally {
            PeerProcess.kill(daemon);
        }
        // What it left behind (state lock, catalog) lets the next run replicate both databases. A stop while
        // starting may come after the first syncs, so the next run is known to be up by what only it can ship.
        int before = TestRestore.list(target).size();
        exec("INSERT INTO t(v) VALUES ('after the restart')");
        daemon = Daemon.start(log, "replicate", "-config", config.toString());
        try {
            awaitFiles(before + 1);
            awaitFile(fleetReplica.resolve("p0/t0/ltx/0"));
            daemon.destroy();
            assertTrue(daemon.waitFor(60, TimeUnit.SECONDS), "daemon exits after SIGTERM");
            assertEquals(0, daemon.exitValue(), Files.readString(log));
        } finally {
            PeerProcess.kill(daemon);
        }
        assertBothRestoresEqual(db);
        assertStockRestoreEquals(tenant, fleetReplica.resolve("p0/t0"));
    }

    /** A config replicating the test's database under {@code dbs:} to the test's replica. */
    private String dbsConfig(Path state) {
        return """
                state-dir: %s
                dbs:
                  - path: %s
                    replica:
                      type: file
                      path: %s
                """.formatted(state, db, replica);
    }

    private static void awaitFile(Path p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(p)) {
            assertTrue(System.nanoTime() < deadline, "no " + p + " after 60 s");
            Thread.sleep(50);
        }
    }

    @Test
    void restoreCommand_configuredDatabasePath_findsItsReplica() throws Exception {
        Path config = Files.writeString(dir.resolve("litefleet.yml"), dbsConfig(dir.resolve("state")));
        exec("INSERT INTO t(v) VALUES ('configured')");
        assertEquals(0, Main.run("replicate", "-config", config.toString(), "-once"));
        Path out = dir.resolve("restored.db");
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "restore", "-config",
                config.toString(), "-o", out.toString(), db.toString());
        assertEquals(0, code, err.toString());
        assertEquals(DbContent.hash(app), DbContent.hash(out));
        StringWriter err2 = new StringWriter();
        int missing = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err2), "restore", "-config",
                config.toString(), "-o", dir.resolve("x.db").toString(), dir.resolve("other.db").toString());
        assertEquals(1, missing);
        assertTrue(err2.toString().contains("no database " + dir.resolve("other.db")), err2.toString());
        assertFalse(Files.exists(dir.resolve("x.db")));
    }

    private long maxTxid() throws Exception {
        return TestRestore.list(target).stream().mapToLong(LtxFileRef::maxTxid).max().orElse(0);
    }

    private void awaitFiles(int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (TestRestore.list(target).size() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("replica has fewer than " + n + " files after 60 s");
            }
            Thread.sleep(50);
        }
    }

    private void exec(String... sql) throws Exception {
        try (Statement st = app.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

}
