package io.litefleet.core.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.ObjectInfo;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.engine.DbReplicator;
import io.litefleet.core.engine.EngineSettings;
import io.litefleet.core.engine.ReplicaListener;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.replica.TestRestore;
import io.litefleet.core.restore.RestoreTarget;
import io.litefleet.core.state.Catalog;
import io.litefleet.testkit.Await;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.InMemoryReplicaClient;
import io.litefleet.testkit.MutableClock;
import io.litefleet.testkit.SqliteFiles;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process's sync pool: SQLite work on its workers, uploads beside them. */
class SyncSchedulerTest {
    @TempDir
    Path dir;

    /**
     * A store whose puts, once armed, each wait until {@code parties} puts are in progress at the same time, and run
     * {@code onPut} first.
     */
    static final class RendezvousClient implements ReplicaClient {
        final InMemoryReplicaClient d = InMemoryReplicaClient.create(Clock.systemUTC());
        volatile CyclicBarrier barrier;
        volatile Runnable onPut = () -> { };
        final AtomicInteger met = new AtomicInteger();

        public String type() {
            return "memory";
        }

        public String describe() {
            return "memory://rendezvous";
        }

        public ObjectInfo put(String key, ObjectBody body, PutOptions options) throws ReplicaException {
            onPut.run();
            CyclicBarrier b = barrier;
            if (b != null) {
                try {
                    b.await(30, TimeUnit.SECONDS);
                    met.incrementAndGet();
                } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                    throw new ReplicaException(ReplicaFailure.UNAVAILABLE, "puts did not run side by side: " + e);
                }
            }
            return d.put(key, body, options);
        }

        public InputStream get(String key) throws ReplicaException {
            return d.get(key);
        }

        public InputStream get(String key, long offset, long length) throws ReplicaException {
            return d.get(key, offset, length);
        }

        public Optional<ObjectInfo> stat(String key) throws ReplicaException {
            return d.stat(key);
        }

        /** When set, every LIST waits for it (after counting down {@link #listing}). */
        volatile java.util.concurrent.CountDownLatch listGate;
        final java.util.concurrent.CountDownLatch listing = new java.util.concurrent.CountDownLatch(1);

        public List<ObjectInfo> list(String prefix) throws ReplicaException {
            java.util.concurrent.CountDownLatch gate = listGate;
            if (gate != null) {
                listing.countDown();
                try {
                    gate.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return d.list(prefix);
        }

        public void delete(Collection<String> keys) throws ReplicaException {
            d.delete(keys);
        }

        public void close() {
        }
    }

    @Test
    void uploadsOfManyDatabases_runSideBySide_withOneSqliteWorker() throws Exception {
        int n = 8;
        RendezvousClient store = new RendezvousClient();
        List<DbReplicator> reps = new ArrayList<>();
        List<Path> dbs = new ArrayList<>();
        List<ReplicaTarget> targets = new ArrayList<>();
        try (Catalog catalog = Catalog.open(dir.resolve("state"))) {
            for (int i = 0; i < n; i++) {
                Path db = dir.resolve("db" + i + ".db");
                try (Connection c = SqliteFiles.open(db)) {
                    SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)", "INSERT INTO t VALUES (1)");
                }
                ReplicaTarget t = new ReplicaTarget(store, ReplicaLayout.LTX_DIRS, "db" + i);
                DbReplicator r = DbReplicator.create(db, t, catalog, EngineSettings.DEFAULTS, Clock.systemUTC(),
                        ReplicaListener.NONE);
                r.sync(); // opened and captured (inline)
                dbs.add(db);
                targets.add(t);
                reps.add(r);
            }
            List<Connection> apps = new ArrayList<>();
            try (SyncScheduler scheduler = SyncScheduler.start(1, Clock.systemUTC())) {
                for (int i = 0; i < n; i++) {
                    Connection c = SqliteFiles.open(dbs.get(i));
                    apps.add(c);
                    // The first commit in a new WAL is shipped inline (the general path proves the new generation);
                    // the next ones continue the shipped position and go up beside the workers.
                    SqliteFiles.exec(c, "INSERT INTO t VALUES (randomblob(3000))");
                    reps.get(i).sync();
                    SqliteFiles.exec(c, "INSERT INTO t VALUES (randomblob(3000))");
                }
                // With the one worker holding each upload, the n puts could never meet: they would time out.
                store.barrier = new CyclicBarrier(n);
                for (DbReplicator r : reps) {
                    scheduler.add(r, Duration.ofHours(1));
                }
                Await.until(Duration.ofSeconds(40), () -> "puts met: " + store.met.get(),
                        () -> store.met.get() == n);
                store.barrier = null;
                Await.until(Duration.ofSeconds(20), "every database at TXID 3",
                        () -> reps.stream().allMatch(r -> r.txid() == 3));
            } finally {
                for (Connection c : apps) {
                    c.close();
                }
            }
            for (int i = 0; i < n; i++) {
                Path out = dir.resolve("out" + i + ".db");
                TestRestore.restore(targets.get(i), RestoreTarget.latest(), out);
                assertEquals(DbContent.hash(dbs.get(i)), DbContent.hash(out), "db" + i);
                assertEquals("ok", DbContent.integrityCheck(out));
            }
        }
        assertTrue(store.met.get() >= n);
    }

