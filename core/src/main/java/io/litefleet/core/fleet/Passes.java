package io.litefleet.core.fleet;

import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.core.engine.DbReplicator;
import io.litefleet.core.engine.DbStats;
import io.litefleet.core.engine.SyncResult;
import io.litefleet.core.replica.ReplicaTarget;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;

/**
 * Transient passes: a changed database that is not (or cannot be) hot is opened, synced and closed on a worker, so
 * no change is left behind. Rows wait as {@link RowState#QUEUED} for a free slot; a pass runs as
 * {@link RowState#PASS}; a failed pass is retried with backoff, refused, or marked failed by {@link Failure}. Fleet
 * thread only.
 */
final class Passes {
    private static final System.Logger LOG = System.getLogger(Passes.class.getName());

    private final Fleet f;
    private final Settler settler;
    private final IntConsumer release;
    /** Queued rows that may start now (as far as known when they were added). */
    private final ArrayDeque<Integer> backlog = new ArrayDeque<>();
    /**
     * Queued rows backing off after a failure, earliest retry first: {@link #drain} takes only the due ones, so an
     * outage's backlog is not walked on every release. An entry whose retry was since replaced is dropped when due.
     */
    private final PriorityQueue<Backoff> backingOff = new PriorityQueue<>(Comparator.comparing(Backoff::at));
    /** Queued rows a worker still held at {@link #drain}: back to the backlog when it lets go ({@link #released}). */
    private final Set<Integer> held = new HashSet<>();
    /** Rows whose passes failed: how often in a row, and not before when to try again. */
    private final Map<Integer, Retry> retries = new HashMap<>();
    /** Rows {@link #drain} took from the backlog (tests: its work stays bounded). */
    private long examined;
    private long started;
    /** Passes running now; and since the backlog was last empty: passes, captures, and when the first started. */
    private int running;
    private long burstPasses;
    private long burstCaptures;
    private Instant burstStart;
    /** When the change a queued or running pass ships was noticed (the transient lag's start); rows in a pass only. */
    private final Map<Integer, Instant> noticed = new HashMap<>();
    /** Callers of {@link #syncNow} waiting for a pass of their row to start. */
    private final Map<Integer, List<CompletableFuture<SyncResult>>> waiting = new HashMap<>();
    /** Callers the running pass of their row answers. */
    private final Map<Integer, List<CompletableFuture<SyncResult>>> armed = new HashMap<>();

    /** Consecutive failures of a row's passes, and when the next may run. */
    private record Retry(int failures, Instant at) {
    }

    /** A row's place in {@link #backingOff}. */
    private record Backoff(int id, Instant at) {
    }

    Passes(Fleet f, Settler settler, IntConsumer release) {
        this.f = f;
        this.settler = settler;
        this.release = release;
    }

    /** The change of a cold row must reach its replica: a pass, now or once a worker lets go of the row. */
    void enqueue(int id) {
        RowState s = f.lifecycle.state(id);
        if (s == RowState.COLD) {
            noticed.putIfAbsent(id, f.clock.instant());
            f.lifecycle.move(id, RowState.QUEUED);
            backlog.add(id);
        } else if (s.isWork()) {
            noticed.putIfAbsent(id, f.clock.instant());
            f.lifecycle.wantPass(id, true);
        } else if (s != RowState.QUEUED) {
            noticed.remove(id); // hot, deleted or excluded since the change was noticed: no pass will ship it
        }
    }

    /**
     * A pass for a row that is not hot, for the control socket's {@code sync}: the future completes with the outcome
     * of the first pass that starts after this call (so what was committed now is in the replica), or fails with its
     * error. A row promoted meanwhile is answered by its replicators instead ({@link #takeWaiting}).
     */
    CompletableFuture<SyncResult> syncNow(int id) {
        CompletableFuture<SyncResult> f = new CompletableFuture<>();
        waiting.computeIfAbsent(id, k -> new ArrayList<>()).add(f);
        enqueue(id);
        return f;
    }

    /** The callers still waiting for a pass of {@code id} (it was promoted: its replicators answer them). */
    List<CompletableFuture<SyncResult>> takeWaiting(int id) {
        List<CompletableFuture<SyncResult>> w = waiting.remove(id);
        return w == null ? List.of() : w;
    }

