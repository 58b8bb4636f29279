package io.litefleet.core.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * How hard a stop tries to ship what is committed (upstream's {@code shutdown-sync-timeout} and
 * {@code shutdown-sync-interval}): each database's final sync is retried every {@code interval} until it succeeds or
 * {@code timeout} has passed since the stop began (one deadline for all databases, so a dead store delays a stop by
 * at most {@code timeout}); a zero timeout makes one attempt.
 *
 * @param timeout  how long the final syncs may keep retrying, zero for one attempt
 * @param interval the wait between two attempts of one database, positive
 */
public record ShutdownSync(Duration timeout, Duration interval) {
    /** Upstream's defaults: 30 s, every 500 ms. */
    public static final ShutdownSync DEFAULTS = new ShutdownSync(Duration.ofSeconds(30), Duration.ofMillis(500));
    /** One attempt, no retry. */
    public static final ShutdownSync ONCE = new ShutdownSync(Duration.ZERO, Duration.ofMillis(500));

    /** Validates. */
    public ShutdownSync {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(interval, "interval");
        if (timeout.isNegative() || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("timeout must be >= 0 and interval > 0: " + timeout + ", " + interval);
        }
    }
}
