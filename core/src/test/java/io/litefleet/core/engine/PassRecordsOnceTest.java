package io.litefleet.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.discovery.FileFingerprint;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.state.Catalog;
import io.litefleet.core.state.ReplicaPosition;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.MutableClock;
import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A transient pass (open, sync, close) records its position in the catalog once: close() records again only what
 * changed since the sync recorded it (one catalog commit, one fsync, per first capture instead of two).
 */
class PassRecordsOnceTest {
    private static final Instant T0 = Instant.parse("2026-12-05T00:00:00Z");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);

    /** A WAL-mode database closed cleanly (no -wal), as a fleet's idle tenants are. */
    private Path database(String name) throws Exception {
        Path db = dir.resolve(name);
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)", "INSERT INTO t VALUES ('one')");
        }
        assertTrue(Files.notExists(Path.of(db + "-wal")), "no -wal before the pass");
        return db;
    }

    /** What runs between the pass's sync and its close. */
    private interface Between {
        void run(Path db) throws Exception;
    }

    /**
     * A transient pass over database {@code name} at {@link #T0}: sync, {@code between}, five minutes later close.
     * Returns the position the catalog holds after it, once both restores of the replica equal the database.
     */
    private ReplicaPosition pass(String name, Between between) throws Exception {
        Path db = database(name);
        Path replica = dir.resolve("replica-" + name);
        ReplicaTarget target = new ReplicaTarget(new FileReplicaClientProvider().create(Settings.of("test",
                Map.of("root", replica.toString()))), ReplicaLayout.LTX_DIRS, "");
        try (Catalog catalog = Catalog.open(dir.resolve("state-" + name))) {
            DbReplicator r = DbReplicator.create(db, target, catalog, EngineSettings.DEFAULTS, clock,
                    ReplicaListener.NONE);
            r.sync();
            between.run(db);
            clock.advance(Duration.ofMinutes(5));
            r.close();
            BothRestores.assertRestore(dir, target, replica, 0, DbContent.hash(db), name);
            return catalog.get(db.toString(), target.describe()).orElseThrow();
        } finally {
            target.client().close();
        }
    }

    @Test
    void aFirstCapture_isRecordedBySyncOnly_andTheRecordMatchesTheFilesAfterClose() throws Exception {
        ReplicaPosition p = pass("a.db", db -> { });
        assertEquals(T0, p.updatedAt(), "recorded at the capture, not again at close");
        FileFingerprint now = FileStats.of(dir.resolve("a.db"));
        assertTrue(FileStats.sameState(now, p.fingerprint()), "the recorded fingerprint still describes the files "
                + "(the empty -wal the pass left counts as absent): " + p.fingerprint() + " vs " + now);
    }

    @Test
    void aCommitBetweenSyncAndClose_isShippedAndRecordedAtClose() throws Exception {
        ReplicaPosition p = pass("b.db", db -> {
            try (Connection app = SqliteFiles.open(db)) {
                SqliteFiles.exec(app, "INSERT INTO t VALUES ('two')");
            }
        });
        assertEquals(2, p.txid(), "the commit after the capture (TXID 1) is recorded");
        assertEquals(T0.plus(Duration.ofMinutes(5)), p.updatedAt(), "recorded at close");
    }
}
