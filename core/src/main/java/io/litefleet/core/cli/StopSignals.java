package io.litefleet.core.cli;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as a request to stop: the daemon flushes, closes and exits 0 (like litestream), instead of the
 * JVM's default of running shutdown hooks and exiting 143, which service managers count as a failure.
 */
final class StopSignals {
    private StopSignals() {
    }

    /**
     * Routes SIGTERM and SIGINT to {@code stop}, run on the JVM's signal thread; returns false when the platform
     * does not allow it (the shutdown hook then still stops the daemon, with exit code 143).
     */
    static boolean install(Runnable stop) {
        try {
            for (String name : new String[] {"TERM", "INT"}) {
                Signal.handle(new Signal(name), s -> stop.run());
            }
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return false;
        }
    }
}
