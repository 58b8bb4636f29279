package io.litefleet.core.replica;

import io.litefleet.api.replica.ReplicaException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Objects;

/**
 * How often, and with what pauses, a replica request is retried. Only {@link ReplicaException}s whose
 * {@link io.litefleet.api.replica.ReplicaFailure} is retryable (throttled, unavailable, I/O) are retried; every other
 * exception, and the last retryable one, propagates unchanged. The pause doubles from {@code firstBackoff} up to
 * {@code maxBackoff}.
 *
 * @param attempts     how many times a request is tried in all, at least 1
 * @param firstBackoff the pause before the first retry
 * @param maxBackoff   the longest pause
 * @param sleeper      how to pause; {@link Sleeper#THREAD} in production, a recording one in tests
 */
public record RetryPolicy(int attempts, Duration firstBackoff, Duration maxBackoff, Sleeper sleeper) {

    /** Four attempts, 200 ms then 400 ms then 800 ms apart. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(4, Duration.ofMillis(200), Duration.ofSeconds(5),
            Sleeper.THREAD);

    /** Validates. */
    public RetryPolicy {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1: " + attempts);
        }
        Objects.requireNonNull(firstBackoff, "firstBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(sleeper, "sleeper");
        if (firstBackoff.isNegative() || maxBackoff.compareTo(firstBackoff) < 0) {
            throw new IllegalArgumentException("backoff must satisfy 0 <= first <= max: " + firstBackoff + ", "
                    + maxBackoff);
        }
    }

    /** A request to the replica. */
    @FunctionalInterface
    public interface Request<T> {
        /** Performs the request once. */
        T call() throws java.io.IOException;
    }

    /** Pauses the calling thread. */
    @FunctionalInterface
    public interface Sleeper {
        /** Sleeps with {@link Thread#sleep(Duration)}. */
        Sleeper THREAD = Thread::sleep;

        /** Pauses for {@code d}. */
        void sleep(Duration d) throws InterruptedException;
    }

    /**
     * Runs {@code request}, retrying retryable replica failures.
     *
     * @throws InterruptedIOException when interrupted during a pause (the interrupt flag is set again)
     */
    public <T> T call(Request<T> request) throws java.io.IOException {
        Duration pause = firstBackoff;
        for (int attempt = 1;; attempt++) {
            try {
                return request.call();
            } catch (ReplicaException e) {
                if (!e.isRetryable() || attempt >= attempts) {
                    throw e;
                }
            }
            try {
                sleeper.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting to retry");
            }
            pause = pause.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : pause.multipliedBy(2);
        }
    }
}
