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
