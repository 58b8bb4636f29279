package io.litefleet.core.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.engine.BothRestores;
import io.litefleet.core.engine.DbReplicator;
import io.litefleet.core.engine.DbStats;
import io.litefleet.core.engine.DurationHistogram;
import io.litefleet.core.engine.EngineSettings;
import io.litefleet.core.engine.NotReplicableException;
import io.litefleet.core.engine.ReplicaListener;
import io.litefleet.core.engine.SyncErrorKind;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.state.Catalog;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.FaultyReplicaClient;
import io.litefleet.testkit.FaultyReplicaClient.Fault;
import io.litefleet.testkit.FaultyReplicaClient.Operation;
import io.litefleet.testkit.MutableClock;
import io.litefleet.testkit.SqliteFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the scheduler counts for metrics: the lag of each hot sync that shipped (by the injected clock, from the sync's
 * start to the upload's acknowledgement), sync errors by kind, and the WAL bytes not yet shipped.
 */
class SyncMetricsTest {
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T00:00:00Z"));
    private final DbStats stats = new DbStats();

    @Test
    void lag_runsFromTheSyncsStartToTheUploadsAck_onceForEachSyncThatShipped() throws Exception {
        Path db = database("lag.db");
        Path replica = dir.resolve("replica-lag");
        // Every stored file is acknowledged 300 ms (of the clock) after it was handed to the store.
        ReplicaListener slowStore = ref -> clock.advance(Duration.ofMillis(300));
        try (Catalog catalog = Catalog.open(dir.resolve("state"));
             Connection app = SqliteFiles.open(db);
             SyncScheduler scheduler = SyncScheduler.manual(clock)) {
            DbReplicator r = DbReplicator.create(db, target(fileClient(replica)), catalog, EngineSettings.DEFAULTS,
                    clock, slowStore);
            r.countInto(stats);
            scheduler.add(r, Duration.ofSeconds(1));
            scheduler.runPending(); // the first capture
            DurationHistogram.Snapshot capture = stats.lag(DbStats.Tier.HOT);
            long before = capture.count();
            assertEquals(1, before, "the capture shipped");
            for (int i = 0; i < 3; i++) {
                SqliteFiles.exec(app, "INSERT INTO t VALUES ('change " + i + "')");
                clock.set(scheduler.nextDue());
                scheduler.runPending();
            }
            clock.set(scheduler.nextDue());
            scheduler.runPending(); // nothing new: an idle sync is not a lag
            DurationHistogram.Snapshot lag = stats.lag(DbStats.Tier.HOT);
            assertEquals(before + 3, lag.count());
            int le05 = java.util.Arrays.binarySearch(lag.bounds(), 0.5);
            assertEquals(3, lag.counts()[le05] - capture.counts()[le05], "each change: 0.3 s, in le=0.5 "
                    + java.util.Arrays.toString(lag.counts()));
            assertEquals(0.9, lag.sumSeconds() - capture.sumSeconds(), 1e-9);
            assertEquals(0, stats.lag(DbStats.Tier.TRANSIENT).count());
            assertEquals(0, stats.unshippedWalBytes());
            scheduler.remove(r);
            scheduler.runPending();
        }
        BothRestores.assertRestore(dir, replica, DbContent.hash(db), "slow store");
    }

    @Test
    void failedSyncs_countByKind_andTheirWalBytesStayUnshipped_untilASyncSucceeds() throws Exception {
        Path db = database("faulty.db");
        Path replica = dir.resolve("replica-faulty");
        try (Catalog catalog = Catalog.open(dir.resolve("state"));
             Connection app = SqliteFiles.open(db);
             SyncScheduler scheduler = SyncScheduler.manual(clock)) {
            DbReplicator r = DbReplicator.create(db, target(FaultyReplicaClient.wrap(fileClient(replica),
                    Fault.of(Operation.PUT, 2, ReplicaFailure.UNAVAILABLE),
                    Fault.of(Operation.PUT, 3, ReplicaFailure.THROTTLED))), catalog, EngineSettings.DEFAULTS,
                    clock, ReplicaListener.NONE);
            r.countInto(stats);
            scheduler.add(r, Duration.ofSeconds(1));
            scheduler.runPending(); // the first capture (put 1)
            assertEquals(0, stats.unshippedWalBytes());
            SqliteFiles.exec(app, "INSERT INTO t VALUES (randomblob(3000))");
            for (int attempt = 0; attempt < 2; attempt++) { // put 2: unavailable; put 3, after the backoff: throttled
                clock.set(scheduler.nextDue());
                scheduler.runPending();
                assertTrue(stats.unshippedWalBytes() >= 3000, "the change waits in the WAL: "
                        + stats.unshippedWalBytes());
            }
            assertEquals(1, stats.errors(DbStats.Tier.HOT, SyncErrorKind.UNAVAILABLE));
            assertEquals(1, stats.errors(DbStats.Tier.HOT, SyncErrorKind.THROTTLED));
            assertEquals(2, stats.syncErrors());
            clock.set(scheduler.nextDue());
            scheduler.runPending();
            assertEquals(0, stats.unshippedWalBytes(), "shipped");
            assertEquals(2, stats.syncErrors(), "no more errors");
            scheduler.remove(r);
            scheduler.runPending();
            assertEquals(0, stats.unshippedWalBytes(), "removed: off the gauge");
        }
        BothRestores.assertRestore(dir, replica, DbContent.hash(db), "after two failed syncs");
    }

    @Test
    void errorKinds_nameTheReplicasFailure_orTheSideThatFailed() {
        assertEquals(SyncErrorKind.NOT_FOUND, SyncErrorKind.of(new ReplicaException(ReplicaFailure.NOT_FOUND, "x")));
        assertEquals(SyncErrorKind.REPLICA_IO, SyncErrorKind.of(new ReplicaException(ReplicaFailure.IO, "x")));
        assertEquals(SyncErrorKind.AUTH, SyncErrorKind.of(new CompletionException(new ReplicaException(
                ReplicaFailure.AUTH, "x"))));
        assertEquals(SyncErrorKind.NOT_REPLICABLE, SyncErrorKind.of(new NotReplicableException("not WAL")));
        assertEquals(SyncErrorKind.LOCAL_IO, SyncErrorKind.of(new IOException("disk")));
        assertEquals(SyncErrorKind.INTERNAL, SyncErrorKind.of(new IllegalStateException("bug")));
        assertEquals("precondition-failed", SyncErrorKind.PRECONDITION_FAILED.label());
        for (ReplicaFailure f : ReplicaFailure.values()) { // every replica failure has its own kind
            assertTrue(SyncErrorKind.of(new ReplicaException(f, "x")) != SyncErrorKind.REPLICA_IO
                    || f == ReplicaFailure.IO, f.name());
        }
    }

    private Path database(String name) throws Exception {
        Path db = dir.resolve(name);
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)", "INSERT INTO t VALUES ('first')");
        }
        return db;
    }

    private static ReplicaClient fileClient(Path root) throws ReplicaException {
        return new FileReplicaClientProvider().create(Settings.of("test", Map.of("root", root.toString())));
    }

    private static ReplicaTarget target(ReplicaClient client) {
        return new ReplicaTarget(client, ReplicaLayout.LTX_DIRS, "");
    }
}