    /**
     * Starts passes for queued rows while slots are free. Each row taken from the backlog starts, is dropped, or moves
     * to {@link #backingOff} or {@link #held}, so the work is the rows that can start plus the ones that changed.
     */
    void drain() {
        Instant now = f.clock.instant();
        while (!backingOff.isEmpty() && !backingOff.peek().at().isAfter(now)) {
            Backoff b = backingOff.poll();
            Retry retry = retries.get(b.id());
            if (retry != null && retry.at().equals(b.at())) {
                backlog.add(b.id());
            }
        }
        while (!backlog.isEmpty() && f.takeSlot()) {
            int id = backlog.poll();
            examined++;
            Retry retry = retries.get(id);
            if (f.lifecycle.state(id) != RowState.QUEUED) {
                f.giveSlot(); // promoted, deleted or excluded meanwhile
                noticed.remove(id);
            } else if (f.lifecycle.busy(id)) {
                f.giveSlot();
                held.add(id); // back to the backlog when the worker lets go
            } else if (retry != null && now.isBefore(retry.at())) {
                f.giveSlot();
                backingOff.add(new Backoff(id, retry.at()));
            } else if (!start(id)) {
                f.giveSlot();
            }
        }
    }

    /** Row {@code id} is owned now (cluster mode): its pass may start. */
    void claimed(int id) {
        RowState s = f.lifecycle.state(id);
        if (s == RowState.QUEUED) {
            backlog.add(id);
        } else if (s == RowState.COLD) {
            enqueue(id);
        }
    }

    /** Row {@code id} is another instance's (cluster mode): no pass ships it, callers of {@link #syncNow} hear why. */
    void foreign(int id, String holder) {
        noticed.remove(id);
        retries.remove(id);
        List<CompletableFuture<SyncResult>> w = waiting.remove(id);
        if (w != null) {
            IOException why = new IOException(f.table.path(id) + ": replicated by instance " + holder + ", not here");
            w.forEach(c -> c.completeExceptionally(why));
        }
    }

    /** A worker let go of {@code id}: a pass it held up may start at the next {@link #drain}. */
    void released(int id) {
        if (held.remove(id)) {
            backlog.add(id);
        }
    }

    /** Starts one pass; false when it could not start (the failure is handled). */
    private boolean start(int id) {
        List<DbReplicator> reps = new ArrayList<>();
        try {
            DiscoveredDatabase db = f.discovery.probe(f.table.path(id), false);
            if (db == null) {
                return false; // gone: the next scan marks it deleted
            }
            List<ReplicaTarget> targets = f.resolver.resolveAll(db);
            if (!f.ownership.ready(id, Ownership.PASS)) {
                return false; // stays queued: its claim goes first, then the pass (claimed)
            }
            for (ReplicaTarget target : f.ownership.fenced(id, targets)) {
                DbReplicator r = DbReplicator.create(db.path(), target, f.catalog, f.options.engine(), f.clock,
                        ref -> { });
                r.countInto(f.stats);
                r.quietFirstCapture(); // summed up by burstEnded()
                reps.add(r);
            }
        } catch (IOException | RuntimeException e) {
            failed(id, e);
            return false;
        }
        f.lifecycle.move(id, RowState.PASS);
        f.lifecycle.hold(id);
        started++;
        if (burstPasses++ == 0) {
            burstStart = f.clock.instant();
        }
        running++;
        List<CompletableFuture<SyncResult>> w = waiting.remove(id);
        if (w != null) {
            armed.put(id, w);
        }
        f.scheduler.runOnce(reps).whenComplete((r, err) -> f.inbox.accept(() -> done(id, r, err)));
        return true;
    }

