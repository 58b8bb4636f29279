package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.MutableClock;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Progress of a bulk restore: a line per database off a terminal, a throttled bar on one. */
class BulkProgressTest {
    private static BulkOutcome ok(String db) {
        return new BulkOutcome(Path.of(db), BulkOutcome.Status.RESTORED, 0x2a, "");
    }

    @Test
    void lines_onePerDatabase_withCount() {
        StringWriter w = new StringWriter();
        BulkProgress p = BulkProgress.of(new PrintWriter(w), false, new MutableClock(Instant.EPOCH));
        p.start(2, "restoring 2 databases");
        p.finished(ok("/a.db"));
        p.finished(new BulkOutcome(Path.of("/b.db"), BulkOutcome.Status.FAILED, 0, "no backup files in file:///r/b"));
        p.end();
        assertEquals("restoring 2 databases\n[1/2] restored /a.db TXID 000000000000002a \n"
                + "[2/2] failed /b.db (no backup files in file:///r/b)\n", w.toString());
    }

    @Test
    void bar_redrawsAtMostEvery200ms_butAlwaysAtTheEndAndOnFailure() {
        StringWriter w = new StringWriter();
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        BulkProgress p = BulkProgress.of(new PrintWriter(w), true, clock);
        p.start(4, "restoring 4 databases");
        p.finished(ok("/a.db")); // drawn: the first
        clock.advance(Duration.ofMillis(50));
        p.finished(ok("/b.db")); // not drawn: 50 ms later
        clock.advance(Duration.ofMillis(50));
        p.finished(new BulkOutcome(Path.of("/c.db"), BulkOutcome.Status.FAILED, 0, "bad")); // drawn, said above
        p.finished(ok("/d.db")); // drawn: the last
        p.end();
        String out = w.toString();
        assertEquals(3, out.split("\r\\[", -1).length - 1, out);
        assertTrue(out.contains("] 1/4") && !out.contains("] 2/4") && out.contains("] 3/4, 1 failed")
                && out.contains("] 4/4, 1 failed"), out);
        assertTrue(out.contains("\r\033[Kfailed /c.db (bad)\n"), out);
    }
}
