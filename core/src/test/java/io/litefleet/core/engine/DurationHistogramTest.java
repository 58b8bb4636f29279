package io.litefleet.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Bucketing of the lag and scan histograms: Prometheus' {@code le} rule, the {@code +Inf} bucket, sums, bad bounds. */
class DurationHistogramTest {
    @Test
    void observe_countsAtMostEachBound_inThatBucket_andAboveTheLastInInf() {
        DurationHistogram h = DurationHistogram.of(0.1, 1, 10);
        h.observe(Duration.ofMillis(100)); // exactly a bound: that bucket (le)
        h.observe(Duration.ofMillis(101)); // just above: the next
        h.observe(Duration.ofSeconds(1));
        h.observe(Duration.ofSeconds(10));
        h.observe(Duration.ofSeconds(11)); // past the last bound: +Inf
        h.observe(Duration.ofHours(2));
        h.observe(Duration.ZERO);
        DurationHistogram.Snapshot s = h.snapshot();
        assertArrayEquals(new long[] {2, 2, 1, 2}, s.counts());
        assertEquals(7, s.count());
        assertEquals(0.1 + 0.101 + 1 + 10 + 11 + 7200, s.sumSeconds(), 1e-9);
    }

    @Test
    void negativeDuration_aClockSteppedBack_countsAsZero() {
        DurationHistogram h = DurationHistogram.of(DurationHistogram.LAG_BOUNDS);
        h.observe(Duration.ofSeconds(-5));
        DurationHistogram.Snapshot s = h.snapshot();
        assertEquals(1, s.counts()[0]);
        assertEquals(0, s.sumSeconds());
    }

    @Test
    void lagBuckets_placeTypicalLagsWhereAnOperatorExpects() {
        DurationHistogram h = DurationHistogram.of(DurationHistogram.LAG_BOUNDS);
        double[] le = DurationHistogram.LAG_BOUNDS;
        assertEquals(0.5, le[h.bucket(0.3)], "a hot sync with a 300 ms upload");
        assertEquals(1, le[h.bucket(1.0)], "one sync interval");
        assertEquals(2.5, le[h.bucket(1.0001)], "just over one sync interval");
        assertEquals(300, le[h.bucket(120)], "a pass that waited two minutes");
        assertEquals(le.length, h.bucket(3601), "over an hour: +Inf");
    }

    @Test
    void snapshots_addUp_onlyWithTheSameBounds() {
        DurationHistogram a = DurationHistogram.of(1, 2);
        DurationHistogram b = DurationHistogram.of(1, 2);
        a.observeNanos(500_000_000);
        b.observeNanos(1_500_000_000);
        b.observeNanos(5_000_000_000L);
        DurationHistogram.Snapshot sum = a.snapshot().plus(b.snapshot());
        assertArrayEquals(new long[] {1, 1, 1}, sum.counts());
        assertEquals(7, sum.sumSeconds(), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> a.snapshot().plus(DurationHistogram.of(1, 3).snapshot()));
    }

    @Test
    void badBounds_areRefusedNamingThem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DurationHistogram.of(1, 1)).getMessage()
                .contains("[1.0, 1.0]"));
        assertThrows(IllegalArgumentException.class, () -> DurationHistogram.of(0, 1));
        assertThrows(IllegalArgumentException.class, () -> DurationHistogram.of(1, Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> DurationHistogram.of());
    }
}