    private void done(int id, SyncResult r, Throwable err) {
        f.giveSlot();
        running--;
        for (CompletableFuture<SyncResult> w : armed.getOrDefault(id, List.of())) {
            if (err == null) {
                w.complete(r);
            } else {
                w.completeExceptionally(Failure.unwrap(err));
            }
        }
        armed.remove(id);
        if (r != null && r.capture()) {
            f.captures.incrementAndGet();
            burstCaptures++;
        }
        // Only a row still in its pass takes the outcome: one deleted or excluded meanwhile keeps that state.
        if (f.lifecycle.state(id) != RowState.PASS) {
            noticed.remove(id);
        } else if (err != null) {
            failed(id, err);
        } else {
            retries.remove(id);
            Instant since = noticed.remove(id);
            if (since != null && r.files() > 0) {
                f.stats.lagged(DbStats.Tier.TRANSIENT, java.time.Duration.between(since, f.clock.instant()));
            }
            f.lifecycle.move(id, RowState.COLD);
            if (r.files() > 0 && r.txid() > 1) {
                settler.needsSettle(id); // changes beyond a first capture: its levels are now behind
            }
        }
        release.accept(id); // a promotion waiting for the pass sees its outcome; freed slots are refilled
        if (running == 0 && backlog() == 0) {
            burstEnded();
        }
    }

    /**
     * The passes since the backlog was last empty are all done: one INFO line for them when they captured (a fleet's
     * first capture, or new databases), in place of one line per database.
     */
    private void burstEnded() {
        if (burstCaptures > 0) {
            double secs = java.time.Duration.between(burstStart, f.clock.instant()).toMillis() / 1000.0;
            LOG.log(System.Logger.Level.INFO, String.format(java.util.Locale.ROOT, "transient passes: %d "
                    + "database(s) synced in %.1f s, %d captured (current state uploaded)",
                    burstPasses, secs, burstCaptures));
        }
        burstPasses = 0;
        burstCaptures = 0;
    }

    /** A pass (or starting one) failed: by its kind, retried with backoff, refused, or marked failed. */
    void failed(int id, Throwable error) {
        Throwable cause = Failure.unwrap(error);
        f.stats.failed(DbStats.Tier.TRANSIENT, cause);
        switch (Failure.of(cause)) {
            case PERMANENT -> {
                retries.remove(id);
                noticed.remove(id);
                refuse(f, id, cause);
            }
            case BUG -> {
                retries.remove(id);
                noticed.remove(id);
                fail(f, id, cause);
            }
            case TRANSIENT -> {
                Retry last = retries.get(id);
                int n = last == null ? 1 : last.failures() + 1;
                retries.put(id, new Retry(n, f.clock.instant().plusMillis(SyncScheduler.backoffMillis(n))));
                if (n == 1) {
                    LOG.log(System.Logger.Level.WARNING, f.table.path(id) + ": transient sync failed (retrying with "
                            + "backoff): " + cause.getMessage());
                }
                if (f.lifecycle.state(id) == RowState.PASS) {
                    f.lifecycle.move(id, RowState.QUEUED);
                }
                if (f.lifecycle.state(id) == RowState.QUEUED) {
                    backingOff.add(new Backoff(id, retries.get(id).at()));
                }
            }
            default -> throw new IllegalStateException("unknown failure kind");
        }
    }

    /** A database the engine cannot replicate as it is: logged, tried again at its next change rather than never. */
    static void refuse(Fleet f, int id, Throwable e) {
        LOG.log(System.Logger.Level.ERROR, f.table.path(id) + ": NOT REPLICATED (until it changes): " + e.getMessage());
        f.lifecycle.move(id, RowState.REFUSED);
        f.errors.put(id, String.valueOf(e.getMessage()));
    }

    /** A bug: logged with its stack once, the database marked failed; its next change tries again. */
    static void fail(Fleet f, int id, Throwable e) {
        LOG.log(System.Logger.Level.ERROR, f.table.path(id) + ": NOT REPLICATED after an internal error (tried again "
                + "when it changes)", e);
        f.lifecycle.move(id, RowState.FAILED);
        f.errors.put(id, "internal error: " + e);
    }

    /** Rows waiting for a pass (ready, backing off, or held by a worker). */
    int backlog() {
        return backlog.size() + backingOff.size() + held.size();
    }

    /** Rows {@link #drain} has taken from the backlog so far. */
    long examined() {
        return examined;
    }

    /** Passes started. */
    long started() {
        return started;
    }
}
