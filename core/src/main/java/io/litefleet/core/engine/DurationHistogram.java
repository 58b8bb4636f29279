package io.litefleet.core.engine;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * Durations counted into fixed buckets, Prometheus' way: a duration of exactly a bucket's upper bound counts in that
 * bucket ({@code le}, less or equal), anything above the last bound in the implied {@code +Inf} bucket. One
 * {@link LongAdder} per bucket plus the sum: cheap to observe from any thread, read without stopping the observers,
 * and the same size whatever is observed. Thread-safe.
 */
public final class DurationHistogram {
    /** Replication lag, in seconds: from a sync that streams every second up to a pass that waited an hour. */
    public static final double[] LAG_BOUNDS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600};
    /** Full discovery scans, in seconds: a few directories up to 100,000 databases on a slow disk. */
    public static final double[] SCAN_BOUNDS = {0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300};

    private final double[] bounds;
    private final LongAdder[] counts;
    private final LongAdder sumNanos = new LongAdder();

    private DurationHistogram(double[] bounds) {
        this.bounds = bounds;
        this.counts = new LongAdder[bounds.length + 1];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    /**
     * An empty histogram with these upper bounds, in seconds.
     *
     * @throws IllegalArgumentException when the bounds are empty, not finite and positive, or not increasing
     */
    public static DurationHistogram of(double... bounds) {
        if (bounds.length == 0) {
            throw new IllegalArgumentException("a histogram needs at least one bucket bound");
        }
        for (int i = 0; i < bounds.length; i++) {
            if (!(bounds[i] > 0) || Double.isInfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
                throw new IllegalArgumentException("bucket bounds must be finite, positive and increasing: "
                        + Arrays.toString(bounds));
            }
        }
        return new DurationHistogram(bounds.clone());
    }

    /** Counts {@code d}; a negative duration (a clock stepped back) counts as zero. */
    public void observe(Duration d) {
        observeNanos(d.isNegative() ? 0 : saturatedNanos(d));
    }

    /** Counts a duration of {@code nanos} nanoseconds (negative counts as zero). */
    public void observeNanos(long nanos) {
        long n = Math.max(0, nanos);
        counts[bucket(n / 1e9)].increment();
        sumNanos.add(n);
    }

    /** The bucket {@code seconds} falls in: the first whose bound is at least it, else the {@code +Inf} one. */
    int bucket(double seconds) {
        int i = Arrays.binarySearch(bounds, seconds);
        return i >= 0 ? i : -i - 1;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** What was counted so far. */
    public Snapshot snapshot() {
        long[] c = new long[counts.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = counts[i].sum();
        }
        return new Snapshot(bounds.clone(), c, sumNanos.sum() / 1e9);
    }

    /**
     * A reading of a histogram.
     *
     * @param bounds     the upper bounds in seconds, without the implied {@code +Inf}
     * @param counts     per bucket, not cumulative: {@code bounds.length + 1} elements, the last one the {@code +Inf}
     *                   bucket
     * @param sumSeconds the sum of every duration counted
     */
    public record Snapshot(double[] bounds, long[] counts, double sumSeconds) {
        /** Validates the sizes. */
        public Snapshot {
            if (counts.length != bounds.length + 1) {
                throw new IllegalArgumentException("counts need one more element than bounds (+Inf)");
            }
        }

        /** Durations counted. */
        public long count() {
            return Arrays.stream(counts).sum();
        }

        /** This reading and {@code o}'s added up (same bounds). */
        public Snapshot plus(Snapshot o) {
            if (!Arrays.equals(bounds, o.bounds)) {
                throw new IllegalArgumentException("different bucket bounds");
            }
            long[] c = counts.clone();
            for (int i = 0; i < c.length; i++) {
                c[i] += o.counts[i];
            }
            return new Snapshot(bounds, c, sumSeconds + o.sumSeconds);
        }
    }
}
