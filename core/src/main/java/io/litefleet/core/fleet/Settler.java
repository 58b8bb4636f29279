package io.litefleet.core.fleet;

import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.core.compact.Maintenance;
import io.litefleet.core.replica.ReplicaTarget;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Settle passes: a cold database whose replica changed (demoted, or written by transient passes) has its levels
 * compacted, a snapshot taken when due and expired files deleted, in one pass on a worker ({@link Maintenance#settle})
 * as {@link RowState#SETTLING}; then it is not visited again until it changes, so an idle cold database costs no
 * request. Which replicas still need it is recorded in the catalog, so a restart settles what the last run left.
 * Settle passes share the transient passes' slots. Fleet thread only.
 */
final class Settler {
    private static final System.Logger LOG = System.getLogger(Settler.class.getName());

    private final Fleet f;
    private final IntConsumer release;
    private final Duration every;
    /** How old a cold replica's newest snapshot may be before a settle pass takes another. */
    private final Duration snapshotEvery;
    private final ArrayDeque<Integer> queue = new ArrayDeque<>();
    /** Rows settled with work left for later (files to expire), by when. */
    private final PriorityQueue<Due> later = new PriorityQueue<>(Comparator.comparing(Due::at));
    /** Paths to record as needing, or no longer needing, a settle pass (flushed with the tiers). */
    private final Set<String> needed = new LinkedHashSet<>();
    private final Set<String> done = new LinkedHashSet<>();
    private Instant next;
    private long settles;

    /** A row to settle again at {@code at}. */
    private record Due(Instant at, int id) {
    }

    Settler(Fleet f, IntConsumer release) {
        this.f = f;
        this.release = release;
        this.every = f.options.coldSnapshotInterval().orElse(f.options.compaction().longestLevelInterval());
        this.snapshotEvery = f.options.coldSnapshotInterval().orElse(f.options.compaction().snapshotInterval());
        this.next = f.epoch.plus(every);
    }

    /** Marks a row's replica as needing a settle pass, here and in the catalog (so a restart still settles it). */
    void needsSettle(int id) {
        f.table.unsettled(id, true);
        String path = f.table.path(id).toString();
        done.remove(path);
        needed.add(path);
    }

    /** The last run left this row's replica unsettled (no catalog write: it is recorded already). */
    void unsettledAtStart(int id) {
        f.table.unsettled(id, true);
    }

    /** A hot database's own maintenance runs its levels: it needs no settle pass. */
    void settledByItsReplicator(int id) {
        f.table.unsettled(id, false);
        String path = f.table.path(id).toString();
        needed.remove(path);
        done.add(path);
    }

    /** Every settle interval, the cold rows whose replicas are behind are queued for one settle pass each. */
    void queueDue(Instant now) {
        if (now.isBefore(next)) {
            return;
        }
        next = now.plus(every);
        while (!later.isEmpty() && !later.peek().at().isAfter(now)) {
            f.table.unsettled(later.poll().id(), true);
        }
        for (int id = f.table.nextUnsettled(0); id >= 0; id = f.table.nextUnsettled(id + 1)) {
            RowState s = f.lifecycle.state(id);
            if (s == RowState.HOT || s == RowState.EXCLUDED) {
                f.table.unsettled(id, false); // a hot database's own maintenance runs its levels
            } else if (s == RowState.DELETED || s == RowState.REFUSED || s == RowState.FAILED
                    || s == RowState.FOREIGN) {
                // No pass takes these: unmarked, so they do not count as pending. The catalog still lists the
                // replica as unsettled; a file that comes back and changes is passed and marked again.
                f.table.unsettled(id, false);
            } else if (s == RowState.COLD && !f.lifecycle.busy(id)) {
                f.table.unsettled(id, false);
                queue.add(id);
            }
        }
    }

    /**
     * Settle passes, in the slots transient passes leave free. A replica left with work for later (files to expire)
     * is settled again then; one with none is not visited again until it changes.
     */
    void drain() {
        while (!queue.isEmpty() && f.takeSlot()) {
            int id = queue.poll();
            if (f.lifecycle.state(id) != RowState.COLD || f.lifecycle.busy(id)) {
                f.giveSlot();
                if (f.lifecycle.state(id) != RowState.HOT && f.lifecycle.state(id) != RowState.EXCLUDED) {
                    f.table.unsettled(id, true); // not now: the next interval takes it
                }
                continue;
            }
            if (!start(id, snapshotEvery, null)) {
                f.giveSlot();
            }
        }
    }

    /**
     * A snapshot of cold row {@code id}'s replicas now ({@code litefleet snapshot} through the daemon), in a settle
     * pass: {@code done} completes with the snapshot files written, or fails saying why not now.
     */
    void snapshotNow(int id, java.util.concurrent.CompletableFuture<Integer> done) {
        if (!f.ownership.ready(id, Ownership.SETTLE)) {
            done.completeExceptionally(new IOException(f.table.path(id) + ": not claimed by this instance yet "
                    + "(cluster mode); claiming it now, try again in a moment"));
        } else if (f.lifecycle.state(id) != RowState.COLD || f.lifecycle.busy(id)) {
            done.completeExceptionally(new IOException(f.table.path(id) + ": busy (" + f.lifecycle.state(id)
                    + "); try again in a moment"));
        } else if (!f.takeSlot()) {
            done.completeExceptionally(new IOException("every sync worker is busy; try again in a moment"));
        } else if (!start(id, Duration.ZERO, done)) {
            f.giveSlot();
            done.completeExceptionally(new IOException(f.table.path(id) + ": its replica cannot be resolved now"));
        }
    }

    /**
     * Starts a settle pass on row {@code id} (a slot taken) on a worker; false when its replica cannot be resolved
     * (the slot is the caller's to give back). {@code done}, if any, completes with the snapshots written.
     */
    private boolean start(int id, Duration snapshotAge, java.util.concurrent.CompletableFuture<Integer> done) {
        List<Maintenance> ms = new java.util.ArrayList<>();
        try {
            DiscoveredDatabase db = f.discovery.match(f.table.path(id));
            if (db == null) {
                return false;
            }
            List<ReplicaTarget> targets = f.resolver.resolveAll(db);
            if (!f.ownership.ready(id, Ownership.SETTLE)) {
                return false; // settled once claimed (claimed)
            }
            for (var target : f.ownership.fenced(id, targets)) {
                ms.add(Maintenance.create(target, f.options.compaction()));
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, f.table.path(id) + ": cannot settle its replica: "
                    + e.getMessage(), Failure.of(e) == Failure.BUG ? e : null);
            return false;
        }
        f.lifecycle.move(id, RowState.SETTLING);
        f.lifecycle.hold(id);
        AtomicInteger written = new AtomicInteger();
        f.scheduler.execute(() -> settleAll(ms, snapshotAge, written)).whenComplete((r, err) -> {
            if (done != null) {
                if (err != null || r.report().failure() != null) {
                    done.completeExceptionally(err != null ? Failure.unwrap(err) : r.report().failure());
                } else {
                    done.complete(written.get());
                }
            }
            f.inbox.accept(() -> settled(id, r, err));
        });
        return true;
    }

    /** Settles every destination's replica: the first failure is the outcome, else the earliest next check. */
    private Maintenance.Settled settleAll(List<Maintenance> ms, Duration snapshotAge, AtomicInteger snapshots) {
        Maintenance.Settled outcome = null;
        for (Maintenance m : ms) {
            Maintenance.Settled r = m.settle(f.clock.instant(), snapshotAge);
            snapshots.addAndGet(r.report().snapshots());
            if (outcome != null && outcome.report().failure() != null) {
                continue;
            }
            if (outcome == null || r.report().failure() != null || r.nextCheck().isBefore(outcome.nextCheck())) {
                outcome = r;
            }
        }
        return outcome;
    }

    private void settled(int id, Maintenance.Settled r, Throwable err) {
        f.giveSlot();
        settles++;
        if (err != null || r.report().failure() != null) {
            Throwable why = err != null ? Failure.unwrap(err) : r.report().failure();
            LOG.log(System.Logger.Level.WARNING, f.table.path(id) + ": settling its replica failed (retrying at the "
                    + "next interval): " + why.getMessage(), Failure.of(why) == Failure.BUG ? why : null);
            f.table.unsettled(id, true);
        } else if (!r.nextCheck().equals(Instant.MAX)) {
            later.add(new Due(r.nextCheck(), id)); // not before there is work
        } else {
            done.add(f.table.path(id).toString());
        }
        if (f.lifecycle.state(id) == RowState.SETTLING) {
            f.lifecycle.move(id, RowState.COLD);
        }
        release.accept(id);
    }

    /** Row {@code id} is owned now (cluster mode): its settle pass may start. */
    void claimed(int id) {
        queue.add(id);
    }

    /** Records in the catalog which replicas need settling; false when the catalog could not be written. */
    void flush() {
        if (needed.isEmpty() && done.isEmpty()) {
            return;
        }
        try {
            f.catalog.putUnsettled(needed, done);
            needed.clear();
            done.clear();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot record unsettled replicas (retrying): " + e.getMessage());
        }
    }

    /**
     * Settle passes still to come: rows marked behind (queued at the next interval), rows queued, and rows settled
     * with work left for a known later time. Until the next interval it may also count marked rows that no pass will
     * take (hot again, deleted, excluded), and a row queued and changed again meanwhile counts twice (it then gets
     * two passes); 0 means none is to come.
     */
    int pending() {
        return f.table.unsettledCount() + queue.size() + later.size();
    }

    /** Settle passes run. */
    long settles() {
        return settles;
    }
}
