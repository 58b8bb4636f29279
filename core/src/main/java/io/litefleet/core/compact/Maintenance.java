package io.litefleet.core.compact;

import io.litefleet.core.engine.ReplicaListener;
import io.litefleet.core.replica.CountingClient;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.replica.StaleFiles;
import io.litefleet.core.restore.RestoreGapException;
import io.litefleet.core.restore.RestorePlan;
import io.litefleet.core.restore.RestorePlanner;
import io.litefleet.core.restore.RestoreTarget;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Compaction, snapshots and retention for one hot database's replica, with upstream Litestream's levels and rules
 * (see {@link CompactionSettings}, {@link Retention}) but without polling the store.
 *
 * <p>It owns no thread and no timer: whoever drives the fleet calls {@link #runDue} with its clock's time (every
 * second or so is fine; a call with nothing due does no I/O and allocates little), and the sync engine calls
 * {@link #onUploaded} for every level-0 file it uploads. It keeps an index of the replica's files per level, loaded
 * by one LIST per level the first time work is due and then kept current by those calls, so that:
 * <ul>
 * <li>a database whose TXID has not moved makes <strong>no</strong> replica request: levels, snapshots and the
 *     index load are only considered for TXIDs the levels do not cover yet;</li>
 * <li>level {@code n} is compacted from level {@code n-1} at the first boundary of its interval (see
 *     {@link Schedule}) after it fell behind, taking the source files after its own last TXID, as upstream does;
 *     levels due together run in ascending order, so a snapshot includes the L1 file made a moment before;</li>
 * <li>a level-9 snapshot is merged from the restore plan of the latest state (previous snapshot, L3..L0) at the
 *     first snapshot boundary after the TXID moved;</li>
 * <li>retention deletes are decided from the index: a request is sent only when a file has actually expired, so
 *     after the last write a database sends a bounded number of DELETE batches (when its last L0 files and old
 *     snapshots expire) and then nothing.</li>
 * </ul>
 *
 * <p>Failures ({@link IOException}s, {@link io.litefleet.api.replica.ReplicaException} included) end the run:
 * nothing is deleted before the file that supersedes it is stored, so the replica stays restorable; the index is
 * dropped and reloaded by the next run that has work, because a failed request may or may not have taken effect;
 * the failed step is retried at the first run after {@link CompactionSettings#shortestInterval()}.
 *
 * <p>Thread-safe: {@link #onUploaded} may be called from any thread at any time; {@link #runDue} calls are
 * serialised. Holds no resources; the target's client belongs to its creator.
 */
public final class Maintenance implements ReplicaListener {
    /** Keys per DELETE request, the S3 DeleteObjects limit. */
    static final int DELETE_BATCH = 1000;
    private static final int RETENTION_STEP = -1;
    private static final System.Logger LOG = System.getLogger(Maintenance.class.getName());

    private final ReplicaTarget target;
    /** Requests this maintenance sent (the shared client counts them per destination as well). */
    private final LongAdder requests = new LongAdder();
    private final CompactionSettings settings;
    private final Schedule schedule;
    private final Compactor compactor;
    private final RecentUploads recent;
    private final int[] levels;
    private final Object runLock = new Object();

    // Guarded by this.
    private ReplicaIndex index;
    private final List<LtxFileRef> told = new ArrayList<>();
    private String unrestorable;
    private long toldMax;
    private final Instant[] behindSince = new Instant[LtxFileRef.SNAPSHOT_LEVEL + 1];

    // Confined to runDue (under runLock).
    private final Instant[] retryAt = new Instant[LtxFileRef.SNAPSHOT_LEVEL + 1];
    private Instant retentionAt = Instant.MIN;
    private boolean retentionRetry;
    /** The stale owner's file last reported, so a compaction retried behind it reports it once. */
    private LtxFileRef lastStale;

    private Maintenance(ReplicaTarget target, CompactionSettings settings, double phase, int memoryLimit,
            RecentUploads recent) {
        Objects.requireNonNull(target, "target");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.recent = Objects.requireNonNull(recent, "recent");
        CountingClient counted = CountingClient.borrowing(target.client(), (op, failure) -> requests.increment());
        this.target = target.withClient(counted);
        this.schedule = new Schedule(phase, settings.shortestInterval());
        this.compactor = Compactor.create(this.target, memoryLimit,
                f -> f.level() == 0 ? recent.get(this, f) : Optional.empty());
        this.levels = new int[settings.maxLevel() + 1];
        for (int i = 1; i <= settings.maxLevel(); i++) {
            levels[i - 1] = i;
        }
        levels[settings.maxLevel()] = LtxFileRef.SNAPSHOT_LEVEL;
    }

    /**
     * Maintenance for the database replicated to {@code target}, with a phase derived from its replica path,
     * merged files up to {@link LtxMerger#DEFAULT_MEMORY_LIMIT} held in memory, and recent level-0 bytes kept in
     * the process-wide {@link RecentUploads#shared()}.
     */
    public static Maintenance create(ReplicaTarget target, CompactionSettings settings) {
        return new Maintenance(target, settings, Schedule.phaseOf(target.path()), LtxMerger.DEFAULT_MEMORY_LIMIT,
                RecentUploads.shared());
    }

    /**
     * Maintenance with an explicit schedule phase in [0, 1) (0 = upstream's boundaries, {@code now.Truncate}) and
     * memory limit for merged files (see {@link LtxMerger#prepare}); keeps no level-0 bytes.
     */
    public static Maintenance create(ReplicaTarget target, CompactionSettings settings, double phase,
            int memoryLimit) {
        return new Maintenance(target, settings, phase, memoryLimit, new RecentUploads(0));
    }

    /** As {@link #create(ReplicaTarget, CompactionSettings, double, int)}, keeping level-0 bytes in {@code recent}. */
    public static Maintenance create(ReplicaTarget target, CompactionSettings settings, double phase,
            int memoryLimit, RecentUploads recent) {
        return new Maintenance(target, settings, phase, memoryLimit, recent);
    }

    @Override
    public void uploaded(LtxFileRef ref) {
        onUploaded(ref);
    }

    /**
     * As {@link #onUploaded}, keeping {@code body} (the file's exact bytes) for the level-1 compaction that will
     * read it, when level 1 exists.
     */
    @Override
    public void uploaded(LtxFileRef ref, byte[] body) {
        if (body != null && ref.level() == 0 && settings.maxLevel() >= 1) {
            recent.put(this, ref, body);
        }
        onUploaded(ref);
    }

    /**
     * Records a file the engine has stored (normally level 0). Levels that do not cover its TXIDs become due at
     * their next boundary after the file's {@code createdAt}. No I/O.
     */
    public synchronized void onUploaded(LtxFileRef file) {
        Objects.requireNonNull(file, "file");
        if (index != null) {
            index.add(file);
        } else {
            told.add(file);
        }
        toldMax = Math.max(toldMax, file.maxTxid());
        for (int level : levels) {
            if (behindSince[level] == null && file.maxTxid() > coveredBy(level)) {
                behindSince[level] = file.createdAt();
            }
        }
    }

    /** The highest TXID this instance knows the replica holds, 0 if none. No I/O. */
    public synchronized long maxTxid() {
        return Math.max(toldMax, index == null ? 0 : index.maxTxid());
    }

    /** The replica's files as the index holds them, or empty while the index is not loaded. No I/O. */
    public synchronized Optional<List<LtxFileRef>> files() {
        return index == null ? Optional.empty() : Optional.of(index.all());
    }

    /**
     * Does whatever is due at {@code now}: compactions in ascending level order, a snapshot, retention. Returns
     * what it did; a run with nothing due sends no request. A failure ends the run and is returned in the report
     * (see the class comment), never thrown.
     */
    public MaintenanceReport runDue(Instant now) {
        Objects.requireNonNull(now, "now");
        synchronized (runLock) {
            long before = requests.sum();
            List<LtxFileRef> written = new ArrayList<>();
            List<LtxFileRef> deleted = new ArrayList<>();
            int step = 0;
            IOException failure = null;
            try {
                for (int level : levels) {
                    step = level;
                    if (isDue(level, now)) {
                        ensureLoaded(now);
                        compactOrSnapshot(level, written);
                        settle(level, now);
                    }
                }
                step = RETENTION_STEP;
                if (retentionRetry && !now.isBefore(retentionAt)) {
                    ensureLoaded(now);
                    retentionRetry = false;
                }
                enforceRetention(now, deleted);
            } catch (IOException e) {
                failure = e;
                fail(step, now);
            }
            return new MaintenanceReport(written, deleted, requests.sum() - before, failure);
        }
    }

    /**
     * Settles the replica of a database that went cold (demoted, or changed by a transient pass), in one run
     * instead of on the level boundaries it will not be around for: loads the index (one LIST per level), compacts
     * every level that is behind, takes a snapshot when the newest one is older than {@code snapshotEvery} (or
     * there is none) and the levels hold newer TXIDs, and enforces retention. Never thrown; see {@link #runDue}.
     *
     * @return what it did, and when retention will next have work by time alone ({@link Instant#MAX} if never
     *         without new files): the caller settles again then, and not before
     */
    public Settled settle(Instant now, java.time.Duration snapshotEvery) {
        Objects.requireNonNull(now, "now");
        synchronized (runLock) {
            long before = requests.sum();
            List<LtxFileRef> written = new ArrayList<>();
            List<LtxFileRef> deleted = new ArrayList<>();
            int step = 0;
            try {
                ensureLoaded(now);
                for (int level : levels) {
                    step = level;
                    if (level != LtxFileRef.SNAPSHOT_LEVEL || snapshotDue(now, snapshotEvery)) {
                        compactOrSnapshot(level, written);
                    }
                    settle(level, now);
                }
                step = RETENTION_STEP;
                retentionAt = Instant.MIN;
                enforceRetention(now, deleted);
                return new Settled(new MaintenanceReport(written, deleted, requests.sum() - before, null),
                        retentionAt);
            } catch (IOException e) {
                fail(step, now);
                return new Settled(new MaintenanceReport(written, deleted, requests.sum() - before, e),
                        now.plus(settings.shortestInterval()));
            }
        }
    }

    /**
     * A snapshot now on each of a database's destinations in turn: settles each at once, whatever the age of its
     * newest snapshot.
     *
     * @return the snapshot files written
     * @throws IOException the first destination's failure (those after it are not tried)
     */
    public static int snapshotNow(List<Maintenance> destinations, java.time.Clock clock) throws IOException {
        int written = 0;
        for (Maintenance m : destinations) {
            MaintenanceReport report = m.settle(clock.instant(), java.time.Duration.ZERO).report();
            if (report.failure() != null) {
                throw report.failure();
            }
            written += report.snapshots();
        }
        return written;
    }

    /**
     * The outcome of {@link #settle}.
     *
     * @param report    what was written and deleted, and the requests sent
     * @param nextCheck when the replica next has work by time alone; {@link Instant#MAX} if never
     */
    public record Settled(MaintenanceReport report, Instant nextCheck) {
    }

    private synchronized boolean snapshotDue(Instant now, java.time.Duration every) {
        Instant newest = null;
        for (LtxFileRef f : index.level(LtxFileRef.SNAPSHOT_LEVEL)) {
            newest = newest == null || f.createdAt().isAfter(newest) ? f.createdAt() : newest;
        }
        return newest == null || !newest.plus(every).isAfter(now);
    }

    private synchronized boolean isDue(int level, Instant now) {
        Instant since = behindSince[level];
        if (since == null || (retryAt[level] != null && now.isBefore(retryAt[level]))) {
            return false;
        }
        return schedule.previous(now, settings.interval(level)).isAfter(since);
    }

    private void ensureLoaded(Instant now) throws IOException {
        synchronized (this) {
            if (index != null) {
                return;
            }
        }
        int[] listed = new int[settings.maxLevel() + 2];
        for (int i = 0; i <= settings.maxLevel(); i++) {
            listed[i] = i;
        }
        listed[listed.length - 1] = LtxFileRef.SNAPSHOT_LEVEL;
        ReplicaIndex loaded = ReplicaIndex.load(target, listed);
        // Judged on what the store lists: a file we were told of but that is not listed was removed since.
        String why = whyUnrestorable(loaded.all());
        synchronized (this) {
            loaded.addAll(told);
            told.clear();
            index = loaded;
            unrestorable = why;
            for (int level : levels) {
                if (behindSince[level] == null && coveredBy(level) < maxTxid()) {
                    behindSince[level] = now;
                }
            }
        }
        retentionAt = Instant.MIN;
    }

    private void compactOrSnapshot(int level, List<LtxFileRef> written) throws IOException {
        List<LtxFileRef> inputs = level == LtxFileRef.SNAPSHOT_LEVEL ? snapshotInputs() : compactionInputs(level);
        while (!inputs.isEmpty()) {
            List<LtxFileRef> run = inputs;
            LtxFileRef out;
            try {
                out = compactor.compact(run, level);
            } catch (PageSizeChangeException e) {
                if (level == LtxFileRef.SNAPSHOT_LEVEL) {
                    throw e; // the plan starts at the newest snapshot, which a new chain writes first
                }
                // A new restore chain starts at input e.index(): compact the old chain's files and the new chain's
                // separately, so no file mixes page sizes (upstream's restore refuses such a mix).
                run = inputs.subList(0, e.index());
                out = compactor.compact(run, level);
            } catch (StaleTokenException e) {
                // Never merge across a stale owner's file: only what precedes it, and nothing after it until the
                // owner's next upload of that TXID has replaced it.
                reportStale(inputs.get(e.index()), e);
                if (e.index() == 0 || level == LtxFileRef.SNAPSHOT_LEVEL) {
                    return;
                }
                run = inputs.subList(0, e.index());
                out = compactor.compact(run, level);
                inputs = run;
            }
            synchronized (this) {
                index.add(out);
            }
            if (level == 1) {
                run.forEach(f -> recent.drop(this, f));
            }
            written.add(out);
            retentionAt = Instant.MIN;
            inputs = inputs.subList(run.size(), inputs.size());
        }
    }

    /** Logs and counts a stale owner's file among compaction inputs, once per file. */
    private void reportStale(LtxFileRef stale, StaleTokenException e) {
        synchronized (this) {
            if (stale.equals(lastStale)) {
                return;
            }
            lastStale = stale;
        }
        StaleFiles.count(StaleFiles.Where.COMPACTION);
        LOG.log(System.Logger.Level.WARNING, "{0}: not compacted past {1}: {2}", target.url(), stale,
                e.getMessage());
    }

    /** Upstream's choice: the source level's files after the destination's last TXID, up to the first gap. */
    private synchronized List<LtxFileRef> compactionInputs(int level) {
        long done = index.maxTxid(level);
        long cur = done;
        List<LtxFileRef> run = new ArrayList<>();
        for (LtxFileRef f : index.level(level - 1)) {
            if (f.minTxid() <= done || f.maxTxid() <= cur) {
                continue;
            }
            if (!run.isEmpty() && f.minTxid() > cur + 1) {
                break;
            }
            run.add(f);
            cur = f.maxTxid();
        }
        return run;
    }

    /** The restore plan of the latest state (up to a gap, if the replica has one), unless L9 already has it. */
    private synchronized List<LtxFileRef> snapshotInputs() {
        List<LtxFileRef> all = index.all();
        long snapshotted = index.maxTxid(LtxFileRef.SNAPSHOT_LEVEL);
        Optional<RestorePlan> plan;
        try {
            plan = RestorePlanner.plan(all, RestoreTarget.latest());
        } catch (RestoreGapException e) {
            plan = RestorePlanner.plan(all, new RestoreTarget.AtTxid(e.reached()));
        }
        if (plan.isEmpty() || plan.get().txid() <= snapshotted || plan.get().files().get(0).minTxid() != 1) {
            return List.of();
        }
        return plan.get().files();
    }

    private synchronized void settle(int level, Instant now) {
        retryAt[level] = null;
        behindSince[level] = coveredBy(level) >= maxTxid() ? null : now;
    }

    private void enforceRetention(Instant now, List<LtxFileRef> deleted) throws IOException {
        Retention plan;
        synchronized (this) {
            if (index == null || now.isBefore(retentionAt)) {
                return;
            }
            plan = Retention.plan(index, settings, now);
        }
        List<LtxFileRef> files = plan.deletions();
        for (int from = 0; from < files.size(); from += DELETE_BATCH) {
            List<LtxFileRef> batch = files.subList(from, Math.min(files.size(), from + DELETE_BATCH));
            target.delete(batch.stream().map(f -> target.key(f.level(), f.minTxid(), f.maxTxid())).toList());
            synchronized (this) {
                batch.forEach(index::remove);
            }
            deleted.addAll(batch);
        }
        retentionAt = checkBoundary(plan.nextCheck());
    }

    /** The first L0-retention check boundary at or after {@code t}: expired files are deleted in batches. */
    private Instant checkBoundary(Instant t) {
        if (t.equals(Instant.MAX)) {
            return t;
        }
        Instant previous = schedule.previous(t, settings.l0RetentionCheck());
        return previous.equals(t) ? t : schedule.next(t, settings.l0RetentionCheck());
    }

    private synchronized void fail(int step, Instant now) {
        // A failed request may have taken effect (a stored upload whose reply was lost, half a DELETE batch):
        // forget what we believe and list again when work is next due.
        index = null;
        told.clear();
        Instant retry = now.plus(settings.shortestInterval());
        if (step == RETENTION_STEP) {
            retentionRetry = true;
            retentionAt = retry;
        } else {
            retryAt[step] = retry;
        }
    }

    /**
     * Why the replica's latest state cannot be restored (no snapshot to start from, or a gap), when it holds files:
     * its files were removed behind our back. Only the database's own replicator can heal that, by starting a new
     * restore chain ({@link #takeUnrestorable}).
     */
    private static String whyUnrestorable(List<LtxFileRef> files) {
        if (files.isEmpty()) {
            return null;
        }
        try {
            return RestorePlanner.plan(files, RestoreTarget.latest()).isPresent() ? null
                    : "the replica holds no snapshot to restore from (files were removed?)";
        } catch (RestoreGapException e) {
            return "the replica has a gap: " + e.getMessage();
        }
    }

    /**
     * Why the replica was found unrestorable at the last listing, once (then cleared); empty when it was not. The
     * sync driver hands it to the replicator, which starts a new restore chain.
     */
    public synchronized Optional<String> takeUnrestorable() {
        String why = unrestorable;
        unrestorable = null;
        return Optional.ofNullable(why);
    }

    /** The highest TXID {@code level} holds; 0 while the index is not loaded (everything told is then "new"). */
    private long coveredBy(int level) {
        return index == null ? 0 : index.maxTxid(level);
    }
}
