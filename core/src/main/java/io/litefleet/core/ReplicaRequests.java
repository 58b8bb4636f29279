package io.litefleet.core;

import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaOperation;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * The requests one replica destination was sent since replication started, by operation and outcome, and the bytes
 * moved: what {@code litefleet replicate} logs per destination at stop ({@link #summary()}), and what metrics
 * expose. A request here is one call of the destination's client; what the client does on its own for a call (the
 * pages of a long listing, the parts of a multipart upload, its retries) is not counted separately, so a store may
 * count more HTTP requests than this. A value, immutable.
 *
 * @param destination where the requests went, as its client names it: {@code s3://bucket}, {@code file:///backups},
 *                    {@code abs://account@container}; never a secret or a database path
 * @param counts      requests by operation, then by outcome; every operation and outcome is present, zeros included
 * @param bytesUp     the sizes of the objects stored (puts that succeeded)
 * @param bytesDown   the bytes read from fetched objects
 */
public record ReplicaRequests(String destination, Map<ReplicaOperation, Map<Outcome, Long>> counts, long bytesUp,
                              long bytesDown) {

    /** How a request ended: {@link #OK}, or the kind of {@link ReplicaFailure} it failed with. */
    public enum Outcome {
        /** It succeeded. */
        OK,
        /** {@link ReplicaFailure#NOT_FOUND}; also a HEAD of an absent object. */
        NOT_FOUND,
        /** {@link ReplicaFailure#PRECONDITION_FAILED}. */
        PRECONDITION_FAILED,
        /** {@link ReplicaFailure#THROTTLED}. */
        THROTTLED,
        /** {@link ReplicaFailure#UNAVAILABLE}. */
        UNAVAILABLE,
        /** {@link ReplicaFailure#AUTH}. */
        AUTH,
        /** {@link ReplicaFailure#INVALID}. */
        INVALID,
        /** {@link ReplicaFailure#IO}, or any other failure. */
        IO,
        /** {@link ReplicaFailure#FENCED}: the backend stopped a write at its commit point, ownership being lost. */
        FENCED;

        /** The outcome of a request that failed with {@code failure}, or {@link #OK} for null. */
        public static Outcome of(ReplicaFailure failure) {
            return failure == null ? OK : valueOf(failure.name());
        }

        /** The kebab-case name, as logs and metric labels spell it: {@code ok}, {@code not-found}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /** Validates and copies; operations or outcomes left out count zero. */
    public ReplicaRequests {
        Objects.requireNonNull(destination, "destination");
        if (bytesUp < 0 || bytesDown < 0) {
            throw new IllegalArgumentException("byte counts must not be negative: " + bytesUp + ", " + bytesDown);
        }
        Map<ReplicaOperation, Map<Outcome, Long>> copy = new EnumMap<>(ReplicaOperation.class);
        for (ReplicaOperation op : ReplicaOperation.values()) {
            Map<Outcome, Long> given = counts.getOrDefault(op, Map.of());
            Map<Outcome, Long> byOutcome = new EnumMap<>(Outcome.class);
            for (Outcome o : Outcome.values()) {
                long n = given.getOrDefault(o, 0L);
                if (n < 0) {
                    throw new IllegalArgumentException("count of " + op.label() + " " + o.label() + " is negative: "
                            + n);
                }
                byOutcome.put(o, n);
            }
            copy.put(op, Collections.unmodifiableMap(byOutcome));
        }
        counts = Collections.unmodifiableMap(copy);
    }

    /** Requests of {@code operation}, whatever their outcome. */
    public long count(ReplicaOperation operation) {
        return counts.get(operation).values().stream().mapToLong(Long::longValue).sum();
    }

    /** Requests of {@code operation} that ended with {@code outcome}. */
    public long count(ReplicaOperation operation, Outcome outcome) {
        return counts.get(operation).get(outcome);
    }

    /** Every request, whatever its operation and outcome. */
    public long total() {
        long n = 0;
        for (ReplicaOperation op : ReplicaOperation.values()) {
            n += count(op);
        }
        return n;
    }

    /**
     * One line for logs: {@code requests to s3://bucket: put 1203 (ok 1203), get 0, list 12 (ok 12), delete 4
     * (ok 3, throttled 1), head 0; 18.2 MiB up, 0 B down}. An operation that was requested shows its outcomes.
     */
    public String summary() {
        StringJoiner ops = new StringJoiner(", ");
        for (ReplicaOperation op : ReplicaOperation.values()) {
            long n = count(op);
            StringJoiner outcomes = new StringJoiner(", ", " (", ")");
            counts.get(op).forEach((o, c) -> {
                if (c > 0) {
                    outcomes.add(o.label() + " " + c);
                }
            });
            ops.add(op.label() + " " + n + (n > 0 ? outcomes.toString() : ""));
        }
        return "requests to " + destination + ": " + ops + "; " + bytes(bytesUp) + " up, " + bytes(bytesDown)
                + " down";
    }

    /** {@code 0 B}, {@code 512 B}, {@code 1.5 KiB}, {@code 18.2 MiB}: binary units, one decimal above bytes. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
