package io.litefleet.core.fleet;

import io.litefleet.api.discovery.DiscoveredDatabase;
import io.litefleet.api.discovery.FileFingerprint;
import io.litefleet.api.tier.AccessSample;
import io.litefleet.api.tier.Tier;
import io.litefleet.api.tier.TierDecision;
import io.litefleet.api.tier.TieringPolicy;
import io.litefleet.core.compact.Maintenance;
import io.litefleet.core.engine.DbReplicator;
import io.litefleet.core.engine.SyncResult;
import io.litefleet.core.replica.ReplicaTarget;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The hot set: databases streamed by a scheduled replicator, at most {@code max-hot-databases} of them. A change
 * asks the tiering policy; a promotion beyond the cap evicts the least recently active hot database (unless it is
 * within its minimum residency, when the change gets a transient pass instead); an idle one is demoted. Demotion is
 * {@link RowState#CLOSING} until its final sync ends. Fleet thread only; workers report through the inbox.
 */
final class HotSet {
    private static final System.Logger LOG = System.getLogger(HotSet.class.getName());
    private static final boolean TRACE = Boolean.getBoolean("litefleet.fleet.trace");

    private final Fleet f;
    private final TieringPolicy policy;
    private final Passes passes;
    private final Settler settler;
    private final IntConsumer release;
    private final Map<Integer, Hot> hot = new HashMap<>();
    private final Map<DbReplicator, Integer> ids = new IdentityHashMap<>();
    private long evictions;

    /** A hot database: one replicator per destination, and when it was last active (fleet clock, seconds). */
    private static final class Hot {
        final int id;
        final List<DbReplicator> replicators;
        int lastActive;

        Hot(int id, List<DbReplicator> replicators, int lastActive) {
            this.id = id;
            this.replicators = replicators;
            this.lastActive = lastActive;
        }
    }

    HotSet(Fleet f, TieringPolicy policy, Passes passes, Settler settler, IntConsumer release) {
        this.f = f;
        this.policy = policy;
        this.passes = passes;
        this.settler = settler;
        this.release = release;
    }

    /** A known database changed ({@code fp} is its new fingerprint): promote it, or give it a transient pass. */
    void changed(int id, FileFingerprint fp) {
        RowState s = f.lifecycle.state(id);
        if (s == RowState.REFUSED || s == RowState.FAILED) {
            f.lifecycle.move(id, RowState.COLD); // tried again at its next change
        }
        s = f.lifecycle.state(id);
        if (s == RowState.HOT || s == RowState.EXCLUDED || s == RowState.DELETED || s == RowState.FOREIGN) {
            return;
        }
        Duration since = Duration.between(Instant.ofEpochSecond(0, fp.lastChangeNanos()), f.clock.instant());
        AccessSample sample = new AccessSample(Tier.COLD, since.isNegative() ? Duration.ZERO : since, Duration.ZERO,
                f.table.changes(id), f.table.path(id));
        TierDecision decision = policy.decide(sample);
        if (TRACE) {
            LOG.log(System.Logger.Level.INFO, "TRACE changed " + f.table.path(id) + " state=" + s + " sample="
                    + sample + " busy=" + f.lifecycle.busy(id) + " decision=" + decision);
        }
        if (decision == TierDecision.PROMOTE) {
            promote(id);
        } else {
            passes.enqueue(id); // not active enough to stream, but the change must still reach the replica
        }
    }

    /** The row was active now (a change seen, or a sync shipped something). */
    void touch(int id) {
        Hot h = hot.get(id);
        if (h != null) {
            h.lastActive = f.nowSec();
        }
    }

    /** Promotes a cold or queued row; one a worker holds is promoted once it is free. */
    void promote(int id) {
        RowState s = f.lifecycle.state(id);
        if (f.lifecycle.busy(id) || s.isWork()) {
            f.lifecycle.wantPromotion(id, true); // never two replicators, passes or settles on one database at once
            return;
        }
        if (s != RowState.COLD && s != RowState.QUEUED) {
            return;
        }
        if (!f.ownership.ready(id, Ownership.PROMOTE)) {
            return; // promoted once its claim is answered (or FOREIGN)
        }
        if (hot.size() >= f.options.maxHot()) {
            Hot victim = leastRecentlyActive();
            if (victim == null || f.nowSec() - victim.lastActive < f.options.minResidency().toSeconds()) {
                passes.enqueue(id);
                return;
            }
            evictions++;
            demote(victim, "evicted for " + f.table.path(id), RowState.COLD);
        }
        List<DbReplicator> reps = new java.util.ArrayList<>();
        List<Maintenance> ms = new java.util.ArrayList<>();
        try {
            DiscoveredDatabase db = f.discovery.probe(f.table.path(id), false);
            if (db == null) {
                return;
            }
            for (ReplicaTarget target : f.ownership.fenced(id, f.resolver.resolveAll(db))) {
                Maintenance m = Maintenance.create(target, f.options.compaction());
                ms.add(m);
                DbReplicator r = DbReplicator.create(db.path(), target, f.catalog, f.options.engine(), f.clock, m);
                r.countInto(f.stats);
                reps.add(r);
            }
        } catch (IOException | RuntimeException e) {
            switch (Failure.of(e)) {
                case PERMANENT -> Passes.refuse(f, id, e);
                case BUG -> Passes.fail(f, id, e);
                default -> {
                    LOG.log(System.Logger.Level.WARNING, f.table.path(id) + ": cannot promote now (a transient pass "
                            + "will retry): " + e.getMessage());
                    passes.enqueue(id);
                }
            }
            return;
        }
        hot.put(id, new Hot(id, List.copyOf(reps), f.nowSec()));
        f.lifecycle.move(id, RowState.HOT);
        settler.settledByItsReplicator(id);
        f.table.resetChanges(id);
        for (int i = 0; i < reps.size(); i++) {
            ids.put(reps.get(i), id);
            f.scheduler.add(reps.get(i), f.options.engine().syncInterval(), ms.get(i), new Listener(reps.get(i)));
        }
        for (java.util.concurrent.CompletableFuture<SyncResult> w : passes.takeWaiting(id)) {
            syncNow(id).orElseThrow().whenComplete((r, err) -> {
                if (err == null) {
                    w.complete(r);
                } else {
                    w.completeExceptionally(err);
                }
            });
        }
    }

    /**
     * Syncs every destination of a hot row now ({@link SyncScheduler#syncNow}); the lower TXID of them. Empty when the
     * row is not hot.
     */
    java.util.Optional<java.util.concurrent.CompletableFuture<SyncResult>> syncNow(int id) {
        Hot h = hot.get(id);
        if (h == null) {
            return java.util.Optional.empty();
        }
        List<java.util.concurrent.CompletableFuture<SyncResult>> all = h.replicators.stream()
                .map(f.scheduler::syncNow).toList();
        return java.util.Optional.of(java.util.concurrent.CompletableFuture.allOf(
                all.toArray(new java.util.concurrent.CompletableFuture[0])).thenApply(v -> all.stream()
                .map(java.util.concurrent.CompletableFuture::join).reduce(SyncResult::lowest).orElseThrow()));
    }

    /** The maintenance of each destination of a hot row; empty when the row is not hot. */
    java.util.Optional<List<Maintenance>> maintenance(int id) {
        Hot h = hot.get(id);
        return h == null ? java.util.Optional.empty() : java.util.Optional.of(h.replicators.stream()
                .map(r -> f.scheduler.maintenance(r)).flatMap(java.util.Optional::stream).toList());
    }

    /** Hears the scheduler about one hot replicator, on a worker: reports through the inbox. */
    private final class Listener implements SyncScheduler.Listener {
        private final DbReplicator rep;

        Listener(DbReplicator rep) {
            this.rep = rep;
        }

        @Override
        public void synced(DbReplicator db, SyncResult r) {
            if (r.capture()) {
                f.captures.incrementAndGet();
            }
            if (r.files() > 0) {
                f.inbox.accept(() -> touchReplicator(rep));
            }
        }

        @Override
        public void failed(DbReplicator db, Exception error, boolean bug) {
            if (bug) {
                f.inbox.accept(() -> failReplicator(rep));
            }
        }
    }

    private void touchReplicator(DbReplicator rep) {
        Integer id = ids.get(rep);
        if (id != null) {
            touch(id);
        }
    }

    /** The scheduler stopped syncing a hot replicator after a bug (logged there): close it, mark the row failed. */
    private void failReplicator(DbReplicator rep) {
        Integer id = ids.get(rep);
        Hot h = id == null ? null : hot.get(id);
        if (h != null) {
            f.errors.put(h.id, "internal error while streaming (logged with its stack)");
            demote(h, "internal error", RowState.FAILED);
        }
    }

    private Hot leastRecentlyActive() {
        Hot best = null;
        for (Hot h : hot.values()) {
            if (best == null || h.lastActive < best.lastActive) {
                best = h;
            }
        }
        return best;
    }

    /** Demotes the hot databases the policy finds idle. */
    void demoteIdle() {
        for (Hot h : List.copyOf(hot.values())) {
            Duration idle = Duration.ofSeconds(Math.max(0, f.nowSec() - h.lastActive));
            if (policy.decide(new AccessSample(Tier.HOT, idle, Duration.ZERO, 0, f.table.path(h.id))) == TierDecision.DEMOTE) {
                demote(h, "idle for " + idle.toSeconds() + " s", RowState.COLD);
            }
        }
    }

    /**
     * Takes a hot row out of the hot set: {@link RowState#CLOSING} while its final sync runs on a worker, then
     * {@code after} (unless deleted or excluded meanwhile); a failed final sync gets a transient pass.
     */
    private void demote(Hot h, String why, RowState after) {
        hot.remove(h.id);
        h.replicators.forEach(ids::remove);
        f.lifecycle.move(h.id, RowState.CLOSING);
        f.lifecycle.hold(h.id);
        settler.needsSettle(h.id); // levels not yet due while it was hot are settled once it is cold
        f.table.resetChanges(h.id);
        LOG.log(System.Logger.Level.DEBUG, () -> f.table.path(h.id) + ": demoted (" + why + ")");
        finalSyncs(h).whenComplete((synced, err) -> f.inbox.accept(() -> {
            if (f.lifecycle.state(h.id) == RowState.CLOSING) {
                f.lifecycle.move(h.id, after);
                if (!Boolean.TRUE.equals(synced) && after == RowState.COLD) {
                    passes.enqueue(h.id); // the final sync failed: a transient pass (with backoff) ships the rest
                }
            }
            release.accept(h.id);
        }));
    }

    /** Takes every destination's replicator off the scheduler; true when every final sync succeeded. */
    private java.util.concurrent.CompletableFuture<Boolean> finalSyncs(Hot h) {
        List<java.util.concurrent.CompletableFuture<Boolean>> all = h.replicators.stream()
                .map(f.scheduler::remove).toList();
        return java.util.concurrent.CompletableFuture.allOf(all.toArray(new java.util.concurrent.CompletableFuture[0]))
                .thenApply(v -> all.stream().allMatch(java.util.concurrent.CompletableFuture::join));
    }

    /**
     * Ends replication of a row that is gone or must not replicate: a hot one is demoted first (its final sync),
     * then the row takes {@code to} ({@link RowState#DELETED} or {@link RowState#EXCLUDED}).
     */
    void stop(int id, RowState to, String why) {
        Hot h = hot.get(id);
        if (h != null) {
            demote(h, why, to);
        }
        if (f.lifecycle.state(id) == RowState.FOREIGN) {
            f.ownership.leftForeign(id);
        }
        f.lifecycle.move(id, to);
        if (to == RowState.DELETED || to == RowState.EXCLUDED) {
            f.ownership.releaseIfOwned(id); // at once when no worker holds it, else once its final sync has run
        }
    }

    /**
     * The cluster session changed: every hot replicator's fence is void, so each is demoted (its final sync is
     * fenced, and the transient pass that follows claims the row again under the new session).
     */
    void fencesVoid() {
        for (Hot h : List.copyOf(hot.values())) {
            demote(h, "cluster session renewed", RowState.COLD);
        }
    }

    /** The hot set as the status API shows it: each database with each destination's sync health. */
    List<FleetLive.HotDb> live() {
        List<FleetLive.HotDb> out = new java.util.ArrayList<>(hot.size());
        for (Hot h : hot.values()) {
            List<FleetLive.HotReplica> reps = h.replicators.stream().map(r -> new FleetLive.HotReplica(
                    r.target().client().describe(), r.target().url(), r.txid(), f.scheduler.health(r))).toList();
            out.add(new FleetLive.HotDb(f.table.path(h.id), f.epoch.plusSeconds(h.lastActive), reps));
        }
        return out;
    }

    /** Rows streamed now. */
    int size() {
        return hot.size();
    }

    long evictions() {
        return evictions;
    }

    /**
     * At shutdown on a shared scheduler: takes every hot replicator off it and waits for their final syncs (a
     * manual scheduler runs them here).
     */
    void finalSyncs() {
        List<java.util.concurrent.CompletableFuture<Boolean>> all = hot.values().stream()
                .map(this::finalSyncs).toList();
        if (f.scheduler.isManual()) {
            f.scheduler.runPending();
        }
        try {
            java.util.concurrent.CompletableFuture.allOf(all.toArray(new java.util.concurrent.CompletableFuture[0]))
                    .get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "final syncs did not all end: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * At shutdown, after the final syncs: every hot row is recorded cold, its replica unsettled (the
     * next run settles what its maintenance had not done yet).
     */
    void closeAll() {
        for (Hot h : hot.values()) {
            f.lifecycle.move(h.id, RowState.CLOSING);
            f.lifecycle.move(h.id, RowState.COLD);
            settler.needsSettle(h.id);
        }
        hot.clear();
        ids.clear();
    }
}
