package io.litefleet.core.fleet;

import io.litefleet.core.compact.Maintenance;
import io.litefleet.core.compact.MaintenanceReport;
import io.litefleet.core.engine.DbReplicator;
import io.litefleet.core.engine.DbStats;
import io.litefleet.core.engine.SyncResult;
import io.litefleet.core.engine.ShutdownSync;
import io.litefleet.core.engine.SyncStep;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Drives {@link DbReplicator}s, for the whole process, on one bounded pool of platform threads named
 * {@code litefleet-sync-<n>} (sqlite-jdbc's native calls pin virtual threads, so SQLite work stays on platform
 * threads). Each database is synced every sync interval at a fixed rate, never by two threads at once; after a failure it waits with
 * exponential backoff (up to a minute) and the same error is logged once, not every second. A bug (an unchecked
 * exception) is logged with its stack once and that database is not synced again: its listener hears of it and
 * decides. Thread count does not depend on the number of databases, and no database has a timer of its own: one
 * timeline ordered by due time is dispatched by the {@code litefleet-timer-0} thread.
 *
 * <p>Network I/O never holds a SQLite thread: a sync does its SQLite work (reading the WAL, encoding the LTX file)
 * on a worker, hands the upload to a virtual thread ({@code litefleet-io-<n>}), and continues on a worker when it
 * is stored (the position is recorded, then the checkpoint runs when due). Compaction and retention run on virtual
 * threads too. Bytes in flight are bounded ({@link #MAX_BYTES_IN_FLIGHT}); a database has at most one sync (with
 * its upload) at a time, so its files reach the store in TXID order, and a slow store delays only its own databases.
 *
 * <p>{@link #manual} makes a scheduler without threads, for tests and embedders that drive time themselves: work
 * runs on the caller's thread in {@link #runPending()}, at the injected clock's time.
 *
 * <p>Thread-safe. {@link #close()} stops the schedule and performs the final sync of every database.
 */
public final class SyncScheduler implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SyncScheduler.class.getName());
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
    /** A sync worker with no work for this long ends; the next task starts another. */
    private static final Duration IDLE_WORKER = Duration.ofSeconds(60);
    /** The timer thread wakes at least this often (a clock jump, a missed notify). */
    private static final long MAX_WAIT_MILLIS = 1000;

    /** Encoded LTX bytes waiting for, or in, an upload, at most. */
    public static final long MAX_BYTES_IN_FLIGHT = 64L << 20;
    /**
     * Uploads to one destination (one shared replica client) in progress at the same time, at most, by default: as
     * many connections as the HTTP clients keep alive ({@code http.maxConnections}, set to this by the CLI), so a
     * slow store makes uploads queue instead of opening a connection each. A fleet's template is one destination:
     * 1,000 hot databases syncing every second to a store 50 ms away keep about 60 uploads in flight, and 64 slots
     * queued them (bench/cloud, fleet mode: 900 uploads waiting); 256 leaves headroom for a slower store.
     */
    public static final int MAX_UPLOADS_PER_DESTINATION = 256;

    private final Clock clock;
    private final Workers workers;
    private final Workers io;
    private final java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(
            (int) (MAX_BYTES_IN_FLIGHT >> 10));
    private final Object lock = new Object();
    private final int uploadsPerDestination;
    private final Map<Object, java.util.concurrent.Semaphore> uploadSlots =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final PriorityQueue<Entry> timeline = new PriorityQueue<>(Comparator.comparing(e -> e.nextAt));
    private final Map<DbReplicator, Entry> entries = new IdentityHashMap<>();
    private final Thread timer;
    private boolean closed;
    private volatile ShutdownSync shutdownSync = ShutdownSync.ONCE;
    /** {@link System#nanoTime()} by which the final syncs of a stop give up; 0 while not stopping. */
    private volatile long stopDeadline;

    private SyncScheduler(Clock clock, Workers workers, Workers io, boolean threaded, int uploadsPerDestination) {
        this.clock = clock;
        this.uploadsPerDestination = uploadsPerDestination;
        this.workers = workers;
        this.io = io;
        this.timer = threaded ? new Thread(this::dispatchLoop, "litefleet-timer-0") : null;
        if (timer != null) {
            timer.setDaemon(true);
            timer.start();
        }
    }

    /** A scheduler with {@code threads} workers and its timer thread, on {@code clock}. */
    public static SyncScheduler start(int threads, Clock clock) {
        return start(threads, clock, MAX_UPLOADS_PER_DESTINATION);
    }

    /** As {@link #start(int, Clock)}, with at most {@code uploadsPerDestination} uploads per destination at once. */
    static SyncScheduler start(int threads, Clock clock, int uploadsPerDestination) {
        return new SyncScheduler(clock, ExecutorWorkers.sqlite(Math.max(1, threads)), ExecutorWorkers.io(), true,
                Math.max(1, uploadsPerDestination));
    }

    /** A scheduler without threads: nothing runs until {@link #runPending()} (tests, or a caller-driven loop). */
    public static SyncScheduler manual(Clock clock) {
        QueuedWorkers queue = new QueuedWorkers();
        return new SyncScheduler(clock, queue, queue, false, MAX_UPLOADS_PER_DESTINATION);
    }

    /**
     * Hears about one database's syncs, on the worker that ran them (must not block).
     */
    public interface Listener {
        /** Does nothing. */
        Listener NONE = new Listener() {
        };

        /** A sync succeeded. */
        default void synced(DbReplicator db, SyncResult result) {
        }

        /** A sync failed; {@code bug} when it was an unchecked exception (the database is no longer synced). */
        default void failed(DbReplicator db, Exception error, boolean bug) {
        }
    }

    /** Starts syncing {@code db} every {@code interval}, the first time now. */
    public void add(DbReplicator db, Duration interval) {
        add(db, interval, null, Listener.NONE);
    }

    /**
     * Starts syncing {@code db} every {@code interval}, the first time now, running its compaction and retention
     * ({@code maintenance}, may be null) after each successful sync (it does nothing unless work is due), and telling
     * {@code listener} of each outcome.
     */
    public void add(DbReplicator db, Duration interval, Maintenance maintenance, Listener listener) {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("scheduler is closed");
            }
            if (entries.containsKey(db)) {
                throw new IllegalStateException(db.path() + ": already scheduled");
            }
            Entry e = new Entry(db, interval, maintenance, listener, clock.instant());
            entries.put(db, e);
            timeline.add(e);
            lock.notifyAll();
        }
    }

    /**
     * How {@code db}'s syncs go, for the status API: empty when it is not scheduled. Thread-safe; no I/O.
     */
    public java.util.Optional<SyncHealth> health(DbReplicator db) {
        Entry e;
        synchronized (lock) {
            e = entries.get(db);
        }
        return e == null ? java.util.Optional.empty() : java.util.Optional.of(new SyncHealth(e.added,
                java.util.Optional.ofNullable(e.lastSuccess), java.util.Optional.ofNullable(e.failingSince),
                java.util.Optional.ofNullable(e.lastError), e.failures));
    }

    /**
     * How one scheduled database's syncs go.
     *
     * @param added        when it was scheduled
     * @param lastSuccess  when a sync last succeeded, if one has
     * @param failingSince the first failure since the last success, if the last sync failed
     * @param lastError    the last failure's message, if the last sync failed
     * @param failures     failures in a row
     */
    public record SyncHealth(Instant added, java.util.Optional<Instant> lastSuccess,
                             java.util.Optional<Instant> failingSince, java.util.Optional<String> lastError,
                             int failures) {
    }

    /**
     * Stops syncing {@code db}: takes it off the timeline, then (after a sync in progress, if any) performs its
     * final sync and closes it on a worker. The future completes when it is closed, with whether the final sync
     * succeeded (when it failed, the WAL keeps what was not shipped and the caller should sync it again later).
     */
    public CompletableFuture<Boolean> remove(DbReplicator db) {
        CompletableFuture<Void> idle = CompletableFuture.completedFuture(null);
        synchronized (lock) {
            Entry e = entries.remove(db);
            if (e != null) {
                e.removed = true;
                timeline.remove(e);
                answer(e.waiting, null, new IOException(db.path() + ": replication stopped"));
                // A sync with an upload in flight ends first (the final sync follows its position), and then the
                // maintenance it started: a release after the final sync must leave no compaction or retention
                // delete of ours still writing under the path.
                idle = e.idle.thenCompose(v -> e.maintained);
                idle = idle.thenRun(() -> unshipped(e, 0)); // no longer streamed: off the not-yet-shipped gauge
            }
        }
        return idle.thenCompose(v -> workers.submit(() -> finalSync(db)));
    }

    /** How hard a stop retries the final syncs (default {@link ShutdownSync#ONCE}). */
    public void shutdownSync(ShutdownSync policy) {
        this.shutdownSync = java.util.Objects.requireNonNull(policy, "policy");
    }

    /**
     * A stop begins: from now on a final sync that fails is retried as {@link #shutdownSync} says, until it succeeds
     * or the policy's timeout has passed since this call (one deadline for every database). {@link #close()} calls it;
     * call it earlier when something else (a fleet) does final syncs first. Idempotent.
     */
    public void stopping() {
        if (stopDeadline == 0) {
            stopDeadline = System.nanoTime() + shutdownSync.timeout().toNanos() | 1;
        }
    }

    /**
     * Syncs {@code db} as soon as a worker is free, instead of at its next slot: the future completes with the result
     * of the first sync that <em>starts</em> after this call, so what the database had committed when it was called
     * is in the replica once it completes (the control socket's {@code sync -wait}). It fails with the sync's error,
     * or when the database is not scheduled or is removed first.
     */
    public CompletableFuture<SyncResult> syncNow(DbReplicator db) {
        CompletableFuture<SyncResult> f = new CompletableFuture<>();
        synchronized (lock) {
            Entry e = entries.get(db);
            if (e == null || closed) {
                f.completeExceptionally(new IOException(db.path() + ": not replicating"));
                return f;
            }
            e.waiting.add(f);
            if (timeline.remove(e)) {
                e.nextAt = clock.instant(); // idle: due now; running: end() brings the next run forward
                timeline.add(e);
                lock.notifyAll();
            }
        }
        return f;
    }

    /** The maintenance {@code db} was scheduled with (snapshots on request), if it is scheduled with one. */
    public java.util.Optional<Maintenance> maintenance(DbReplicator db) {
        synchronized (lock) {
            Entry e = entries.get(db);
            return e == null ? java.util.Optional.empty() : java.util.Optional.ofNullable(e.maintenance);
        }
    }

    /** The wait after {@code failures} consecutive failures (1 or more): 1 s, doubling, at most a minute. */
    public static long backoffMillis(int failures) {
        return Math.min(MAX_BACKOFF.toMillis(), 1000L << Math.min(16, failures - 1));
    }

    /** Runs other replica work that needs no SQLite (a settle pass: compaction, retention) on an I/O thread. */
    public <T> CompletableFuture<T> execute(Supplier<T> work) {
        return io.submit(work);
    }

    /** Runs {@code work} on a SQLite worker (tests: holding the workers). */
    <T> CompletableFuture<T> onWorker(Supplier<T> work) {
        return workers.submit(work);
    }

    /**
     * A transient pass on a worker: opens {@code db}, ships what is committed and closes it again (for a changed
     * database that cannot be hot now). The future completes with the result or the failure.
     */
    public CompletableFuture<SyncResult> runOnce(DbReplicator db) {
        return workers.submit(() -> {
            synchronized (db) {
                try {
                    return db.syncThenClose();
                } catch (IOException e) {
                    throw new CompletionException(e);
                }
            }
        });
    }

    /** Whether this scheduler runs work only in {@link #runPending()}. */
    public boolean isManual() {
        return workers instanceof QueuedWorkers;
    }

    /**
     * A transient pass over several destinations of one database, one after another on one worker: each opens, ships
     * and closes. Every one runs even when an earlier one fails; the future then fails with the first failure (its
     * retry costs the others an idle open), else completes with the results added up.
     */
    public CompletableFuture<SyncResult> runOnce(List<DbReplicator> dbs) {
        if (dbs.size() == 1) {
            return runOnce(dbs.get(0));
        }
        return workers.submit(() -> {
            SyncResult total = null;
            IOException first = null;
            for (DbReplicator db : dbs) {
                synchronized (db) {
                    try {
                        SyncResult r = db.syncThenClose();
                        total = total == null ? r : total.plus(r);
                    } catch (IOException e) {
                        if (first == null) {
                            first = e;
                        }
                    }
                }
            }
            if (first != null) {
                throw new CompletionException(first);
            }
            return total;
        });
    }

    /** Databases scheduled. */
    public int size() {
        synchronized (lock) {
            return entries.size();
        }
    }

    /**
     * Manual schedulers: dispatches every sync due at the clock's time and runs every queued task on this thread,
     * until none is left (work that queues more work runs too). Returns how many tasks ran.
     *
     * @throws IllegalStateException on a threaded scheduler
     */
    public int runPending() {
        if (!(workers instanceof QueuedWorkers q)) {
            throw new IllegalStateException("runPending() is for manual schedulers");
        }
        int ran = 0;
        while (true) {
            dispatchDue();
            Runnable task = q.queue.poll();
            if (task == null) {
                return ran;
            }
            task.run();
            ran++;
        }
    }

    /** Uploads waiting for a slot of their destination now (tests). */
    int uploadsWaiting() {
        return uploadSlots.values().stream().mapToInt(java.util.concurrent.Semaphore::getQueueLength).sum();
    }

    /** When the next database is due, or {@link Instant#MAX} when none is scheduled. */
    public Instant nextDue() {
        synchronized (lock) {
            Entry e = timeline.peek();
            return e == null ? Instant.MAX : e.nextAt;
        }
    }

    private void dispatchLoop() {
        synchronized (lock) {
            while (!closed) {
                dispatchDue();
                Entry next = timeline.peek();
                long wait = next == null ? MAX_WAIT_MILLIS
                        : Math.min(MAX_WAIT_MILLIS, Duration.between(clock.instant(), next.nextAt).toMillis());
                if (wait > 0) {
                    try {
                        lock.wait(wait);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }
    }

    /** Hands every entry due now to a worker. */
    private void dispatchDue() {
        List<Entry> due = new ArrayList<>();
        synchronized (lock) {
            Instant now = clock.instant();
            while (!timeline.isEmpty() && !timeline.peek().nextAt.isAfter(now)) {
                due.add(timeline.poll());
            }
        }
        for (Entry e : due) {
            e.idle = new CompletableFuture<>();
            workers.execute(() -> run(e));
        }
    }

    /** The SQLite part of one scheduled sync, on a worker. */
    private void run(Entry e) {
        synchronized (lock) {
            e.serving = e.waiting; // these asked before this sync read the WAL: its outcome answers them
            e.waiting = new ArrayList<>();
        }
        SyncStep step;
        e.started = System.nanoTime();
        e.startedAt = clock.instant();
        try {
            synchronized (e.db) {
                if (e.removed) {
                    answer(e.serving, null, new IOException(e.db.path() + ": replication stopped"));
                    end(e, null); // a run that started as the database was being removed must not reopen it
                    return;
                }
                step = e.db.beginSync();
            }
        } catch (IOException ex) {
            failed(e, ex);
            return;
        } catch (RuntimeException bug) {
            stopped(e, bug);
            return;
        }
        proceed(e, step);
    }

    /** Goes on with a sync: done, or its upload on an I/O thread and then its continuation on a worker. */
    private void proceed(Entry e, SyncStep step) {
        if (step instanceof SyncStep.Done done) {
            succeeded(e, done.result());
            return;
        }
        SyncStep.Upload upload = (SyncStep.Upload) step;
        int held = (int) Math.max(1, Math.min(MAX_BYTES_IN_FLIGHT >> 10, (upload.size() + 1023) >> 10)); // KiB
        inFlight.acquireUninterruptibly(held); // backpressure on the SQLite side when too much waits for the store
        java.util.concurrent.Semaphore slots = uploadSlots.computeIfAbsent(upload.destination(),
                d -> new java.util.concurrent.Semaphore(uploadsPerDestination));
        io.execute(() -> {
            IOException failure = null;
            RuntimeException bug = null;
            slots.acquireUninterruptibly(); // on the I/O thread: a busy destination never holds a SQLite worker
            try {
                upload.run();
            } catch (IOException ex) {
                failure = ex;
            } catch (RuntimeException ex) {
                bug = ex;
            } finally {
                slots.release();
                inFlight.release(held);
            }
            IOException f = failure;
            RuntimeException b = bug;
            workers.execute(() -> afterUpload(e, upload, f, b));
        });
    }

    private void afterUpload(Entry e, SyncStep.Upload upload, IOException failure, RuntimeException bug) {
        if (bug != null) {
            stopped(e, bug);
            return;
        }
        if (failure != null) {
            failed(e, failure);
            return;
        }
        SyncStep next;
        try {
            synchronized (e.db) {
                next = e.db.uploaded(upload);
            }
        } catch (IOException ex) {
            failed(e, ex);
            return;
        } catch (RuntimeException ex) {
            stopped(e, ex);
            return;
        }
        proceed(e, next);
    }

    private void succeeded(Entry e, SyncResult r) {
        e.db.stats().synced(System.nanoTime() - e.started, r.bytes(), false);
        Instant now = clock.instant();
        e.db.stats().succeededAt(now);
        if (r.files() > 0) {
            e.db.stats().lagged(DbStats.Tier.HOT, Duration.between(e.startedAt, now));
        }
        e.lastSuccess = now;
        e.failingSince = null;
        unshippedNow(e);
        e.failures = 0;
        if (e.lastError != null) {
            LOG.log(System.Logger.Level.INFO, e.db.path() + ": replicating again at TXID " + Long.toHexString(r.txid()));
            e.lastError = null;
        }
        e.listener.synced(e.db, r);
        answer(e.serving, r, null);
        if (e.maintenance != null && !e.maintaining) {
            e.maintaining = true;
            CompletableFuture<Void> done = new CompletableFuture<>();
            e.maintained = done; // before end() completes idle: remove() then waits for this run too
            try {
                io.execute(() -> {
                    try {
                        maintain(e);
                    } finally {
                        e.maintaining = false;
                        done.complete(null);
                    }
                });
            } catch (RuntimeException notStarted) { // closing: nothing runs, nothing to wait for
                e.maintaining = false;
                done.complete(null);
                throw notStarted;
            }
        }
        end(e, nextSlot(e));
    }

    /**
     * At a fixed rate: the database's next slot ({@code interval} after the one this sync was due at), so the time a
     * sync takes (its upload's round trip) does not stretch the cadence; now, when the sync overran that slot (no
     * burst of catch-up runs).
     */
    private Instant nextSlot(Entry e) {
        Instant now = clock.instant();
        Instant slot = e.nextAt.plus(e.interval);
        return slot.isBefore(now) ? now : slot;
    }

    private void failed(Entry e, IOException ex) {
        e.db.stats().synced(System.nanoTime() - e.started, 0, true);
        e.db.stats().failed(DbStats.Tier.HOT, ex);
        e.failures++;
        if (e.failingSince == null) {
            e.failingSince = clock.instant();
        }
        String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
        if (!msg.equals(e.lastError)) {
            LOG.log(System.Logger.Level.WARNING, e.db.path() + ": sync failed (retrying with backoff): " + msg);
        }
        e.lastError = msg;
        synchronized (e.db) {
            e.db.releaseIfBehind(DbReplicator.MAX_PINNED_WAL_BYTES); // a dead store never stops the checkpoints for long
        }
        unshippedNow(e);
        e.listener.failed(e.db, ex, false);
        answer(e.serving, null, ex);
        end(e, clock.instant().plusMillis(backoffMillis(e.failures)));
    }

    /** A bug, not an outage: logged with its stack once, and the database is not synced again (no loop). */
    private void stopped(Entry e, RuntimeException bug) {
        e.db.stats().synced(System.nanoTime() - e.started, 0, true);
        e.db.stats().failed(DbStats.Tier.HOT, bug);
        unshipped(e, 0);
        LOG.log(System.Logger.Level.ERROR, e.db.path() + ": replication stopped by an internal error", bug);
        synchronized (lock) {
            entries.remove(e.db);
        }
        e.listener.failed(e.db, bug, true);
        answer(e.serving, null, bug);
        synchronized (lock) {
            answer(e.waiting, null, new IOException(e.db.path() + ": replication stopped by an internal error"));
        }
        end(e, null);
    }

    /** Updates the not-yet-shipped gauge with what {@code e}'s database has not shipped after its sync. */
    private void unshippedNow(Entry e) {
        long now;
        synchronized (e.db) {
            now = e.db.unshippedWalBytes();
        }
        unshipped(e, now);
    }

    private static void unshipped(Entry e, long now) {
        synchronized (e) {
            e.db.stats().unshippedChanged(now - e.unshipped);
            e.unshipped = now;
        }
    }

    /** The sync chain of {@code e} ended: due again at {@code next} (null: not again). */
    private void end(Entry e, Instant next) {
        synchronized (lock) {
            if (next != null && !e.waiting.isEmpty()) {
                next = clock.instant(); // asked for during this run: the next run starts now
            }
            if (next != null && !e.removed && !closed) {
                e.nextAt = next;
                timeline.add(e);
                lock.notifyAll();
            }
        }
        e.idle.complete(null);
    }

    private void maintain(Entry e) {
        MaintenanceReport m = e.maintenance.runDue(clock.instant());
        if (!m.deleted().isEmpty()) {
            e.db.stats().l0Deleted(m.deleted().stream().filter(f -> f.level() == 0).count());
        }
        e.maintenance.takeUnrestorable().ifPresent(e.db::startNewChain);
        if (m.failed()) {
            String msg = m.failure().getMessage();
            if (!msg.equals(e.lastMaintenanceError)) {
                LOG.log(System.Logger.Level.WARNING, e.db.path() + ": compaction failed (retried later): " + msg);
            }
            e.lastMaintenanceError = msg;
        } else {
            e.lastMaintenanceError = null;
        }
    }

    /** Completes and empties {@code futures}: with {@code result}, or failed with {@code error}. */
    private static void answer(List<CompletableFuture<SyncResult>> futures, SyncResult result, Exception error) {
        for (CompletableFuture<SyncResult> f : futures) {
            if (error == null) {
                f.complete(result);
            } else {
                f.completeExceptionally(error);
            }
        }
        futures.clear();
    }

    /**
     * Ships what is committed and closes {@code db}; while stopping, a failure is retried every
     * {@link ShutdownSync#interval()} (reopening the database, which proves continuity with what the replica holds)
     * until the stop's deadline.
     */
    private boolean finalSync(DbReplicator db) {
        synchronized (db) {
            IOException last;
            int attempts = 1;
            try {
                db.close();
                return true;
            } catch (IOException e) {
                last = e;
            } catch (RuntimeException bug) {
                LOG.log(System.Logger.Level.ERROR, db.path() + ": final sync stopped by an internal error", bug);
                return false;
            }
            long deadline = stopDeadline;
            long wait = shutdownSync.interval().toNanos();
            while (deadline != 0 && deadline - System.nanoTime() > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(Math.min(wait, Math.max(1, deadline - System.nanoTime())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                attempts++;
                try {
                    db.sync();
                    db.close();
                    LOG.log(System.Logger.Level.INFO, db.path() + ": final sync succeeded after " + attempts
                            + " attempts");
                    return true;
                } catch (IOException e) {
                    last = e;
                    closeAfterFailure(db);
                } catch (RuntimeException bug) {
                    LOG.log(System.Logger.Level.ERROR, db.path() + ": final sync stopped by an internal error", bug);
                    closeAfterFailure(db);
                    return false;
                }
            }
            LOG.log(System.Logger.Level.WARNING, db.path() + ": final sync failed" + (attempts > 1 ? " after "
                    + attempts + " attempts (shutdown-sync-timeout " + shutdownSync.timeout().toSeconds() + " s)"
                    : "") + "; the WAL keeps the changes for the next time: " + last.getMessage());
            return false;
        }
    }

    private static void closeAfterFailure(DbReplicator db) {
        try {
            db.close();
        } catch (IOException | RuntimeException e) {
            // the failure being retried is reported; closing releases the connection either way
        }
    }

    /** Stops scheduling, lets running work end, then performs each database's final sync and closes it. */
    @Override
    public void close() {
        stopping();
        List<Entry> all;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            all = List.copyOf(entries.values());
            for (Entry e : all) {
                answer(e.waiting, null, new IOException(e.db.path() + ": replication is shutting down"));
            }
            entries.clear();
            timeline.clear();
            lock.notifyAll();
        }
        if (timer != null) {
            timer.interrupt();
        }
        if (workers instanceof QueuedWorkers) {
            runQueued();
        }
        try {
            CompletableFuture.allOf(all.stream().map(e -> e.idle).toArray(CompletableFuture[]::new))
                    .get(30, TimeUnit.SECONDS); // syncs with an upload in flight end first
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "syncs still running after 30 s; closing anyway");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        io.close();
        workers.close();
        for (Entry e : all) {
            e.removed = true;
            finalSync(e.db);
        }
    }

    private void runQueued() {
        for (Runnable task; (task = ((QueuedWorkers) workers).queue.poll()) != null; ) {
            task.run();
        }
    }

    /** Where work runs: a bounded pool, or a queue the caller drains. */
    private interface Workers extends AutoCloseable {
        void execute(Runnable task);

        default <T> CompletableFuture<T> submit(Supplier<T> work) {
            CompletableFuture<T> f = new CompletableFuture<>();
            execute(() -> {
                try {
                    f.complete(work.get());
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
            return f;
        }

        @Override
        void close();
    }

    /** Work on an executor: the SQLite workers (a fixed pool) or the I/O threads (a virtual thread per task). */
    private static final class ExecutorWorkers implements Workers {
        private final ExecutorService pool;
        private final String what;

        ExecutorWorkers(ExecutorService pool, String what) {
            this.pool = pool;
            this.what = what;
        }

        /** SQLite work on {@code threads} platform threads ({@code litefleet-sync-<n>}). */
        static ExecutorWorkers sqlite(int threads) {
            return new ExecutorWorkers(OnDemandPool.create(threads, IDLE_WORKER, named("litefleet-sync-")), "syncs");
        }

        /** Network I/O: a virtual thread per task (uploads are bounded by bytes in flight, maintenance by entry). */
        static ExecutorWorkers io() {
            return new ExecutorWorkers(java.util.concurrent.Executors.newThreadPerTaskExecutor(
                    Thread.ofVirtual().name("litefleet-io-", 0).factory()), "uploads");
        }

        @Override
        public void execute(Runnable task) {
            pool.execute(task);
        }

        @Override
        public void close() {
            pool.shutdown();
            try {
                if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                    LOG.log(System.Logger.Level.WARNING, what + " still running after 30 s; closing anyway");
                    pool.shutdownNow();
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final class QueuedWorkers implements Workers {
        final java.util.Queue<Runnable> queue = new java.util.concurrent.ConcurrentLinkedQueue<>();

        @Override
        public void execute(Runnable task) {
            queue.add(task);
        }

        @Override
        public void close() {
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
    }

    private static final class Entry {
        final DbReplicator db;
        final Duration interval;
        final Maintenance maintenance;
        final Listener listener;
        volatile Instant nextAt;
        volatile String lastError;
        /** When it was scheduled, when a sync last succeeded, and the first failure since (status API). */
        final Instant added;
        volatile Instant lastSuccess;
        volatile Instant failingSince;
        volatile String lastMaintenanceError;
        volatile int failures;
        volatile boolean removed;
        volatile boolean maintaining;
        /** {@link System#nanoTime()} when the running sync started. */
        volatile long started;
        /** The clock's time when the running sync started to read the WAL (the lag's start). */
        volatile Instant startedAt;
        /** WAL bytes not shipped after the last sync, as counted into the stats. Guarded by this entry. */
        long unshipped;
        /** Callers of {@link #syncNow} waiting for the next run to start. Guarded by the scheduler's lock. */
        List<CompletableFuture<SyncResult>> waiting = new ArrayList<>();
        /** Callers the run in progress answers (taken from {@link #waiting} as it started). */
        volatile List<CompletableFuture<SyncResult>> serving = new ArrayList<>();
        /** Completed when no sync of this entry is running (a sync with its upload counts until it ends). */
        volatile CompletableFuture<Void> idle = CompletableFuture.completedFuture(null);
        /** Completed when the last maintenance run a sync of this entry started has ended. */
        volatile CompletableFuture<Void> maintained = CompletableFuture.completedFuture(null);

        Entry(DbReplicator db, Duration interval, Maintenance maintenance, Listener listener, Instant nextAt) {
            this.db = db;
            this.interval = interval;
            this.maintenance = maintenance;
            this.listener = listener;
            this.nextAt = nextAt;
            this.added = nextAt;
        }
    }
}
