package io.litefleet.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.state.Catalog;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.MutableClock;
import io.litefleet.testkit.SqliteFiles;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cold WAL database with no {@code -wal} is read whole under SQLite's SHARED lock instead of through a connection;
 * anything that could make that copy differ from the committed state sends the caller to a connection instead.
 */
class ColdReadTest {
    private static final long MAX = LtxPublisher.IN_MEMORY_LIMIT;

    @TempDir
    Path dir;

    /** A WAL-mode database closed cleanly (no -wal), as a fleet's idle tenants are. */
    private Path database(String name) throws Exception {
        Path db = dir.resolve(name);
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)", "INSERT INTO t VALUES ('one')");
        }
        assertTrue(Files.notExists(wal(db)), "no -wal before the read");
        return db;
    }

    private static Path wal(Path db) {
        return Path.of(db + "-wal");
    }

    private static Path shm(Path db) {
        return Path.of(db + "-shm");
    }

    private static void write(Path db, String value) throws Exception {
        try (Connection app = SqliteFiles.open(db)) {
            SqliteFiles.exec(app, "INSERT INTO t VALUES ('" + value + "')");
        }
    }

    @Test
    void aWalDatabaseWithoutWal_isReadWhole_andNothingIsCreatedBesideIt() throws Exception {
        Path db = database("a.db");
        ColdRead copy = ColdRead.read(db, wal(db), MAX, null).orElseThrow();
        assertEquals(4096, copy.pageSize());
        byte[] bytes = new byte[(int) copy.size()];
        assertEquals(bytes.length, copy.read(ByteBuffer.wrap(bytes), 0));
        assertArrayEquals(Files.readAllBytes(db), bytes);
        assertEquals(-1, copy.read(ByteBuffer.allocate(1), copy.size()));
        assertTrue(Files.notExists(wal(db)) && Files.notExists(shm(db)), "no -wal or -shm created");
    }

    @Test
    void aDatabaseWithAWal_needsAConnection() throws Exception {
        Path db = database("b.db");
        try (Connection app = SqliteFiles.open(db)) {
            SqliteFiles.exec(app, "INSERT INTO t VALUES ('two')"); // the open connection keeps its -wal
            assertTrue(Files.exists(wal(db)));
            assertFalse(ColdRead.read(db, wal(db), MAX, null).isPresent());
        }
    }

    @Test
    void aWalCreatedWhileCopying_discardsTheCopy() throws Exception {
        Path db = database("c.db");
        Optional<ColdRead> copy = ColdRead.read(db, wal(db), MAX, null, () -> {
            try {
                // Our own process's connection is not kept out by our lock (POSIX locks are per process): it stands
                // in for a writer that began after the lock was taken.
                try (Connection app = SqliteFiles.open(db)) {
                    SqliteFiles.exec(app, "PRAGMA wal_autocheckpoint=0", "INSERT INTO t VALUES ('two')");
                    assertTrue(Files.exists(wal(db)));
                    assertFalse(ColdRead.read(db, wal(db), MAX, null).isPresent(), "nested read sees the -wal");
                    Files.copy(wal(db), dir.resolve("kept-wal"));
                }
                Files.copy(dir.resolve("kept-wal"), wal(db)); // as if the writer's connection were still open
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertFalse(copy.isPresent(), "a -wal after the copy means the copy may be torn");
    }

    @Test
    void aRollbackJournalDatabase_orAnotherFile_needsAConnection() throws Exception {
        Path db = dir.resolve("d.db");
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "CREATE TABLE t(v)", "INSERT INTO t VALUES ('one')");
        }
        assertFalse(ColdRead.read(db, wal(db), MAX, null).isPresent(), "rollback journal: the connection converts or refuses");
        Path text = dir.resolve("e.db");
        Files.writeString(text, "not a database ".repeat(400));
        assertFalse(ColdRead.read(text, wal(text), MAX, null).isPresent(), "not a database: the connection says so");
        assertFalse(ColdRead.read(dir.resolve("missing.db"), wal(dir.resolve("missing.db")), MAX, null).isPresent());
    }

    @Test
    void aRollbackJournalBesideAWalHeader_orAnotherFileUnderTheName_needsAConnection() throws Exception {
        Path db = database("j.db");
        Path journal = Path.of(db + "-journal");
        Files.write(journal, new byte[512]); // a switch to WAL mode that crashed before its commit
        assertFalse(ColdRead.read(db, wal(db), MAX, null).isPresent(), "SQLite would roll the journal back first");
        Files.delete(journal);
        Object key = Files.readAttributes(db, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        assertTrue(ColdRead.read(db, wal(db), MAX, key).isPresent(), "the file opened is the one expected");
        assertFalse(ColdRead.read(db, wal(db), MAX, "another file").isPresent(),
                "the name leads to another file than the one stat'ed before: a relinked directory");
    }

    @Test
    void aDatabaseLargerThanTheLimit_needsAConnection() throws Exception {
        Path db = database("f.db");
        assertFalse(ColdRead.read(db, wal(db), Files.size(db) - 1, null).isPresent());
        assertTrue(ColdRead.read(db, wal(db), Files.size(db), null).isPresent());
    }

    /**
     * Another process waiting for EXCLUSIVE holds the PENDING byte: SQLite's readers stay out then, and so do we.
     * One holding a plain SHARED lock (a reader) does not keep us out.
     */
    @Test
    void aWriterWaitingForExclusive_keepsTheCopyOut_aReaderDoesNot() throws Exception {
        Path db = database("g.db");
        try (Locker pending = Locker.hold(db, true, SqliteLockBytes.PENDING_BYTE, 1)) {
            assertFalse(ColdRead.read(db, wal(db), MAX, null).isPresent(), "PENDING held by another process");
        }
        try (Locker shared = Locker.hold(db, false, SqliteLockBytes.SHARED_FIRST, SqliteLockBytes.SHARED_SIZE)) {
            assertTrue(ColdRead.read(db, wal(db), MAX, null).isPresent(), "a reader's SHARED lock is compatible");
        }
        try (Locker exclusive = Locker.hold(db, true, SqliteLockBytes.SHARED_FIRST, SqliteLockBytes.SHARED_SIZE)) {
            assertFalse(ColdRead.read(db, wal(db), MAX, null).isPresent(), "EXCLUSIVE held by another process");
        }
    }

    /**
     * A transient pass over a cold database with no -wal: it captures without creating a -wal or -shm, a later
     * change made and checkpointed while nobody watched is shipped by the next pass, and a change still in an open
     * connection's -wal goes through a connection. Every state restores equal with both tools.
     */
    @Test
    void coldPasses_captureAndShipChanges_withoutLeavingFilesBesideTheDatabase() throws Exception {
        Path db = database("h.db");
        Path replica = dir.resolve("replica");
        ReplicaTarget target = new ReplicaTarget(new FileReplicaClientProvider().create(Settings.of("test",
                Map.of("root", replica.toString()))), ReplicaLayout.LTX_DIRS, "");
        try (Catalog catalog = Catalog.open(dir.resolve("state"))) {
            DbReplicator r = DbReplicator.create(db, target, catalog, EngineSettings.DEFAULTS,
                    new MutableClock(Instant.parse("2026-12-05T00:00:00Z")), ReplicaListener.NONE);
            assertEquals(1, r.syncThenClose().txid());
            assertFalse(r.isOpen());
            assertTrue(Files.notExists(wal(db)) && Files.notExists(shm(db)), "the pass left no -wal or -shm");
            BothRestores.assertRestore(dir, target, replica, 0, DbContent.hash(db), "first capture");

            write(db, "two"); // the application's last close checkpoints and deletes its -wal
            assertTrue(Files.notExists(wal(db)));
            assertEquals(2, r.syncThenClose().txid());
            BothRestores.assertRestore(dir, target, replica, 0, DbContent.hash(db), "change while cold");

            assertEquals(2, r.syncThenClose().txid(), "nothing new: no upload");
            try (Connection app = SqliteFiles.open(db)) {
                SqliteFiles.exec(app, "INSERT INTO t VALUES ('three')");
                assertEquals(3, r.syncThenClose().txid(), "a -wal: shipped through a connection");
                BothRestores.assertRestore(dir, target, replica, 0, DbContent.hash(db), "change in the -wal");
            }
        } finally {
            target.client().close();
        }
    }

    /**
     * A database reached through a linked directory: its -wal is the name's sibling (the target's, the same file), and
     * a retargeted directory link is another file, which is captured.
     */
    @Test
    void aDatabaseThroughALinkedDirectory_isReplicated_andARetargetIsCaptured() throws Exception {
        Path real = Files.createDirectories(dir.resolve("blue"));
        Path other = Files.createDirectories(dir.resolve("green"));
        Files.move(database("i.db"), real.resolve("i.db"));
        Files.copy(real.resolve("i.db"), other.resolve("i.db"));
        write(other.resolve("i.db"), "green only");
        Path link = Files.createSymbolicLink(dir.resolve("current"), real);
        Path db = link.resolve("i.db");
        Path replica = dir.resolve("replica-i");
        ReplicaTarget target = new ReplicaTarget(new FileReplicaClientProvider().create(Settings.of("test",
                Map.of("root", replica.toString()))), ReplicaLayout.LTX_DIRS, "");
        try (Catalog catalog = Catalog.open(dir.resolve("state-i"));
             Connection app = SqliteFiles.open(db)) {
            SqliteFiles.exec(app, "PRAGMA wal_autocheckpoint=0", "INSERT INTO t VALUES ('two')");
            DbReplicator r = DbReplicator.create(db, target, catalog, EngineSettings.DEFAULTS,
                    new MutableClock(Instant.parse("2026-12-05T00:00:00Z")), ReplicaListener.NONE);
            try (r) {
                r.sync();
                SqliteFiles.exec(app, "INSERT INTO t VALUES ('three')");
                assertEquals(2, r.sync().txid(), "the commit in the -wal beside the target is shipped");
                BothRestores.assertRestore(dir, target, replica, 0, DbContent.hash(db), "through the link");
                Path tmp = Files.createSymbolicLink(dir.resolve("next"), other);
                Files.move(tmp, link, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                assertTrue(r.sync().capture(), "the retargeted directory holds another file: captured");
                BothRestores.assertRestore(dir, target, replica, 0, DbContent.hash(other.resolve("i.db")),
                        "after the retarget");
            }
        } finally {
            target.client().close();
        }
    }

    /** Another process holding a POSIX record lock on part of a file, until closed (python3's fcntl). */
    private record Locker(Process process) implements AutoCloseable {
        static Locker hold(Path file, boolean exclusive, long start, long length) throws Exception {
            String script = "import fcntl, os, sys\n"
                    + "fd = os.open(sys.argv[1], os.O_RDWR)\n"
                    + "fcntl.lockf(fd, (fcntl.LOCK_EX if sys.argv[2] == 'x' else fcntl.LOCK_SH) | fcntl.LOCK_NB, "
                    + "int(sys.argv[4]), int(sys.argv[3]))\n"
                    + "print('locked', flush=True)\n"
                    + "sys.stdin.read()\n";
            Process p;
            try {
                p = new ProcessBuilder("python3", "-c", script, file.toString(), exclusive ? "x" : "s",
                        Long.toString(start), Long.toString(length)).redirectErrorStream(true).start();
            } catch (java.io.IOException e) {
                Assumptions.abort("python3 is needed to hold a lock from another process: " + e.getMessage());
                throw e;
            }
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = out.readLine(); // blocks until the lock is held or the script failed
            assertEquals("locked", line, "lock helper");
            return new Locker(p);
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "lock helper exits when its stdin closes");
        }
    }
}
