package io.litefleet.core.compact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CompactionSettingsTest {
    private static final CompactionLevel L0 = CompactionLevel.of(0, Duration.ZERO);

    @Test
    void defaults_areUpstreams() {
        CompactionSettings s = CompactionSettings.defaults();
        assertEquals(3, s.maxLevel());
        assertEquals(Duration.ofSeconds(30), s.interval(1));
        assertEquals(Duration.ofMinutes(5), s.interval(2));
        assertEquals(Duration.ofHours(1), s.interval(3));
        assertEquals(Duration.ofHours(24), s.interval(9));
        assertEquals(Duration.ofHours(24), s.snapshotRetention());
        assertEquals(Duration.ofMinutes(5), s.l0Retention());
        assertEquals(Duration.ofSeconds(30), s.shortestInterval());
    }

    @Test
    void levels_outOfOrderOrWithBadIntervals_areRejectedLikeUpstream() {
        Duration day = Duration.ofDays(1);
        assertThrows(IllegalArgumentException.class, () -> new CompactionSettings(List.of(), day, day, day));
        assertThrows(IllegalArgumentException.class, () -> new CompactionSettings(
                List.of(L0, CompactionLevel.of(2, Duration.ofMinutes(1))), day, day, day));
        assertThrows(IllegalArgumentException.class, () -> CompactionLevel.of(0, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> CompactionLevel.of(1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> CompactionLevel.of(9, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new CompactionSettings(List.of(L0), Duration.ZERO, day,
                day));
        assertEquals(0, new CompactionSettings(List.of(L0), day, day, Duration.ZERO).maxLevel());
    }

    @Test
    void schedule_withPhaseZero_usesUpstreamsTruncatedBoundaries() {
        Schedule s = new Schedule(0, Duration.ofSeconds(30));
        Instant t = Instant.parse("2025-01-01T10:17:44.500Z");
        assertEquals(Instant.parse("2025-01-01T10:17:30Z"), s.previous(t, Duration.ofSeconds(30)));
        assertEquals(Instant.parse("2025-01-01T10:15:00Z"), s.previous(t, Duration.ofMinutes(5)));
        assertEquals(Instant.parse("2025-01-01T10:00:00Z"), s.previous(t, Duration.ofHours(1)));
        assertEquals(Instant.parse("2025-01-01T00:00:00Z"), s.previous(t, Duration.ofDays(1)));
        assertEquals(Instant.parse("2025-01-01T10:18:00Z"), s.next(t, Duration.ofSeconds(30)));
    }

    @Test
    void schedule_phasesOfManyDatabases_spreadBoundariesAndKeepThemOnL1Boundaries() {
        Duration base = Duration.ofSeconds(30);
        Instant t = Instant.parse("2025-01-01T00:00:00Z");
        Set<Instant> l1 = new HashSet<>();
        Set<Instant> snapshots = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            Schedule s = new Schedule(Schedule.phaseOf("tenants/" + i + "/app.db"), base);
            Instant b1 = s.previous(t, base);
            l1.add(b1);
            for (Duration d : List.of(Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofDays(1))) {
                Instant b = s.previous(t, d);
                assertTrue(!b.isAfter(t) && b.plus(d).isAfter(t));
                assertEquals(0, Duration.between(b1, b).toMillis() % base.toMillis(), "on an L1 boundary");
            }
            snapshots.add(s.previous(t, Duration.ofDays(1)));
        }
        assertTrue(l1.size() > 500, "L1 boundaries spread over 30 s: " + l1.size());
        assertTrue(snapshots.size() > 500, "snapshot boundaries spread over the day: " + snapshots.size());
    }
}
