package io.litefleet.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Polling with a deadline: the only way tests wait for something another thread or process does (never a bare
 * sleep). Polls every {@value #POLL_MILLIS} ms.
 */
public final class Await {
    private static final long POLL_MILLIS = 25;

    private Await() {
    }

    /**
     * Returns as soon as {@code condition} holds; fails the test with {@code what} if it does not within
     * {@code within}.
     */
    public static void until(Duration within, String what, BooleanSupplier condition) throws InterruptedException {
        until(within, () -> what, condition);
    }

    /** As {@link #until(Duration, String, BooleanSupplier)}, with a message computed on failure (a status, say). */
    public static void until(Duration within, Supplier<String> what, BooleanSupplier condition)
            throws InterruptedException {
        if (!holds(within, condition)) {
            throw new AssertionError(what.get() + ": did not happen within " + within);
        }
    }

    /** Whether {@code condition} held within {@code within} (for tests that assert something never happens). */
    public static boolean holds(Duration within, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                return false;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return true;
    }
}
