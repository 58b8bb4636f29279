package io.litefleet.core.engine;

import io.litefleet.core.replica.TestRestore;
import io.litefleet.testkit.MutableClock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.compact.CompactionSettings;
import io.litefleet.core.compact.Maintenance;
import io.litefleet.core.compact.MaintenanceReport;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.state.Catalog;
import io.litefleet.core.state.ReplicaPosition;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.FaultyReplicaClient;
import io.litefleet.testkit.FaultyReplicaClient.Operation;
import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import io.litefleet.core.replica.ReplicaTarget;

/**
 * A database whose page size changed, that was replaced, or whose replica holds someone else's history starts a new
 * restore chain (a level-9 snapshot plus the level-0 file of the same TXID) that Litefleet and stock
 * {@code litestream restore} both restore; the old chain stays restorable up to the change; compaction keeps the
 * chains apart.
 */
class NewChainIT {
    @TempDir
    Path dir;

    private Path db;
    private Path replica;
    private ReplicaTarget target;
    private final Random rnd = new Random(seed());

    private static long seed() {
        long s = Long.getLong("litefleet.seed", new Random().nextLong());
        System.out.println("NewChainIT seed=" + s);
        return s;
    }

    @BeforeEach
    void setUp() throws Exception {
        db = dir.resolve("app.db");
        replica = dir.resolve("replica");
        target = target(replica);
    }

    @AfterEach
    void tearDown() {
        target.client().close();
    }

