package io.litefleet.cluster.etcd;

import io.litefleet.api.cluster.Session;
import java.util.function.LongSupplier;

/**
 * One etcd lease as a {@link Session}. Valid until the send time of the last answered keep-alive plus the TTL it
 * returned minus the fence margin, on the coordinator's monotonic clock: the server renews the lease no earlier than
 * it receives the request, so this passes before the server can expire it (provided the clocks' rates differ by less
 * than the margin). Ended for good once etcd says the lease is gone. Thread-safe: the keep-alive thread writes, every
 * replica write reads (a volatile read and a clock read).
 */
final class EtcdSession implements Session {
    private final long id;
    private final long marginNanos;
    private final LongSupplier clock;
    private volatile long validUntil;
    private volatile boolean ended;
    private volatile long endedAt;

    /**
     * A lease granted with {@code ttlSeconds} by a request sent at {@code sentNanos}.
     */
    EtcdSession(long id, long sentNanos, long ttlSeconds, long marginNanos, LongSupplier clock) {
        this.id = id;
        this.marginNanos = marginNanos;
        this.clock = clock;
        this.validUntil = until(sentNanos, ttlSeconds);
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public long validUntilNanos() {
        return validUntil;
    }

    @Override
    public boolean valid() {
        return !ended && clock.getAsLong() - validUntil < 0;
    }

    /** A keep-alive sent at {@code sentNanos} was answered with {@code ttlSeconds} left; never moves backwards. */
    void renewed(long sentNanos, long ttlSeconds) {
        long until = until(sentNanos, ttlSeconds);
        if (until - validUntil > 0) {
            validUntil = until;
        }
    }

    /** etcd said the lease is gone (revoked or expired): invalid for good. */
    void end() {
        endedAt = clock.getAsLong();
        ended = true;
    }

    /** When it stopped being valid, on the clock: when its validity passed, or when it ended if that was earlier. */
    long invalidSinceNanos() {
        long until = validUntil;
        return ended && endedAt - until < 0 ? endedAt : until;
    }

    @Override
    public long remainingNanos() {
        return ended ? 0 : Math.max(0, validUntil - clock.getAsLong());
    }

    /** Whether {@link #end()} was called. */
    boolean ended() {
        return ended;
    }

    private long until(long sentNanos, long ttlSeconds) {
        return sentNanos + ttlSeconds * 1_000_000_000L - marginNanos;
    }

    @Override
    public String toString() {
        return "etcd lease " + Long.toHexString(id) + (ended ? " (ended)" : "");
    }
}
