package io.litefleet.core.compact;

import java.time.Duration;
import java.time.Instant;

/**
 * Wall-clock compaction boundaries of one database, shifted by a per-database phase so a fleet does not compact
 * all at once.
 *
 * <p>Upstream compacts every database at {@code now.Truncate(interval)}: 100,000 databases would all start their
 * L1 compaction in the same second, and all their snapshots at midnight UTC. Here a database's boundaries for an
 * interval {@code I} lie at {@code offset(I) + k·I}, where, with {@code b} the shortest level interval and
 * {@code f} in [0, 1) the database's phase, {@code offset(I) = (⌊f·I/b⌋·b + f·b) mod I}. So L1 boundaries spread
 * the fleet over {@code b} (30 s by default), snapshots over the whole day (in {@code b}-wide slots), and, when
 * {@code I} is a multiple of {@code b} (the defaults), every boundary is also an L1 boundary: one run handles the
 * levels due together in ascending order. Phase 0 gives upstream's exact boundaries.
 *
 * @param phase the database's phase f, in [0, 1)
 * @param base  the shortest level interval b
 */
record Schedule(double phase, Duration base) {
    /** Validates. */
    Schedule {
        if (!(phase >= 0 && phase < 1)) {
            throw new IllegalArgumentException("phase must be in [0, 1): " + phase);
        }
        if (base.toMillis() <= 0) {
            throw new IllegalArgumentException("base interval must be at least 1 ms: " + base);
        }
    }

    /** A phase in [0, 1) derived from a database's replica path, stable across restarts and machines. */
    static double phaseOf(String path) {
        long h = path.hashCode() * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
        return (h >>> 11) * 0x1.0p-53;
    }

    /** The latest boundary of {@code interval} at or before {@code now}. */
    Instant previous(Instant now, Duration interval) {
        long i = interval.toMillis();
        if (i <= 0) {
            throw new IllegalArgumentException("interval must be at least 1 ms: " + interval);
        }
        long offset = offset(i);
        long t = now.toEpochMilli();
        return Instant.ofEpochMilli(Math.floorDiv(t - offset, i) * i + offset);
    }

    /** The first boundary of {@code interval} after {@code now}. */
    Instant next(Instant now, Duration interval) {
        return previous(now, interval).plus(interval);
    }

    private long offset(long interval) {
        long b = base.toMillis();
        long slots = (long) Math.floor(phase * interval / b);
        return Math.floorMod(slots * b + (long) Math.floor(phase * b), interval);
    }
}
