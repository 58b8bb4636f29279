package io.litefleet.core.engine;

import io.litefleet.core.compact.Maintenance;
import io.litefleet.core.compact.MaintenanceReport;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Drives {@link DbReplicator}s from one bounded pool of platform threads named {@code litefleet-sync-<n>}
 * (sqlite-jdbc's native calls pin virtual threads, so SQLite work stays on platform threads). Each database is
 * synced every sync interval, never by two threads at once; after a failure it waits with exponential backoff
 * (up to a minute) and the same error is logged once, not every second. Thread count does not depend on the
 * number of databases. {@link #close()} stops the schedule and performs the final sync of every database.
 */
public final class SyncScheduler implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SyncScheduler.class.getName());
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private final ScheduledThreadPoolExecutor pool;
    private final Clock clock;
    private final Consumer<SyncEvent> events;
    private final List<Entry> entries = new ArrayList<>();
    private final ConcurrentHashMap<DbReplicator, String> lastErrors = new ConcurrentHashMap<>();
    private boolean closed;

    private SyncScheduler(int threads, Clock clock, Consumer<SyncEvent> events) {
        this.pool = new ScheduledThreadPoolExecutor(threads, named("litefleet-sync-"));
        this.pool.setRemoveOnCancelPolicy(true);
        this.clock = clock;
        this.events = events;
    }

    /** A scheduler with {@code threads} workers; {@code events} hears about every sync (must not block). */
    public static SyncScheduler start(int threads, Clock clock, Consumer<SyncEvent> events) {
        return new SyncScheduler(Math.max(1, threads), clock, events);
    }

    /** Starts syncing {@code db} every {@code interval}, the first time now. */
    public synchronized void add(DbReplicator db, Duration interval) {
        add(db, interval, null);
    }

    /**
     * Starts syncing {@code db} every {@code interval}, the first time now, running its compaction and retention
     * ({@code maintenance}, may be null) after each successful sync; maintenance does nothing unless work is due.
     */
    public synchronized void add(DbReplicator db, Duration interval, Maintenance maintenance) {
        if (closed) {
            throw new IllegalStateException("scheduler is closed");
        }
        Entry e = new Entry(db, maintenance);
        e.future = pool.scheduleWithFixedDelay(() -> runOnce(e), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        entries.add(e);
    }

    /**
     * Stops syncing {@code db}: cancels its schedule, then performs its final sync and closes it on a worker.
     * The future completes when it is closed, with whether the final sync succeeded (when it failed, the WAL keeps
     * what was not shipped and the caller should sync the database again later).
     */
    public CompletableFuture<Boolean> remove(DbReplicator db) {
        Entry e;
        synchronized (this) {
            e = entries.stream().filter(x -> x.db == db).findFirst().orElse(null);
            if (e != null) {
                entries.remove(e);
            }
        }
        if (e != null) {
            e.removed = true;
            e.future.cancel(false);
        }
        return CompletableFuture.supplyAsync(() -> {
            synchronized (db) {
                try {
                    db.close();
                    return true;
                } catch (IOException | RuntimeException ex) {
                    LOG.log(System.Logger.Level.WARNING, db.path() + ": final sync failed; the WAL keeps the "
                            + "changes for the next time: " + ex.getMessage());
                    return false;
                }
            }
        }, pool);
    }

    /** The wait after {@code failures} consecutive failures (1 or more): 1 s, doubling, at most a minute. */
    public static long backoffMillis(int failures) {
        return Math.min(MAX_BACKOFF.toMillis(), 1000L << Math.min(16, failures - 1));
    }

    /** Runs other replica work for the fleet (a settle pass) on the same bounded pool. */
    public <T> CompletableFuture<T> execute(java.util.function.Supplier<T> work) {
        return CompletableFuture.supplyAsync(work, pool);
    }

    /**
     * A transient pass on a worker: opens {@code db}, ships what is committed and closes it again (for a changed
     * database that cannot be hot now). The future completes with the result or the failure.
     */
    public CompletableFuture<SyncResult> runOnce(DbReplicator db) {
        return CompletableFuture.supplyAsync(() -> {
            synchronized (db) {
                try {
                    return db.syncThenClose();
                } catch (IOException e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }
        }, pool);
    }

    /** Databases scheduled. */
    public synchronized int size() {
        return entries.size();
    }

    private void runOnce(Entry e) {
        Instant now = clock.instant();
        if (now.isBefore(e.notBefore)) {
            return;
        }
        try {
            SyncResult r;
            synchronized (e.db) {
                if (e.removed) {
                    return; // a run that started as the database was being removed must not reopen it
                }
                r = e.db.sync();
            }
            e.failures = 0;
            e.notBefore = Instant.MIN;
            if (lastErrors.remove(e.db) != null) {
                LOG.log(System.Logger.Level.INFO, e.db.path() + ": replicating again at TXID "
                        + Long.toHexString(r.txid()));
            }
            events.accept(new SyncEvent(e.db, r, null));
            if (e.maintenance != null) {
                MaintenanceReport m = e.maintenance.runDue(clock.instant());
                e.maintenance.takeUnrestorable().ifPresent(e.db::startNewChain);
                if (m.failed()) {
                    String msg = m.failure().getMessage();
                    if (!msg.equals(e.lastMaintenanceError)) {
                        LOG.log(System.Logger.Level.WARNING, e.db.path() + ": compaction failed (retried later): "
                                + msg);
                    }
                    e.lastMaintenanceError = msg;
                } else {
                    e.lastMaintenanceError = null;
                }
            }
        } catch (IOException | RuntimeException ex) {
            e.failures++;
            long backoffMs = backoffMillis(e.failures);
            e.notBefore = now.plusMillis(backoffMs);
            String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
            if (!msg.equals(lastErrors.put(e.db, msg))) {
                LOG.log(System.Logger.Level.WARNING, e.db.path() + ": sync failed (retrying with backoff): " + msg,
                        ex instanceof RuntimeException ? ex : null);
            }
            events.accept(new SyncEvent(e.db, null, ex));
        }
    }

    /** Stops scheduling, waits for running syncs, then performs each database's final sync and closes it. */
    @Override
    public void close() {
        List<Entry> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = List.copyOf(entries);
        }
        all.forEach(e -> e.future.cancel(false));
        pool.shutdown();
        try {
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, "syncs still running after 30 s; closing anyway");
                pool.shutdownNow();
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        for (Entry e : all) {
            synchronized (e.db) {
                try {
                    e.db.close();
                } catch (IOException | RuntimeException ex) {
                    LOG.log(System.Logger.Level.WARNING, e.db.path() + ": final sync failed; the WAL keeps the "
                            + "changes for the next start: " + ex.getMessage());
                }
            }
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

    /**
     * One sync's outcome.
     *
     * @param db     the database
     * @param result what it did, when it succeeded
     * @param error  why it failed, when it did
     */
    public record SyncEvent(DbReplicator db, SyncResult result, Exception error) {
    }

    private static final class Entry {
        final DbReplicator db;
        final Maintenance maintenance;
        volatile String lastMaintenanceError;
        volatile ScheduledFuture<?> future;
        volatile Instant notBefore = Instant.MIN;
        volatile int failures;
        volatile boolean removed;

        Entry(DbReplicator db, Maintenance maintenance) {
            this.db = db;
            this.maintenance = maintenance;
        }
    }
}
