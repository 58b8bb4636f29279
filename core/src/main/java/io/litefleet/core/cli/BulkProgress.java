package io.litefleet.core.cli;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Progress of a bulk restore: on a terminal one bar redrawn in place at most every {@value #REDRAW_MS} ms, otherwise
 * a plain line per database (for logs and pipes). Thread-safe.
 */
final class BulkProgress {
    static final int REDRAW_MS = 200;
    private static final int WIDTH = 30;
    private final PrintWriter out;
    private final boolean bar;
    private final Clock clock;
    private int total;
    private int done;
    private int failed;
    /** When the bar was last drawn; null before the first time. */
    private Instant lastDraw;

    private BulkProgress(PrintWriter out, boolean bar, Clock clock) {
        this.out = out;
        this.bar = bar;
        this.clock = clock;
    }

    /** A bar when {@code terminal}, lines otherwise. */
    static BulkProgress of(PrintWriter out, boolean terminal, Clock clock) {
        return new BulkProgress(out, terminal, clock);
    }

    /** The run starts with {@code n} databases. */
    synchronized void start(int n, String what) {
        total = n;
        out.println(what);
        out.flush();
    }

    /** One database finished. */
    synchronized void finished(BulkOutcome o) {
        done++;
        if (o.status() == BulkOutcome.Status.FAILED) {
            failed++;
        }
        if (!bar) {
            out.printf("[%d/%d] %s%n", done, total, o.line());
            out.flush();
            return;
        }
        if (o.status() == BulkOutcome.Status.FAILED) {
            out.print("\r\033[K");
            out.println(o.line());
        }
        Instant now = clock.instant();
        if (done == total || lastDraw == null || Duration.between(lastDraw, now).toMillis() >= REDRAW_MS
                || o.status() == BulkOutcome.Status.FAILED) {
            lastDraw = now;
            int filled = total == 0 ? WIDTH : (int) ((long) done * WIDTH / total);
            out.printf("\r[%s%s] %d/%d%s", "#".repeat(filled), ".".repeat(WIDTH - filled), done, total,
                    failed > 0 ? ", " + failed + " failed" : "");
            out.flush();
        }
    }

    /** Ends the bar's line. */
    synchronized void end() {
        if (bar && total > 0) {
            out.println();
        }
        out.flush();
    }
}