    /**
     * A database taken off the scheduler (deleted, demoted, handed to another instance) has its final sync only after
     * the maintenance its last sync started has ended: a release that follows the final sync must leave no compaction
     * or retention delete of ours still writing under the replica path.
     */
    @Test
    void remove_waitsForTheMaintenanceItsLastSyncStarted() throws Exception {
        MutableClock clock = new MutableClock(java.time.Instant.parse("2026-01-01T00:00:00Z"));
        RendezvousClient store = new RendezvousClient();
        Path db = dir.resolve("maintained.db");
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)", "INSERT INTO t VALUES (1)");
        }
        ReplicaTarget t = new ReplicaTarget(store, ReplicaLayout.LTX_DIRS, "maintained");
        try (Catalog catalog = Catalog.open(dir.resolve("state"));
             Connection app = SqliteFiles.open(db);
             SyncScheduler scheduler = SyncScheduler.start(1, clock)) {
            io.litefleet.core.compact.Maintenance m = io.litefleet.core.compact.Maintenance.create(t,
                    io.litefleet.core.compact.CompactionSettings.defaults());
            DbReplicator r = DbReplicator.create(db, t, catalog, EngineSettings.DEFAULTS, clock, m);
            r.sync();
            scheduler.add(r, Duration.ofHours(1), m, SyncScheduler.Listener.NONE);
            store.listGate = new java.util.concurrent.CountDownLatch(1);
            SqliteFiles.exec(app, "INSERT INTO t VALUES (2)");
            clock.advance(Duration.ofHours(2)); // every compaction level is due
            scheduler.syncNow(r).get(30, TimeUnit.SECONDS);
            assertTrue(store.listing.await(30, TimeUnit.SECONDS), "the maintenance the sync started lists the replica");
            java.util.concurrent.CompletableFuture<Boolean> removed = scheduler.remove(r);
            // Without the wait, the final sync runs beside the blocked maintenance and ends well within this.
            assertFalse(Await.holds(Duration.ofSeconds(3), removed::isDone),
                    "no final sync (and no release after it) while the maintenance runs");
            store.listGate.countDown();
            store.listGate = null;
            assertTrue(removed.get(30, TimeUnit.SECONDS), "the final sync follows once the maintenance ended");
        }
        Path out = dir.resolve("maintained-out.db");
        TestRestore.restore(t, RestoreTarget.latest(), out);
        assertEquals(DbContent.hash(db), DbContent.hash(out));
        assertEquals("ok", DbContent.integrityCheck(out));
    }

    @Test
    void syncs_keepTheirCadence_whenTheStoreIsSlow() throws Exception {
        MutableClock clock = new MutableClock(java.time.Instant.parse("2026-01-01T00:00:00Z"));
        RendezvousClient store = new RendezvousClient();
        store.onPut = () -> clock.advance(Duration.ofMillis(300)); // every upload takes 300 ms of the clock
        Path db = dir.resolve("slow.db");
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)", "INSERT INTO t VALUES (1)");
        }
        ReplicaTarget t = new ReplicaTarget(store, ReplicaLayout.LTX_DIRS, "slow");
        java.time.Instant t0 = clock.instant();
        try (Catalog catalog = Catalog.open(dir.resolve("state"));
             Connection app = SqliteFiles.open(db);
             SyncScheduler scheduler = SyncScheduler.manual(clock)) {
            DbReplicator r = DbReplicator.create(db, t, catalog, EngineSettings.DEFAULTS, clock, ReplicaListener.NONE);
            scheduler.add(r, Duration.ofSeconds(1));
            for (int i = 1; i <= 5; i++) {
                clock.set(scheduler.nextDue());
                SqliteFiles.exec(app, "INSERT INTO t VALUES (randomblob(500))");
                scheduler.runPending();
                assertTrue(clock.instant().isAfter(t0.plusSeconds(i - 1)), "the upload took time");
                // Due one interval after the slot it ran in, however long its upload took.
                assertEquals(t0.plusSeconds(i), scheduler.nextDue(), "after sync " + i);
            }
            assertTrue(r.txid() >= 5, "TXID " + r.txid());
            scheduler.remove(r);
            scheduler.runPending();
        }
        Path out = dir.resolve("slow-out.db");
        TestRestore.restore(t, RestoreTarget.latest(), out);
        assertEquals(DbContent.hash(db), DbContent.hash(out));
        assertEquals("ok", DbContent.integrityCheck(out));
    }

    @Test
    void uploadsToOneDestination_areBounded_theRestWaitOffTheWorkers() throws Exception {
        int n = 8;
        int limit = 3;
        RendezvousClient store = new RendezvousClient();
        AtomicInteger active = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        List<DbReplicator> reps = new ArrayList<>();
        List<Path> dbs = new ArrayList<>();
        List<ReplicaTarget> targets = new ArrayList<>();
        try (Catalog catalog = Catalog.open(dir.resolve("state"))) {
            List<Connection> apps = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Path db = dir.resolve("b" + i + ".db");
                try (Connection c = SqliteFiles.open(db)) {
                    SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)", "INSERT INTO t VALUES (1)");
                }
                ReplicaTarget t = new ReplicaTarget(store, ReplicaLayout.LTX_DIRS, "b" + i);
                DbReplicator r = DbReplicator.create(db, t, catalog, EngineSettings.DEFAULTS, Clock.systemUTC(),
                        ReplicaListener.NONE);
                r.sync();
                Connection c = SqliteFiles.open(db);
                apps.add(c);
                SqliteFiles.exec(c, "INSERT INTO t VALUES (randomblob(3000))");
                r.sync(); // the first commit of a new WAL goes inline; the next one is an upload of the scheduler's
                SqliteFiles.exec(c, "INSERT INTO t VALUES (randomblob(3000))");
                dbs.add(db);
                targets.add(t);
                reps.add(r);
            }
            store.onPut = () -> {
                most.accumulateAndGet(active.incrementAndGet(), Math::max);
                try {
                    gate.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                active.decrementAndGet();
            };
            try (SyncScheduler scheduler = SyncScheduler.start(1, Clock.systemUTC(), limit)) {
                reps.forEach(r -> scheduler.add(r, Duration.ofHours(1)));
                // One SQLite worker prepared all n uploads (none held it): limit run, the others wait for a slot.
                Await.until(Duration.ofSeconds(30), () -> "active " + active.get() + ", waiting "
                        + scheduler.uploadsWaiting(), () -> active.get() == limit
                        && scheduler.uploadsWaiting() == n - limit);
                gate.countDown();
                Await.until(Duration.ofSeconds(20), "every database at TXID 3",
                        () -> reps.stream().allMatch(r -> r.txid() == 3));
            } finally {
                for (Connection c : apps) {
                    c.close();
                }
            }
            assertEquals(limit, most.get(), "uploads at once");
            for (int i = 0; i < n; i++) {
                Path out = dir.resolve("bout" + i + ".db");
                TestRestore.restore(targets.get(i), RestoreTarget.latest(), out);
                assertEquals(DbContent.hash(dbs.get(i)), DbContent.hash(out), "b" + i);
                assertEquals("ok", DbContent.integrityCheck(out));
            }
        }
    }
}
