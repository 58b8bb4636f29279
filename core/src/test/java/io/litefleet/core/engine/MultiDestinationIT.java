package io.litefleet.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.state.Catalog;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.SqliteFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several destinations for one database: each has its own replicator, position and retries. A dead destination
 * never stalls the other, lets go of the WAL past a bound so the application's checkpoints go on, and catches up
 * without loss when it returns.
 */
class MultiDestinationIT {
    @TempDir
    Path dir;

    /** A destination that can be switched off (every request fails as unavailable). */
    static final class Switchable implements ReplicaClient {
        final ReplicaClient d;
        volatile boolean down;

        Switchable(ReplicaClient d) {
            this.d = d;
        }

        private void check() throws ReplicaException {
            if (down) {
                throw new ReplicaException(ReplicaFailure.UNAVAILABLE, "destination down (test)");
            }
        }

        public String type() {
            return d.type();
        }

        public String describe() {
            return d.describe();
        }

        public ObjectInfo put(String key, ObjectBody body, PutOptions options) throws ReplicaException {
            check();
            return d.put(key, body, options);
        }

        public InputStream get(String key) throws ReplicaException {
            check();
            return d.get(key);
        }

        public InputStream get(String key, long offset, long length) throws ReplicaException {
            check();
            return d.get(key, offset, length);
        }

        public Optional<ObjectInfo> stat(String key) throws ReplicaException {
            check();
            return d.stat(key);
        }

        public List<ObjectInfo> list(String prefix) throws ReplicaException {
            check();
            return d.list(prefix);
        }

        public void delete(Collection<String> keys) throws ReplicaException {
            check();
            d.delete(keys);
        }

        public void close() {
            d.close();
        }
    }

    private ReplicaTarget fileTarget(String name) throws Exception {
        return new ReplicaTarget(new FileReplicaClientProvider().create(Settings.of("test", Map.of("root",
                dir.resolve(name).toString()))), ReplicaLayout.LTX_DIRS, "");
    }

    @Test
    void deadDestination_neverStallsTheOther_letsGoOfTheWal_andCatchesUpWhenBack() throws Exception {
        Path db = dir.resolve("app.db");
        ReplicaTarget a = fileTarget("rep-a");
        ReplicaTarget fileB = fileTarget("rep-b");
        Switchable clientB = new Switchable(fileB.client());
        ReplicaTarget b = new ReplicaTarget(clientB, ReplicaLayout.LTX_DIRS, "");
        // Both checkpoint eagerly (TRUNCATE from the first page), so the WAL stays small while both keep up.
        EngineSettings eager = new EngineSettings(EngineSettings.DEFAULTS.syncInterval(), 1, 1,
                EngineSettings.DEFAULTS.checkpointInterval(), EngineSettings.DEFAULTS.busyTimeout(),
                EngineSettings.DEFAULTS.checkpointBusyTimeout(), EngineSettings.DEFAULTS.maxSyncBytes());
        try (Connection app = SqliteFiles.open(db); Catalog catalog = Catalog.open(dir.resolve("state"));
             DbReplicator ra = DbReplicator.create(db, a, catalog, eager, Clock.systemUTC(), ReplicaListener.NONE);
             DbReplicator rb = DbReplicator.create(db, b, catalog, eager, Clock.systemUTC(), ReplicaListener.NONE)) {
            SqliteFiles.exec(app, "PRAGMA journal_mode=WAL", "PRAGMA wal_autocheckpoint=0",
                    "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)");
            for (int i = 0; i < 3; i++) {
                SqliteFiles.exec(app, "INSERT INTO t(v) VALUES (randomblob(2000))");
                ra.sync();
                rb.sync();
            }
            assertEquals(ra.txid(), rb.txid(), "both destinations at the same TXID while both are up");
            long pages = Files.size(db) / 4096;

            clientB.down = true;
            long bound = 64 * 1024;
            for (int i = 0; i < 40; i++) {
                SqliteFiles.exec(app, "INSERT INTO t(v) VALUES (randomblob(3000))");
                ra.sync(); // never waits for B
                assertThrows(IOException.class, rb::sync);
                rb.releaseIfBehind(bound); // what the scheduler does after a failed sync
            }
            assertTrue(ra.txid() >= 40, "A kept going: TXID " + ra.txid());
            assertFalse(rb.isOpen(), "B let go of the WAL");
            assertTrue(Files.size(dir.resolve("app.db-wal")) < 4 * bound,
                    "A's checkpoints went on: the WAL is " + Files.size(dir.resolve("app.db-wal")) + " bytes");

            clientB.down = false;
            SyncResult back = rb.sync();
            assertTrue(back.capture(), "B proves nothing from a WAL it let go of: it ships the difference");
            assertTrue(back.pages() < Files.size(db) / 4096 && back.pages() > 0,
                    "only the pages that changed while B was down: " + back.pages() + " of "
                            + Files.size(db) / 4096 + " (" + pages + " before the outage)");
            SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('both again')");
            ra.sync();
            assertFalse(rb.sync().capture(), "B continues from the WAL again");
            String hash = DbContent.hash(app);
            BothRestores.assertRestore(dir, a, dir.resolve("rep-a"), 0, hash, "destination A");
            BothRestores.assertRestore(dir, fileB, dir.resolve("rep-b"), 0, hash, "destination B");
        }
    }

    @Test
    void bothDestinationsOfOneDatabase_keepTheirOwnPositionsInTheCatalog() throws Exception {
        Path db = dir.resolve("app.db");
        ReplicaTarget a = fileTarget("rep-a");
        ReplicaTarget b = fileTarget("rep-b");
        try (Connection app = SqliteFiles.open(db); Catalog catalog = Catalog.open(dir.resolve("state"))) {
            SqliteFiles.exec(app, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)");
            try (DbReplicator ra = DbReplicator.create(db, a, catalog, EngineSettings.DEFAULTS, Clock.systemUTC(),
                    ReplicaListener.NONE)) {
                ra.sync();
                for (int i = 0; i < 3; i++) {
                    SqliteFiles.exec(app, "INSERT INTO t VALUES (" + i + ")");
                    ra.sync();
                }
            }
            try (DbReplicator rb = DbReplicator.create(db, b, catalog, EngineSettings.DEFAULTS, Clock.systemUTC(),
                    ReplicaListener.NONE)) {
                assertEquals(1, rb.sync().txid(), "a new destination starts its own chain at TXID 1");
            }
            assertEquals(4, catalog.get(db.toString(), a.describe()).orElseThrow().txid());
            assertEquals(1, catalog.get(db.toString(), b.describe()).orElseThrow().txid());
            String hash = DbContent.hash(app);
            BothRestores.assertRestore(dir, a, dir.resolve("rep-a"), 0, hash, "A");
            BothRestores.assertRestore(dir, b, dir.resolve("rep-b"), 0, hash, "B");
        }
    }
}
