package io.litefleet.core.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.engine.DbReplicator;
import io.litefleet.core.engine.EngineSettings;
import io.litefleet.core.engine.ReplicaListener;
import io.litefleet.core.engine.ShutdownSync;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.replica.TestRestore;
import io.litefleet.core.restore.RestoreTarget;
import io.litefleet.core.state.Catalog;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.FaultyReplicaClient;
import io.litefleet.testkit.FaultyReplicaClient.Fault;
import io.litefleet.testkit.FaultyReplicaClient.Operation;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code shutdown-sync-timeout}/{@code -interval}: a stop retries a failing final sync until the replica holds it. */
class ShutdownSyncTest {
    @TempDir
    Path dir;

    /** The final sync's first three puts fail (the store is briefly unavailable at stop). */
    private FaultyReplicaClient flakyAtStop() throws Exception {
        return FaultyReplicaClient.wrap(fileStore(),
                Fault.of(Operation.PUT, 2, ReplicaFailure.UNAVAILABLE),
                Fault.of(Operation.PUT, 3, ReplicaFailure.UNAVAILABLE),
                Fault.of(Operation.PUT, 4, ReplicaFailure.UNAVAILABLE));
    }

    /** Replicates a database once, commits a row, then stops under {@code policy}; the replica's TXID after. */
    private long stopWith(ShutdownSync policy, FaultyReplicaClient store, String name) throws Exception {
        Path db = dir.resolve(name + ".db");
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)", "INSERT INTO t VALUES (1)");
        }
        ReplicaTarget target = new ReplicaTarget(store, ReplicaLayout.LTX_DIRS, dir.resolve("replicas").resolve(name)
                .toString().substring(1));
        try (Catalog catalog = Catalog.open(dir.resolve("state-" + name))) {
            DbReplicator r = DbReplicator.create(db, target, catalog, EngineSettings.DEFAULTS, Clock.systemUTC(),
                    ReplicaListener.NONE);
            assertEquals(1, r.sync().txid());
            try (Connection app = SqliteFiles.open(db)) {
                SqliteFiles.exec(app, "INSERT INTO t VALUES ('committed just before the stop')");
                try (SyncScheduler scheduler = SyncScheduler.manual(Clock.systemUTC())) {
                    scheduler.shutdownSync(policy);
                    scheduler.add(r, Duration.ofHours(1));
                } // the stop: the final sync
            }
            Path out = dir.resolve(name + "-restored.db");
            long txid = TestRestore.restore(target, RestoreTarget.latest(), out);
            assertEquals("ok", DbContent.integrityCheck(out));
            Path stock = dir.resolve(name + "-stock.db");
            var res = PeerProcess.run(dir, Duration.ofSeconds(60), List.of(PeerTools.litestream().toString(),
                    "restore", "-o", stock.toString(), dir.resolve("replicas").resolve(name).toUri().toString()));
            assertEquals(0, res.exitCode(), res.both());
            assertEquals(DbContent.hash(out), DbContent.hash(stock), "stock litestream restores the same state");
            assertEquals("ok", DbContent.integrityCheck(stock));
            if (txid == r.txid() && DbContent.hash(db).equals(DbContent.hash(out))) {
                return txid;
            }
            return -txid; // the replica lacks the last commit
        }
    }

    /** A file store at the root, as the file backend shares one per process; replicas under dir/replicas. */
    private static io.litefleet.api.replica.ReplicaClient fileStore() throws Exception {
        return new FileReplicaClientProvider().create(Settings.of("test", Map.of("root", "/")));
    }

    @Test
    void stop_retriesTheFinalSync_untilTheReplicaHoldsTheLastCommit() throws Exception {
        FaultyReplicaClient store = flakyAtStop();
        long txid = stopWith(new ShutdownSync(Duration.ofSeconds(20), Duration.ofMillis(20)), store, "retried");
        assertEquals(2, txid, "the replica holds the commit made before the stop");
        assertEquals(3, store.injected(), "three failed attempts, then the fourth succeeded");
    }

    @Test
    void stop_withZeroTimeout_triesOnce_andTheWalKeepsTheCommit() throws Exception {
        FaultyReplicaClient store = flakyAtStop();
        long txid = stopWith(ShutdownSync.ONCE, store, "once");
        assertNotEquals(2, txid);
        assertEquals(-1, txid, "one attempt failed: the replica still holds TXID 1 only");
        assertEquals(1, store.injected());
    }

    @Test
    void stop_givesUpAtTheDeadline() throws Exception {
        FaultyReplicaClient store = FaultyReplicaClient.wrap(fileStore(),
                java.util.stream.IntStream.rangeClosed(2, 10_000).mapToObj(n -> Fault.of(Operation.PUT, n,
                        ReplicaFailure.UNAVAILABLE)).toArray(Fault[]::new));
        long started = System.nanoTime();
        long txid = stopWith(new ShutdownSync(Duration.ofMillis(600), Duration.ofMillis(50)), store, "dead");
        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertEquals(-1, txid);
        assertTrue(store.injected() >= 3, "it retried: " + store.injected());
        assertTrue(tookMs < 15_000, "it stopped retrying at the deadline: " + tookMs + " ms");
    }
}
