package io.litefleet.core.engine;

import io.litefleet.core.replica.TestRestore;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.restore.RestoreTarget;
import io.litefleet.core.state.Catalog;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import io.litefleet.core.replica.ReplicaTarget;

class DbReplicatorTest {
    @TempDir
    Path dir;

    private Path db;
    private Connection app;
    private Catalog catalog;
    private ReplicaTarget target;
    private final Random rnd = new Random(seed());

    private static long seed() {
        long s = Long.getLong("litefleet.seed", new Random().nextLong());
        System.out.println("DbReplicatorTest seed=" + s);
        return s;
    }

    @BeforeEach
    void setUp() throws Exception {
        db = dir.resolve("app.db");
        app = open(db);
        exec("PRAGMA journal_mode=WAL", "PRAGMA wal_autocheckpoint=0",
                "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)");
        catalog = Catalog.open(dir.resolve("state"));
        var provider = new FileReplicaClientProvider();
        target = new ReplicaTarget(provider.create(Settings.of("test", Map.of("root",
                dir.resolve("replica").toString()))), ReplicaLayout.LTX_DIRS, "");
    }

    @AfterEach
    void tearDown() throws Exception {
        app.close();
        catalog.close();
        target.client().close();
    }

    private DbReplicator replicator() {
        return DbReplicator.create(db, target, catalog, EngineSettings.DEFAULTS, Clock.systemUTC(),
                ReplicaListener.NONE);
    }

    @Test
    void sync_writesBetweenSyncs_restoreEqualsSourceAtEveryTxid() throws Exception {
        try (DbReplicator r = replicator()) {
            SyncResult first = r.sync();
            assertEquals(1, first.txid());
            assertReplicaEqualsSource();
            for (int i = 0; i < 10; i++) {
                write(1 + rnd.nextInt(20), rnd.nextInt(3000));
                SyncResult s = r.sync();
                assertEquals(i + 2, s.txid());
                assertFalse(s.capture());
                assertReplicaEqualsSource();
            }
            assertEquals(11, r.sync().txid(), "an idle sync uploads nothing");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"PASSIVE", "FULL", "RESTART", "TRUNCATE"})
    void sync_applicationCheckpointsWhileHot_loseNothing(String mode) throws Exception {
        exec("PRAGMA busy_timeout=50"); // our pinned reader makes RESTART/TRUNCATE wait this long, then give up
        try (DbReplicator r = replicator()) {
            r.sync();
            for (int i = 0; i < 6; i++) {
                write(5, 2000);
                checkpoint(mode); // our read transaction pins the WAL: RESTART/TRUNCATE report busy
                write(3, 100);
                SyncResult s = r.sync();
                assertFalse(s.capture(), "no capture needed while we pin the WAL");
                assertReplicaEqualsSource();
            }
        }
    }

    @Test
    void sync_ourTruncateCheckpoint_continuesIntoTheNextGenerationWithoutCapture() throws Exception {
        EngineSettings eager = new EngineSettings(EngineSettings.DEFAULTS.syncInterval(), 1, 1,
                EngineSettings.DEFAULTS.checkpointInterval(), EngineSettings.DEFAULTS.busyTimeout(),
                EngineSettings.DEFAULTS.checkpointBusyTimeout(), EngineSettings.DEFAULTS.maxSyncBytes());
        try (DbReplicator r = DbReplicator.create(db, target, catalog, eager, Clock.systemUTC(), ReplicaListener.NONE)) {
            r.sync();
            int checkpoints = 0;
            for (int i = 0; i < 8; i++) {
                write(4, 1500);
                SyncResult s = r.sync();
                checkpoints += s.checkpointed() ? 1 : 0;
                assertFalse(s.capture(), "round " + i + ": our own checkpoint proves continuity");
                assertReplicaEqualsSource();
            }
            assertTrue(checkpoints >= 4, "checkpoints ran: " + checkpoints);
            assertTrue(Files.size(dir.resolve("app.db-wal")) < 200_000, "the WAL was truncated");
        }
    }

