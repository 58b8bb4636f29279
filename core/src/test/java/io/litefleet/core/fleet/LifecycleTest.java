package io.litefleet.core.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.discovery.FileFingerprint;
import io.litefleet.core.state.Catalog;
import io.litefleet.testkit.MutableClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every transition the fleet makes, from the table below (the documented lifecycle), is applied by
 * {@link Lifecycle}; every other one is refused loudly. The table is written out here on purpose, apart from
 * {@link RowState}'s own, so a change to either shows up as a failure.
 */
class LifecycleTest {
    private static final Map<RowState, Set<RowState>> LEGAL = Map.ofEntries(
            Map.entry(RowState.COLD, EnumSet.of(RowState.QUEUED, RowState.HOT, RowState.SETTLING, RowState.DELETED,
                    RowState.EXCLUDED, RowState.REFUSED, RowState.FAILED, RowState.FOREIGN)),
            Map.entry(RowState.QUEUED, EnumSet.of(RowState.PASS, RowState.HOT, RowState.DELETED, RowState.EXCLUDED,
                    RowState.REFUSED, RowState.FAILED, RowState.FOREIGN)),
            Map.entry(RowState.PASS, EnumSet.of(RowState.COLD, RowState.QUEUED, RowState.REFUSED, RowState.FAILED,
                    RowState.DELETED, RowState.EXCLUDED)),
            Map.entry(RowState.HOT, EnumSet.of(RowState.CLOSING)),
            Map.entry(RowState.CLOSING, EnumSet.of(RowState.COLD, RowState.QUEUED, RowState.DELETED,
                    RowState.EXCLUDED, RowState.FAILED)),
            Map.entry(RowState.SETTLING, EnumSet.of(RowState.COLD, RowState.DELETED, RowState.EXCLUDED)),
            Map.entry(RowState.DELETED, EnumSet.of(RowState.COLD)),
            Map.entry(RowState.EXCLUDED, EnumSet.of(RowState.COLD, RowState.DELETED)),
            Map.entry(RowState.REFUSED, EnumSet.of(RowState.COLD, RowState.DELETED, RowState.EXCLUDED)),
            Map.entry(RowState.FAILED, EnumSet.of(RowState.COLD, RowState.DELETED, RowState.EXCLUDED)),
            // Cluster mode: held by another instance, claimed again when released.
            Map.entry(RowState.FOREIGN, EnumSet.of(RowState.COLD, RowState.DELETED, RowState.EXCLUDED)));

    static Stream<Arguments> pairs() {
        return Stream.of(RowState.values()).flatMap(from -> Stream.of(RowState.values())
                .filter(to -> to != from).map(to -> Arguments.of(from, to)));
    }

    /** A table with one row in {@code state}, reached along legal transitions from COLD. */
    private static Lifecycle rowIn(RowState state, DbTable table) {
        table.add(Path.of("/data/t/a.db"), 0, new FileFingerprint(1, 1, 0, 0));
        Lifecycle l = new Lifecycle(table, new MutableClock(Instant.parse("2026-12-04T12:00:00Z")));
        for (RowState step : pathTo(state)) {
            l.move(0, step);
        }
        assertEquals(state, l.state(0));
        l.drainChanges();
        return l;
    }

    private static List<RowState> pathTo(RowState s) {
        return switch (s) {
            case COLD -> List.of();
            case QUEUED, HOT, SETTLING, DELETED, EXCLUDED, REFUSED, FAILED, FOREIGN -> List.of(s);
            case PASS -> List.of(RowState.QUEUED, RowState.PASS);
            case CLOSING -> List.of(RowState.HOT, RowState.CLOSING);
        };
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("pairs")
    void move_appliesEveryLegalTransition_andRefusesEveryOther(RowState from, RowState to) {
        DbTable table = new DbTable();
        Lifecycle l = rowIn(from, table);
        if (LEGAL.get(from).contains(to)) {
            l.move(0, to);
            assertEquals(to, table.state(0));
            assertEquals(1, table.count(to));
            assertEquals(0, table.count(from), "counts follow the state");
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> l.move(0, to));
            assertTrue(e.getMessage().contains("/data/t/a.db") && e.getMessage().contains(from + " -> " + to),
                    e.getMessage());
            assertEquals(from, table.state(0), "an illegal transition changes nothing");
        }
    }

    @Test
    void theTableHere_isTheEnumsTable() {
        for (RowState from : RowState.values()) {
            for (RowState to : RowState.values()) {
                if (from != to) {
                    assertEquals(LEGAL.get(from).contains(to), from.canMoveTo(to), from + " -> " + to);
                }
            }
        }
    }

    @Test
    void catalog_recordsOnlyStatesThatOutliveAStep_withPromotionsAndDemotions() {
        DbTable table = new DbTable();
        Lifecycle l = rowIn(RowState.COLD, table);
        l.move(0, RowState.QUEUED);
        l.move(0, RowState.PASS);
        l.move(0, RowState.COLD);
        assertEquals(List.of(), l.drainChanges(), "queued, in a pass: still cold for the catalog");
        l.move(0, RowState.HOT);
        l.move(0, RowState.CLOSING);
        l.move(0, RowState.COLD);
        List<Catalog.TierChange> changes = l.drainChanges();
        assertEquals(List.of("hot", "cold"), changes.stream().map(Catalog.TierChange::tier).toList());
        assertEquals(1, changes.get(0).promotions());
        assertEquals(1, changes.get(1).demotions());
        assertEquals(1, l.promotions());
        assertEquals(1, l.demotions());
    }

    @Test
    void stateBusyBitFlagsAndSuffix_shareOneByte_withoutDisturbingEachOther() {
        DbTable table = new DbTable();
        Lifecycle l = rowIn(RowState.COLD, table);
        for (RowState s : List.of(RowState.QUEUED, RowState.PASS)) {
            l.move(0, s);
        }
        l.hold(0);
        l.wantPromotion(0, true);
        assertEquals(RowState.PASS, table.state(0));
        assertTrue(l.busy(0) && l.wantsPromotion(0));
        assertEquals(Path.of("/data/t/a.db"), table.path(0), "the suffix code beside the state is intact");
        assertThrows(IllegalStateException.class, () -> l.hold(0), "one worker at a time");
        l.release(0);
        l.move(0, RowState.COLD);
        assertTrue(!l.busy(0) && l.wantsPromotion(0));
    }
}
