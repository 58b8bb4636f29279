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
    private final LongAdder[] counts = new LongAdder[OPERATIONS.length * OUTCOMES];
    private final LongAdder bytesUp = new LongAdder();
    private final LongAdder bytesDown = new LongAdder();

    /** Zero counters for {@code destination}. */
    public RequestCounters(String destination) {
        this.destination = Objects.requireNonNull(destination, "destination");
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
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
    public void bytesUp(long bytes) {
        bytesUp.add(bytes);
    }

    @Override
    public void bytesDown(long bytes) {
        bytesDown.add(bytes);
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