    @Test
    void checkpoint_applicationCommitsAndCheckpointsInTheGap_isNotLost() throws Exception {
        EngineSettings eager = new EngineSettings(EngineSettings.DEFAULTS.syncInterval(), 1, 1_000_000,
                EngineSettings.DEFAULTS.checkpointInterval(), EngineSettings.DEFAULTS.busyTimeout(),
                EngineSettings.DEFAULTS.checkpointBusyTimeout(), EngineSettings.DEFAULTS.maxSyncBytes());
        try (Connection reader = open(db);
             DbReplicator r = DbReplicator.create(db, target, catalog, eager, Clock.systemUTC(), ReplicaListener.NONE)) {
            r.sync();
            // Another application reader pins an older snapshot, so our PASSIVE checkpoint cannot finish...
            reader.setAutoCommit(false);
            try (Statement st = reader.createStatement()) {
                st.executeQuery("SELECT count(*) FROM t").close();
            }
            write(3, 100);
            // ...and in the moment before we pin the WAL again, the reader goes, the application appends a commit to
            // the same WAL generation and its own checkpoint copies it into the database file. Its next write then
            // restarts the WAL exactly once.
            r.afterCheckpoint(() -> {
                try {
                    reader.commit();
                    write(1, 100);
                    checkpoint("PASSIVE");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(r.sync().checkpointed());
            r.afterCheckpoint(() -> { });
            write(1, 100);
            r.sync();
            assertReplicaEqualsSource();
        }
    }

    @Test
    void resumedWithAnEmptyWal_aCommitCheckpointedWhileTheDatabaseFileIsGivenBack_isShipped() throws Exception {
        try (DbReplicator r = replicator()) {
            write(10, 500);
            r.sync();
        }
        checkpoint("TRUNCATE"); // the WAL is empty at the restart: resuming reads the database file ("unchanged")
        try (DbReplicator r = replicator()) {
            // Giving the database-file descriptor back closes our connection for a moment. An application commits
            // then, and its checkpoint (here TRUNCATE; a last connection's close deletes the WAL) moves the commit
            // into the database file: the WAL is empty again when we pin it.
            r.whileUnpinned(() -> {
                try {
                    write(2, 100);
                    checkpoint("TRUNCATE");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            SyncResult resumed = r.sync();
            r.whileUnpinned(() -> { });
            assertEquals(0, resumed.files(), "resumed without an upload");
            SyncResult next = r.sync(); // what sync -wait runs: the commit was made before it
            assertEquals(resumed.txid() + 1, next.txid(), "the commit made before this sync is shipped: " + next);
        }
        assertReplicaEqualsSource();
    }

    @Test
    void open_afterRestartWithUnchangedDatabase_resumesWithoutUpload() throws Exception {
        try (DbReplicator r = replicator()) {
            write(10, 500);
            r.sync();
        }
        long files = TestRestore.list(target).size();
        try (DbReplicator r = replicator()) {
            SyncResult s = r.sync();
            assertFalse(s.capture());
            assertEquals(0, s.files());
            write(2, 100);
            assertEquals(1, r.sync().files());
        }
        assertEquals(files + 1, TestRestore.list(target).size());
        assertReplicaEqualsSource();
    }

    @Test
    void open_afterRestartWithNewWalFrames_usesSavedPageChecksumsWithoutReadingTheDatabase() throws Exception {
        try (DbReplicator r = replicator()) {
            write(30, 3000);
            r.sync();
        }
        write(5, 500); // the WAL continues while we are away (nobody checkpoints)
        try (DbReplicator r = replicator()) {
            SyncResult s = r.sync();
            assertFalse(s.capture());
            assertEquals(1, s.files());
            assertFalse(r.holdsDatabaseFile(), "continuity came from the WAL and the saved page checksums");
            assertReplicaEqualsSource();
            // The saved checksums stay right: a later capture-free restart after a clean checkpoint proves it.
        }
        checkpoint("TRUNCATE");
        try (DbReplicator r = replicator()) {
            SyncResult s = r.sync();
            assertFalse(s.capture(), "database unchanged since the last sync");
            assertEquals(0, s.files());
        }
    }

    @Test
    void open_afterWritesAndTruncateWhileAway_shipsOrCapturesAndLosesNothing() throws Exception {
        try (DbReplicator r = replicator()) {
            write(10, 500);
            r.sync();
        }
        write(7, 700);
        checkpoint("TRUNCATE"); // nobody pins the WAL now: the frames go into the database file
        write(3, 300);
        try (DbReplicator r = replicator()) {
            SyncResult s = r.sync();
            assertTrue(s.capture(), "continuity cannot be proven: the current state is captured");
            assertFalse(r.holdsDatabaseFile(), "the capture's database-file descriptor is given back");
            assertTrue(r.isOpen(), "and the WAL is pinned again by a new connection");
            assertReplicaEqualsSource();
            write(2, 100);
            assertFalse(r.sync().capture(), "the new connection continues without a capture");
            assertReplicaEqualsSource();
            checkpoint("PASSIVE"); // someone else's checkpoint while we are pinned again
            write(1, 100);
            assertFalse(r.sync().capture());
            assertReplicaEqualsSource();
        }
    }

    @Test
    void open_changeWhoseRollingChecksumCancelsOut_isStillShipped() throws Exception {
        // The LTX rolling checksum XORs page CRCs, and CRC is affine: the same byte change at the same offset of two
        // pages leaves the XOR unchanged. Continuity must be decided page by page.
        exec("CREATE TABLE jobs(id INTEGER PRIMARY KEY, name TEXT NOT NULL, done INTEGER NOT NULL)", "BEGIN");
        for (int i = 1; i <= 2000; i++) {
            exec(String.format("INSERT INTO jobs VALUES (%d, 'job-%08d-padding-padding', 0)", i, i));
        }
        exec("COMMIT");
        checkpoint("TRUNCATE");
        long before = rolling();
        int partner = -1;
        for (int x = 2; x < 600 && partner < 0; x++) {
            exec("UPDATE jobs SET done = 1 WHERE id IN (1, " + x + ")");
            checkpoint("TRUNCATE");
            if (rolling() == before) {
                partner = x;
            }
            exec("UPDATE jobs SET done = 0 WHERE id IN (1, " + x + ")");
            checkpoint("TRUNCATE");
        }
        assertTrue(partner > 0, "found two rows whose update cancels in the rolling checksum");
        try (DbReplicator r = replicator()) {
            r.sync();
        }
        exec("UPDATE jobs SET done = 1 WHERE id IN (1, " + partner + ")");
        checkpoint("TRUNCATE"); // the WAL is reset while we are away
        assertEquals(before, rolling(), "the rolling checksum cannot see the change");
        try (DbReplicator r = replicator()) {
            SyncResult s = r.sync();
            assertTrue(s.capture() && s.files() == 1, "the change is captured: " + s);
        }
        assertReplicaEqualsSource();
    }

    private long rolling() throws Exception {
        try (var in = Files.newInputStream(db)) {
            return io.litefleet.core.ltx.Checksums.database(in, 4096);
        }
    }

    @Test
    void open_afterCleanCheckpointWhileAway_continuesFromTheDatabaseFile() throws Exception {
        try (DbReplicator r = replicator()) {
            write(10, 500);
            r.sync();
        }
        checkpoint("TRUNCATE"); // the database file now holds exactly the shipped state
        write(3, 300);
        try (DbReplicator r = replicator()) {
            SyncResult s = r.sync();
            assertFalse(s.capture(), "the database file proves the new WAL continues the shipped state");
            assertEquals(1, s.files());
            assertReplicaEqualsSource();
        }
    }

    @Test
    void sync_captureAndBatchLargerThanTheMemoryLimit_areStreamedAndRestoreExactly() throws Exception {
        exec("BEGIN");
        write(3000, 8000); // ~12 MB: above LtxPublisher.IN_MEMORY_LIMIT
        exec("COMMIT");
        assertTrue(Files.size(db) + Files.size(dir.resolve("app.db-wal")) > LtxPublisher.IN_MEMORY_LIMIT);
        try (DbReplicator r = replicator()) {
            SyncResult first = r.sync();
            assertTrue(first.pages() * 4096 > LtxPublisher.IN_MEMORY_LIMIT, "pages: " + first.pages());
            assertReplicaEqualsSource();
            exec("BEGIN");
            write(2500, 8000);
            exec("COMMIT");
            SyncResult second = r.sync();
            assertTrue(second.pages() * 4096 > LtxPublisher.IN_MEMORY_LIMIT, "pages: " + second.pages());
            assertReplicaEqualsSource();
        }
    }

    @Test
    void sync_vacuumShrinksTheDatabase_restoreEqualsSource() throws Exception {
        try (DbReplicator r = replicator()) {
            write(200, 3000);
            r.sync();
            exec("DELETE FROM t WHERE id % 3 != 0");
            r.sync();
            exec("VACUUM");
            SyncResult s = r.sync();
            assertFalse(s.capture());
            assertReplicaEqualsSource();
        }
    }

    @Test
    void sync_databaseDeletedAndRecreated_capturesTheNewDatabase() throws Exception {
        try (DbReplicator r = replicator()) {
            write(20, 500);
            r.sync();
        }
        app.close();
        Files.delete(db);
        Files.deleteIfExists(dir.resolve("app.db-wal"));
        Files.deleteIfExists(dir.resolve("app.db-shm"));
        app = open(db);
        exec("PRAGMA journal_mode=WAL", "CREATE TABLE other(x)", "INSERT INTO other VALUES (42)");
        try (DbReplicator r = replicator()) {
            assertTrue(r.sync().capture());
            assertReplicaEqualsSource();
        }
    }

    @Test
    void close_asTheLastConnection_leavesTheDatabaseFilesUntouched() throws Exception {
        write(10, 500);
        app.close(); // the application is gone; our connection will be the last one
        Path wal = dir.resolve("app.db-wal");
        try (DbReplicator r = replicator()) {
            r.sync();
        }
        var before = new long[] {Files.size(db), Files.getLastModifiedTime(db).toMillis()};
        assertTrue(Files.exists(wal), "our read-only connection never checkpoints and deletes the WAL on close");
        try (DbReplicator r = replicator()) {
            r.sync();
        }
        assertEquals(before[0], Files.size(db));
        assertEquals(before[1], Files.getLastModifiedTime(db).toMillis());
        app = open(db);
    }

    @Test
    void open_notWalMode_failsNamingTheFileAndTheFix() throws Exception {
        Path plain = dir.resolve("plain.db");
        try (Connection c = open(plain); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE x(y)");
        }
        try (DbReplicator r = DbReplicator.create(plain, target, catalog, EngineSettings.DEFAULTS,
                Clock.systemUTC(), ReplicaListener.NONE)) {
            NotReplicableException e = assertThrows(NotReplicableException.class, r::sync);
            assertTrue(e.getMessage().contains(plain.toString()) && e.getMessage().contains("journal_mode=WAL"),
                    e.getMessage());
        }
    }

    @Test
    void sync_pageChecksumStoreUnopenable_replicates_andRetriesItOnlyAfterTheTimeLimit() throws Exception {
        Path pages = Files.createDirectories(catalog.directory().resolve(PageChecksumStore.FILE_NAME)); // unopenable
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (DbReplicator r = DbReplicator.create(db, target, catalog, EngineSettings.DEFAULTS, clock,
                ReplicaListener.NONE)) {
            r.sync();
            write(5, 2000);
            r.sync();
            Files.delete(pages); // openable again, but the failure is remembered
            write(5, 2000);
            r.sync();
            assertFalse(Files.exists(pages), "not tried again before the time limit");
            clock.advance(PageChecksumStore.RETRY_AFTER);
            write(5, 2000);
            assertEquals(4, r.sync().txid());
            assertTrue(Files.isRegularFile(pages), "tried again after it");
        }
        BothRestores.assertRestore(dir, target, dir.resolve("replica"), 0, DbContent.hash(app),
                "replicated without page checksums");
    }

    @Test
    void open_missingDatabase_failsWithoutCreatingIt() throws Exception {
        Path missing = dir.resolve("missing.db");
        try (DbReplicator r = DbReplicator.create(missing, target, catalog, EngineSettings.DEFAULTS,
                Clock.systemUTC(), ReplicaListener.NONE)) {
            NotReplicableException e = assertThrows(NotReplicableException.class, r::sync);
            assertTrue(e.getMessage().contains("not found"), e.getMessage());
        }
        assertFalse(Files.exists(missing));
    }

    private void assertReplicaEqualsSource() throws Exception {
        Path out = dir.resolve("restored.db");
        TestRestore.restore(target, RestoreTarget.latest(), out);
        assertEquals("ok", DbContent.integrityCheck(out));
        assertEquals(DbContent.hash(app), DbContent.hash(out), "restored content equals the source");
        Files.deleteIfExists(out);
    }

    private void write(int rows, int maxBytes) throws SQLException {
        try (PreparedStatement ins = app.prepareStatement("INSERT INTO t(v) VALUES (?)");
             PreparedStatement upd = app.prepareStatement("UPDATE t SET v = ? WHERE id = ?")) {
            for (int i = 0; i < rows; i++) {
                byte[] v = new byte[1 + rnd.nextInt(Math.max(1, maxBytes))];
                rnd.nextBytes(v);
                ins.setBytes(1, v);
                ins.executeUpdate();
                upd.setBytes(1, v);
                upd.setInt(2, 1 + rnd.nextInt(50));
                upd.executeUpdate();
            }
        }
    }

    private void checkpoint(String mode) throws SQLException {
        try (Statement st = app.createStatement()) {
            st.executeQuery("PRAGMA wal_checkpoint(" + mode + ")").close();
        }
    }

    private void exec(String... sql) throws SQLException {
        try (Statement st = app.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    private static Connection open(Path p) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + p);
    }
}
