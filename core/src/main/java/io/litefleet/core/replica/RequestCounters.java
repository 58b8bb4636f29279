package io.litefleet.core.replica;

import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaOperation;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * The requests sent to one replica destination, by {@link ReplicaOperation} and outcome (success or a
 * {@link ReplicaFailure} kind), and the bytes moved, as {@link LongAdder}s: cheap to bump from every upload thread,
 * read without stopping them. Every label comes from a closed set; the destination is its client's
 * {@link io.litefleet.api.replica.ReplicaClient#describe()} (a bucket or root, never a database path or a secret).
 * Thread-safe.
 */
public final class RequestCounters implements CountingClient.Recorder {
    private static final ReplicaOperation[] OPERATIONS = ReplicaOperation.values();
    private static final ReplicaFailure[] FAILURES = ReplicaFailure.values();
    /** Outcome 0 is success, outcome {@code 1 + f.ordinal()} the failure {@code f}. */
    private static final int OUTCOMES = FAILURES.length + 1;

    private final String destination;
    private final String type;
    private final LongAdder[] counts = new LongAdder[OPERATIONS.length * OUTCOMES];
    /** Upper bounds of the duration buckets, in seconds: upstream's. */
    private static final double[] BUCKETS = {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60};
    private final LongAdder[] durations = new LongAdder[OPERATIONS.length * (BUCKETS.length + 1)];
    private final LongAdder[] durationNanos = new LongAdder[OPERATIONS.length];
    private final LongAdder bytesUp = new LongAdder();
    private final LongAdder bytesDown = new LongAdder();

    /** Zero counters for {@code destination}, of an unnamed backend type. */
    public RequestCounters(String destination) {
        this(destination, "unknown");
    }

    /** Zero counters for {@code destination}, a replica of backend {@code type} ({@code s3}, {@code file}, ...). */
    public RequestCounters(String destination, String type) {
        this.destination = Objects.requireNonNull(destination, "destination");
        this.type = Objects.requireNonNull(type, "type");
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
        for (int i = 0; i < durations.length; i++) {
            durations[i] = new LongAdder();
        }
        for (int i = 0; i < durationNanos.length; i++) {
            durationNanos[i] = new LongAdder();
        }
    }

    /** The backend type of the destination ({@code s3}, {@code file}, ...), upstream's {@code replica_type}. */
    public String type() {
        return type;
    }

    /** The destination these counters are for. */
    public String destination() {
        return destination;
    }

    @Override
    public void request(ReplicaOperation operation, ReplicaFailure failure) {
        counts[index(operation, failure)].increment();
    }

    @Override
    public void duration(ReplicaOperation operation, long nanos) {
        double seconds = nanos / 1e9;
        int b = 0;
        while (b < BUCKETS.length && seconds > BUCKETS[b]) {
            b++;
        }
        durations[operation.ordinal() * (BUCKETS.length + 1) + b].increment();
        durationNanos[operation.ordinal()].add(nanos);
    }

    /** The upper bounds of the duration buckets, in seconds (the last bucket, +Inf, is implied). */
    public static double[] durationBuckets() {
        return BUCKETS.clone();
    }

    /**
     * Timed calls of {@code operation} per bucket, cumulative as Prometheus counts them: element {@code i} counts the
     * calls that took at most {@code durationBuckets()[i]} seconds; the last element counts them all.
     */
    public long[] durationCounts(ReplicaOperation operation) {
        long[] out = new long[BUCKETS.length + 1];
        long sum = 0;
        for (int b = 0; b <= BUCKETS.length; b++) {
            sum += durations[operation.ordinal() * (BUCKETS.length + 1) + b].sum();
            out[b] = sum;
        }
        return out;
    }

    /** The time the timed calls of {@code operation} took, in nanoseconds. */
    public long durationNanos(ReplicaOperation operation) {
        return durationNanos[operation.ordinal()].sum();
    }

    @Override
    public void bytesUp(long bytes) {
        bytesUp.add(bytes);
    }

    @Override
    public void bytesDown(long bytes) {
        bytesDown.add(bytes);
    }

    /** Adds what {@code other} has counted so far to these counters (for totals over several destinations). */
    public void add(RequestCounters other) {
        for (int i = 0; i < counts.length; i++) {
            counts[i].add(other.counts[i].sum());
        }
        for (int i = 0; i < durations.length; i++) {
            durations[i].add(other.durations[i].sum());
        }
        for (int i = 0; i < durationNanos.length; i++) {
            durationNanos[i].add(other.durationNanos[i].sum());
        }
        bytesUp.add(other.bytesUp());
        bytesDown.add(other.bytesDown());
    }

    /** Calls of {@code operation} that ended with {@code failure} (null: succeeded) so far. */
    public long count(ReplicaOperation operation, ReplicaFailure failure) {
        return counts[index(operation, failure)].sum();
    }

    /** Calls of {@code operation} so far, whatever their outcome. */
    public long count(ReplicaOperation operation) {
        long n = 0;
        for (int o = 0; o < OUTCOMES; o++) {
            n += counts[operation.ordinal() * OUTCOMES + o].sum();
        }
        return n;
    }

    /** Sizes of the objects stored so far. */
    public long bytesUp() {
        return bytesUp.sum();
    }

    /** Bytes read from fetched objects so far. */
    public long bytesDown() {
        return bytesDown.sum();
    }

    private static int index(ReplicaOperation operation, ReplicaFailure failure) {
        return operation.ordinal() * OUTCOMES + (failure == null ? 0 : 1 + failure.ordinal());
    }
}
