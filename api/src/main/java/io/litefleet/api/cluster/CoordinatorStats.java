package io.litefleet.api.cluster;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link Coordinator} has done so far, for metrics and health: requests to the coordination service by
 * operation and outcome (closed sets), and how old the session's last answered keep-alive is. A value, taken at one
 * moment; cheap to take (counters and one clock read).
 *
 * @param ok            requests answered, indexed by {@link Operation#ordinal()}
 * @param error         requests that failed (unreachable, refused, timed out), indexed the same way
 * @param keepAliveAge  time since the last answered keep-alive (or session grant) was sent, on the coordinator's
 *                      clock; empty when none was ever answered or the session never needs one
 * @param fencedFor     while the session is not {@link Session#valid() valid}: for how long it has not been (since
 *                      its validity passed, or since the service declared it gone); empty while it is valid
 */
public record CoordinatorStats(long[] ok, long[] error, Optional<Duration> keepAliveAge,
                               Optional<Duration> fencedFor) {
    /** The statistics of a coordinator that sends no request (single node). */
    public static final CoordinatorStats NONE = new CoordinatorStats(new long[Operation.values().length],
            new long[Operation.values().length], Optional.empty(), Optional.empty());

    /** A request kind, as the metrics label it. */
    public enum Operation {
        /** A new session (for etcd: lease grant). */
        GRANT,
        /** Keeping the session alive (for etcd: lease keep-alive). */
        KEEPALIVE,
        /** Claiming locations (for etcd: a create-if-absent transaction). */
        CLAIM,
        /** Releasing a location, or every location at once when the session ends (for etcd: revoke). */
        RELEASE,
        /** Opening the stream of released locations (for etcd: a watch). */
        WATCH,
        /** Reading owners (for etcd: a range). */
        RANGE;

        /** The metric label: the name in lower case. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Validates and copies. */
    public CoordinatorStats {
        int n = Operation.values().length;
        if (ok.length != n || error.length != n) {
            throw new IllegalArgumentException("one count per operation expected: " + n);
        }
        ok = ok.clone();
        error = error.clone();
        Objects.requireNonNull(keepAliveAge, "keepAliveAge");
        Objects.requireNonNull(fencedFor, "fencedFor");
    }

    /** Whether the session was not valid when these were taken. */
    public boolean fenced() {
        return fencedFor.isPresent();
    }

    /** Requests of {@code op} answered. */
    public long ok(Operation op) {
        return ok[op.ordinal()];
    }

    /** Requests of {@code op} that failed. */
    public long error(Operation op) {
        return error[op.ordinal()];
    }

    /** A copy of the counts (the record's arrays are copied in and out). */
    @Override
    public long[] ok() {
        return ok.clone();
    }

    /** A copy of the counts. */
    @Override
    public long[] error() {
        return error.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CoordinatorStats s && Arrays.equals(ok, s.ok) && Arrays.equals(error, s.error)
                && keepAliveAge.equals(s.keepAliveAge) && fencedFor.equals(s.fencedFor);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(ok), Arrays.hashCode(error), keepAliveAge, fencedFor);
    }

    @Override
    public String toString() {
        return "CoordinatorStats[ok=" + Arrays.toString(ok) + ", error=" + Arrays.toString(error) + ", keepAliveAge="
                + keepAliveAge + ", fencedFor=" + fencedFor + "]";
    }
}
