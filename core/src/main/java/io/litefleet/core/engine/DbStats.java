package io.litefleet.core.engine;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of syncs and checkpoints, for metrics: one per database listed under {@code dbs:} (shared by its replicas'
 * replicators), and one for the whole fleet. {@link LongAdder}s, cheap to bump from the sync threads and read while
 * they run. Thread-safe.
 */
public final class DbStats {
    /** The checkpoint modes Litefleet runs, as upstream's {@code mode} label spells them. */
    public enum Mode {
        /** {@code PRAGMA wal_checkpoint(PASSIVE)}. */
        PASSIVE,
        /** {@code PRAGMA wal_checkpoint(TRUNCATE)}. */
        TRUNCATE
    }

    /**
     * How a sync ran, the {@code tier} label of lag and errors: {@code hot} (streamed by the scheduler every sync
     * interval, databases under {@code dbs:} included) or {@code transient} (a fleet pass: open, sync, close).
     */
    public enum Tier {
        /** A scheduled sync of a streamed database. */
        HOT,
        /** A transient pass of a changed fleet database that is not hot. */
        TRANSIENT;

        /** The label value, lower case. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Where replicators nobody measures count: shared, never read, so they allocate nothing. */
    static final DbStats UNREAD = new DbStats();

    private final LongAdder syncs = new LongAdder();
    private final LongAdder syncErrors = new LongAdder();
    private final LongAdder syncNanos = new LongAdder();
    private final LongAdder ltxBytes = new LongAdder();
    private volatile long lastL0Deleted;
    private volatile java.time.Instant lastSuccess;
    private final LongAdder[] checkpoints = adders();
    private final LongAdder[] checkpointErrors = adders();
    private final LongAdder[] checkpointNanos = adders();
    private final DurationHistogram[] lag = {DurationHistogram.of(DurationHistogram.LAG_BOUNDS),
            DurationHistogram.of(DurationHistogram.LAG_BOUNDS)};
    private final LongAdder[] errors = new LongAdder[Tier.values().length * SyncErrorKind.values().length];
    private final LongAdder unshipped = new LongAdder();

    /** Zero counters. */
    public DbStats() {
        for (int i = 0; i < errors.length; i++) {
            errors[i] = new LongAdder();
        }
    }

    private static LongAdder[] adders() {
        LongAdder[] a = new LongAdder[Mode.values().length];
        for (int i = 0; i < a.length; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    /** A sync ended after {@code nanos}; {@code ltxBytes} uploaded, or failed. */
    public void synced(long nanos, long bytes, boolean failed) {
        syncs.increment();
        syncNanos.add(nanos);
        ltxBytes.add(bytes);
        if (failed) {
            syncErrors.increment();
        }
    }

    /** A sync succeeded at {@code at} (the scheduler's clock). */
    public void succeededAt(java.time.Instant at) {
        lastSuccess = at;
    }

    /** When a sync last succeeded, if one has. */
    public java.util.Optional<java.time.Instant> lastSuccess() {
        return java.util.Optional.ofNullable(lastSuccess);
    }

    /**
     * Commits seen in the WAL at a sync's start (or, for a pass, when the change was noticed) are in the replica
     * {@code lag} later: counted when a sync that shipped something completes.
     */
    public void lagged(Tier tier, java.time.Duration lag) {
        this.lag[tier.ordinal()].observe(lag);
    }

    /** The replication lag of {@code tier}'s syncs so far. */
    public DurationHistogram.Snapshot lag(Tier tier) {
        return lag[tier.ordinal()].snapshot();
    }

    /** A sync of {@code tier} failed for {@code error}. */
    public void failed(Tier tier, Throwable error) {
        errors[tier.ordinal() * SyncErrorKind.values().length + SyncErrorKind.of(error).ordinal()].increment();
    }

    /** Syncs of {@code tier} that failed with {@code kind} so far. */
    public long errors(Tier tier, SyncErrorKind kind) {
        return errors[tier.ordinal() * SyncErrorKind.values().length + kind.ordinal()].sum();
    }

    /** The WAL bytes a streamed database has not shipped changed by {@code delta} (the scheduler's bookkeeping). */
    public void unshippedChanged(long delta) {
        unshipped.add(delta);
    }

    /** WAL bytes of the streamed databases counted here that their replicas do not hold yet, at their last sync. */
    public long unshippedWalBytes() {
        return Math.max(0, unshipped.sum());
    }

    /** A checkpoint in {@code mode} ended after {@code nanos}, or failed. */
    public void checkpointed(Mode mode, long nanos, boolean failed) {
        checkpoints[mode.ordinal()].increment();
        checkpointNanos[mode.ordinal()].add(nanos);
        if (failed) {
            checkpointErrors[mode.ordinal()].increment();
        }
    }

    /** A maintenance run's retention deleted files, {@code n} of them at level 0. */
    public void l0Deleted(long n) {
        lastL0Deleted = n;
    }

    /** Syncs so far, failed ones included. */
    public long syncs() {
        return syncs.sum();
    }

    /** Syncs that failed. */
    public long syncErrors() {
        return syncErrors.sum();
    }

    /** Time spent syncing, in seconds. */
    public double syncSeconds() {
        return syncNanos.sum() / 1e9;
    }

    /** LTX bytes uploaded by syncs. */
    public long ltxBytes() {
        return ltxBytes.sum();
    }

    /** Level-0 files deleted by the last maintenance run that deleted files. */
    public long lastL0Deleted() {
        return lastL0Deleted;
    }

    /** Checkpoints in {@code mode}, failed ones included. */
    public long checkpoints(Mode mode) {
        return checkpoints[mode.ordinal()].sum();
    }

    /** Checkpoints in {@code mode} that failed. */
    public long checkpointErrors(Mode mode) {
        return checkpointErrors[mode.ordinal()].sum();
    }

    /** Time spent checkpointing in {@code mode}, in seconds. */
    public double checkpointSeconds(Mode mode) {
        return checkpointNanos[mode.ordinal()].sum() / 1e9;
    }
}