    private static ReplicaTarget target(Path root) throws Exception {
        return new ReplicaTarget(new FileReplicaClientProvider().create(Settings.of("test", Map.of("root",
                root.toString()))), ReplicaLayout.LTX_DIRS, "");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"4096, 16384", "16384, 4096", "1024, 65536", "65536, 1024"})
    void pageSizeChangedWhileStopped_startsANewChain_bothToolsRestoreBothSidesOfIt(int from, int to)
            throws Exception {
        create(db, from, "UTF-8");
        long before;
        String beforeHash;
        try (Connection app = open(db)) {
            try (Catalog catalog = Catalog.open(dir.resolve("state"));
                 DbReplicator r = replicator(db, catalog, ReplicaListener.NONE)) {
                for (int i = 0; i < 3; i++) {
                    write(app, 40);
                    r.sync();
                }
                before = r.txid();
            }
            beforeHash = DbContent.hash(app);
        }
        try (Connection app = open(db)) {
            SqliteFiles.exec(app, "PRAGMA journal_mode=DELETE", "PRAGMA page_size=" + to, "VACUUM",
                    "PRAGMA journal_mode=WAL");
            assertEquals(String.valueOf(to), SqliteFiles.queryString(app, "PRAGMA page_size"));
            write(app, 30);
            MutableClock clock = new MutableClock(Instant.parse("2026-12-04T12:00:00Z"));
            Maintenance maintenance = Maintenance.create(target, CompactionSettings.defaults());
            try (Catalog catalog = Catalog.open(dir.resolve("state"));
                 DbReplicator r = DbReplicator.create(db, target, catalog, EngineSettings.DEFAULTS, clock,
                         maintenance::onUploaded)) {
                SyncResult s = r.sync();
                assertTrue(s.capture(), "a new page size cannot continue the old chain");
                long chain = s.txid();
                assertEquals(before + 1, chain);
                assertTrue(TestRestore.list(target).contains(new LtxFileRef(9, 1, chain, clock.instant(), 0))
                        || TestRestore.list(target).stream().anyMatch(f -> f.level() == 9 && f.minTxid() == 1
                        && f.maxTxid() == chain), "the capture is also a snapshot: " + TestRestore.list(target));
                BothRestores.assertRestore(dir, target, replica, 0, DbContent.hash(app), "latest, right after");
                for (int i = 0; i < 3; i++) {
                    write(app, 10);
                    clock.advance(Duration.ofSeconds(1));
                    assertFalse(r.sync().capture(), "the new chain continues from the WAL");
                }
                clock.advance(Duration.ofMinutes(2));
                MaintenanceReport settled = maintenance.settle(clock.instant(), Duration.ZERO).report();
                assertNull(settled.failure(), "compaction across the change: " + settled.failure());
                assertTrue(settled.written().stream().anyMatch(f -> f.level() == 1 && f.maxTxid() == before),
                        "the old chain is compacted on its own: " + settled.written());
                assertTrue(settled.written().stream().anyMatch(f -> f.level() == 1 && f.minTxid() == chain),
                        "the new chain is compacted on its own: " + settled.written());
                write(app, 5);
                r.sync();
                BothRestores.assertRestore(dir, target, replica, 0, DbContent.hash(app), "latest after compaction");
                BothRestores.assertRestore(dir, target, replica, before, beforeHash, "TXID before the change");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"deleted", "renamed over", "overwritten in place"})
    void databaseReplacedWhileHot_byOneWithAnotherPageSize_startsANewChain(String how) throws Exception {
        create(db, 4096, "UTF-8");
        try (Catalog catalog = Catalog.open(dir.resolve("state"));
             DbReplicator r = replicator(db, catalog, ReplicaListener.NONE)) {
            try (Connection app = open(db)) {
                write(app, 30);
                r.sync();
                write(app, 5);
                r.sync();
            }
            long before = r.txid();
            Path fresh = dir.resolve("fresh.db");
            create(fresh, 8192, "UTF-8");
            try (Connection other = open(fresh)) {
                write(other, 25);
                SqliteFiles.exec(other, "PRAGMA wal_checkpoint(TRUNCATE)");
            }
            for (String suffix : new String[] {"-wal", "-shm"}) {
                Files.deleteIfExists(db.resolveSibling(db.getFileName() + suffix));
            }
            if (how.equals("deleted")) {
                Files.delete(db);
            }
            if (how.equals("overwritten in place")) {
                // cp(1) keeps the inode. From another process: closing a descriptor of the file here would drop
                // this process's POSIX locks on it, which a real overwrite by another program does not.
                var cp = io.litefleet.testkit.PeerProcess.run(dir, Duration.ofSeconds(30), java.util.List.of("cp",
                        fresh.toString(), db.toString()));
                assertEquals(0, cp.exitCode(), cp.both());
                Files.delete(fresh);
            } else {
                Files.move(fresh, db, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Files.deleteIfExists(dir.resolve("fresh.db-wal"));
            Files.deleteIfExists(dir.resolve("fresh.db-shm"));
            // The application is another process: SQLite shares one inode's locks and -shm between the connections
            // of a process, so a connection here would share our stale one's until the sync reopens it.
            var cli = io.litefleet.testkit.PeerProcess.run(dir, Duration.ofSeconds(30), java.util.List.of(
                    io.litefleet.testkit.PeerTools.sqlite3().toString(), db.toString(),
                    "INSERT INTO t(v, s) VALUES (randomblob(3000), 'after the replacement')"));
            assertEquals(0, cli.exitCode(), cli.both());
            try (Connection app = open(db)) {
                SyncResult s = r.sync();
                assertTrue(s.capture(), "the replaced file is captured");
                assertEquals(before + 1, s.txid());
                write(app, 3);
                assertFalse(r.sync().capture());
                BothRestores.assertRestore(dir, target, replica, 0, DbContent.hash(app), "the new database");
            }
        }
    }

    /** Changes in the same class as a page-size change, made while the replicator was stopped. */
    @ParameterizedTest
    @ValueSource(strings = {"shrink", "auto_vacuum", "encoding"})
    void fileRewrittenWhileStopped_bothToolsRestoreTheNewState(String change) throws Exception {
        create(db, 4096, "UTF-8");
        try (Connection app = open(db)) {
            try (Catalog catalog = Catalog.open(dir.resolve("state"));
                 DbReplicator r = replicator(db, catalog, ReplicaListener.NONE)) {
                write(app, 200);
                r.sync();
                write(app, 10);
                r.sync();
            }
        }
        long pagesBefore = Files.size(db) / 4096;
        switch (change) {
            case "shrink" -> {
                try (Connection app = open(db)) {
                    SqliteFiles.exec(app, "DELETE FROM t WHERE id % 10 != 0", "VACUUM");
                }
            }
            case "auto_vacuum" -> {
                try (Connection app = open(db)) {
                    SqliteFiles.exec(app, "PRAGMA auto_vacuum=FULL", "VACUUM");
                    assertEquals("1", SqliteFiles.queryString(app, "PRAGMA auto_vacuum"));
                }
            }
            case "encoding" -> {
                for (String suffix : new String[] {"", "-wal", "-shm"}) {
                    Files.deleteIfExists(db.resolveSibling(db.getFileName() + suffix));
                }
                create(db, 4096, "UTF-16le");
            }
            default -> throw new IllegalArgumentException(change);
        }
        try (Connection app = open(db)) {
            write(app, 3);
            try (Catalog catalog = Catalog.open(dir.resolve("state"));
                 DbReplicator r = replicator(db, catalog, ReplicaListener.NONE)) {
                r.sync();
                write(app, 2);
                r.sync();
            }
            if (change.equals("shrink")) {
                assertTrue(Files.size(db) / 4096 < pagesBefore / 2, "the database shrank");
            }
            BothRestores.assertRestore(dir, target, replica, 0, DbContent.hash(app), change);
        }
    }

    @Test
    void replicaHoldingAnotherDatabasesHistory_isNotContinued_eachStartsItsOwnChain() throws Exception {
        Path a = dir.resolve("a.db");
        Path b = dir.resolve("b.db");
        create(a, 4096, "UTF-8");
        create(b, 1024, "UTF-8");
        try (Connection appA = open(a); Connection appB = open(b)) {
            write(appA, 50);
            write(appB, 20);
            try (Catalog ca = Catalog.open(dir.resolve("state-a")); DbReplicator ra = replicator(a, ca,
                    ReplicaListener.NONE)) {
                ra.sync();
                write(appA, 5);
                ra.sync();
            }
            BothRestores.assertRestore(dir, target, replica, 0, DbContent.hash(appA), "a alone");
            long b1;
            try (Catalog cb = Catalog.open(dir.resolve("state-b")); DbReplicator rb = replicator(b, cb,
                    ReplicaListener.NONE)) {
                SyncResult s = rb.sync();
                assertTrue(s.capture());
                b1 = s.txid();
                assertEquals(3, b1, "after a's TXIDs 1 and 2");
            }
            assertTrue(TestRestore.list(target).stream().anyMatch(f -> f.level() == 9 && f.maxTxid() == b1));
            BothRestores.assertRestore(dir, target, replica, 0, DbContent.hash(appB), "b over a's history");
            write(appA, 5);
            try (Catalog ca = Catalog.open(dir.resolve("state-a")); DbReplicator ra = replicator(a, ca,
                    ReplicaListener.NONE)) {
                SyncResult s = ra.sync();
                assertTrue(s.capture(), "a's record (TXID 2) no longer ends the replica (TXID 3)");
                assertEquals(4, s.txid());
            }
            BothRestores.assertRestore(dir, target, replica, 0, DbContent.hash(appA), "a again");
        }
    }

    @Test
    void replicaEmptiedWhileStopped_startsANewChainAfterTheRecordedTxid() throws Exception {
        create(db, 4096, "UTF-8");
        try (Connection app = open(db)) {
            try (Catalog catalog = Catalog.open(dir.resolve("state"));
                 DbReplicator r = replicator(db, catalog, ReplicaListener.NONE)) {
                write(app, 20);
                r.sync();
                write(app, 20);
                r.sync();
                assertEquals(2, r.txid());
            }
            deleteTree(replica);
            write(app, 3);
            try (Catalog catalog = Catalog.open(dir.resolve("state"));
                 DbReplicator r = replicator(db, catalog, ReplicaListener.NONE)) {
                SyncResult s = r.sync();
                assertEquals(3, s.txid(), "TXIDs never go back (a follower's TXID stays valid)");
                assertTrue(s.capture());
            }
            assertTrue(TestRestore.list(target).stream().anyMatch(f -> f.level() == 9 && f.maxTxid() == 3),
                    "a new chain: " + TestRestore.list(target));
            BothRestores.assertRestore(dir, target, replica, 0, DbContent.hash(app), "after the replica was emptied");
        }
    }

    @Test
    void uploadNotRecorded_isUploadedAgainFromTheSameFrames_withoutANewChain() throws Exception {
        create(db, 4096, "UTF-8");
        try (Connection app = open(db)) {
            Optional<ReplicaPosition> atOne;
            String atTwo;
            try (Catalog catalog = Catalog.open(dir.resolve("state"));
                 DbReplicator r = replicator(db, catalog, ReplicaListener.NONE)) {
                write(app, 20);
                r.sync();
                atOne = catalog.get(db.toString());
                write(app, 5);
                assertEquals(2, r.sync().txid());
                atTwo = DbContent.hash(app);
                // The process dies after uploading TXID 2 and before recording it (or the catalog could not be
                // written): the catalog still says TXID 1.
                catalog.put(atOne.orElseThrow());
            }
            long sizeOfTwo = Files.size(replica.resolve("ltx/0/0000000000000002-0000000000000002.ltx"));
            write(app, 5);
            try (Catalog catalog = Catalog.open(dir.resolve("state"));
                 DbReplicator r = replicator(db, catalog, ReplicaListener.NONE)) {
                SyncResult s = r.sync();
                assertFalse(s.capture(), "our own upload is recognised by its WAL position");
                assertEquals(3, s.txid(), "TXID 2 again, then the new commit as TXID 3");
            }
            assertEquals(sizeOfTwo, Files.size(replica.resolve("ltx/0/0000000000000002-0000000000000002.ltx")),
                    "TXID 2 holds the same pages as before");
            assertTrue(TestRestore.list(target).stream().noneMatch(f -> f.level() == 9), "no new chain");
            BothRestores.assertRestore(dir, target, replica, 0, DbContent.hash(app), "after the re-upload");
            BothRestores.assertRestore(dir, target, replica, 2, atTwo, "TXID 2");
        }
    }

    @Test
    void replicaEmptiedWhileReplicating_isFoundUnrestorableAtTheNextListing_andANewChainHealsIt() throws Exception {
        create(db, 4096, "UTF-8");
        MutableClock clock = new MutableClock(Instant.parse("2026-12-04T12:00:00Z"));
        Maintenance maintenance = Maintenance.create(target, CompactionSettings.defaults());
        try (Connection app = open(db); Catalog catalog = Catalog.open(dir.resolve("state"));
             DbReplicator r = DbReplicator.create(db, target, catalog, EngineSettings.DEFAULTS, clock,
                     maintenance::onUploaded)) {
            write(app, 20);
            r.sync();
            write(app, 5);
            r.sync();
            assertTrue(maintenance.takeUnrestorable().isEmpty());
            deleteTree(replica); // someone empties the replica while we replicate
            write(app, 5);
            assertEquals(3, r.sync().txid(), "the upload succeeds: nothing tells the replicator yet");
            clock.advance(Duration.ofMinutes(2));
            maintenance.settle(clock.instant(), Duration.ofDays(1)); // lists the replica
            Optional<String> why = maintenance.takeUnrestorable();
            assertTrue(why.isPresent(), "no snapshot to restore from");
            r.startNewChain(why.get());
            write(app, 1);
            SyncResult s = r.sync();
            assertTrue(s.capture());
            assertTrue(TestRestore.list(target).stream().anyMatch(f -> f.level() == 9 && f.maxTxid() == 4),
                    TestRestore.list(target).toString());
            BothRestores.assertRestore(dir, target, replica, 0, DbContent.hash(app), "healed");
        }
    }

    @Test
    void positionRecordedByThisProcess_needsNoReplicaListingAtReopen() throws Exception {
        create(db, 4096, "UTF-8");
        FaultyReplicaClient counting = FaultyReplicaClient.wrap(target.client());
        ReplicaTarget counted = new ReplicaTarget(counting, target.layout(), target.path());
        try (Connection app = open(db)) {
            try (Catalog catalog = Catalog.open(dir.resolve("state"))) {
                try (DbReplicator r = DbReplicator.create(db, counted, catalog, EngineSettings.DEFAULTS,
                        Clock.systemUTC(), ReplicaListener.NONE)) {
                    write(app, 5);
                    r.sync();
                }
                int afterFirst = counting.calls(Operation.LIST);
                assertEquals(1, afterFirst, "a database with no record lists its replica once (every level)");
                try (DbReplicator r = DbReplicator.create(db, counted, catalog, EngineSettings.DEFAULTS,
                        Clock.systemUTC(), ReplicaListener.NONE)) {
                    write(app, 5);
                    r.sync();
                }
                assertEquals(afterFirst, counting.calls(Operation.LIST), "recorded by this process: no request");
            }
            int before = counting.calls(Operation.LIST);
            try (Catalog catalog = Catalog.open(dir.resolve("state"));
                 DbReplicator r = DbReplicator.create(db, counted, catalog, EngineSettings.DEFAULTS,
                         Clock.systemUTC(), ReplicaListener.NONE)) {
                write(app, 5);
                r.sync();
                assertEquals(3, r.txid());
            }
            assertEquals(before + 1, counting.calls(Operation.LIST),
                    "a new process confirms its record with one LIST of its replica");
            BothRestores.assertRestore(dir, target, replica, 0, DbContent.hash(app), "after three runs");
        }
    }

    // ---- helpers ----

    private DbReplicator replicator(Path path, Catalog catalog, ReplicaListener listener) {
        return DbReplicator.create(path, target, catalog, EngineSettings.DEFAULTS, Clock.systemUTC(), listener);
    }

    private static void create(Path path, int pageSize, String encoding) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + path)) {
            SqliteFiles.exec(c, "PRAGMA page_size=" + pageSize, "PRAGMA encoding='" + encoding + "'",
                    "PRAGMA journal_mode=WAL", "PRAGMA wal_autocheckpoint=0",
                    "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB, s TEXT)");
        }
    }

    private static Connection open(Path path) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + path);
        SqliteFiles.exec(c, "PRAGMA wal_autocheckpoint=0", "PRAGMA busy_timeout=2000");
        return c;
    }

    private void write(Connection app, int rows) throws SQLException {
        try (PreparedStatement ps = app.prepareStatement("INSERT INTO t(v, s) VALUES (?, ?)")) {
            for (int i = 0; i < rows; i++) {
                byte[] v = new byte[100 + rnd.nextInt(900)];
                rnd.nextBytes(v);
                ps.setBytes(1, v);
                ps.setString(2, "row ünï " + rnd.nextInt());
                ps.executeUpdate();
            }
        }
        SqliteFiles.exec(app, "UPDATE t SET s = s || '+' WHERE id % 7 = " + rnd.nextInt(7));
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

}
