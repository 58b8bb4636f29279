package io.litefleet.core.cli;

import java.util.concurrent.CountDownLatch;

/**
 * The daemon's stop, run once: the first caller (a signal handler, the shutdown hook) closes everything; every
 * later caller (a second signal, the hook after a signal) waits until that is done, so nothing the final syncs use
 * is closed under them and the process never exits before they end.
 *
 * <p>A stop may be requested before there is anything to close: the daemon installs its signal handlers first and
 * {@linkplain #arm arms} the stop only once it has started. A stop requested before that returns at once; the start
 * sees it ({@link #isRequested()}, or {@link #arm} returning false), closes what it built, and calls
 * {@link #finished()}. Thread-safe.
 */
final class StopOnce implements Runnable {
    private final CountDownLatch done = new CountDownLatch(1);
    private Runnable closeAll; // guarded by this
    private boolean requested; // guarded by this

    /** A stop with nothing to close yet. */
    StopOnce() {
    }

    /** A stop armed with {@code closeAll}. */
    StopOnce(Runnable closeAll) {
        this.closeAll = closeAll;
    }

    /**
     * What a stop closes, once the start has built it. Returns false, arming nothing, when a stop was requested
     * before: the caller then closes what it built itself.
     */
    synchronized boolean arm(Runnable closeAll) {
        if (requested) {
            return false;
        }
        this.closeAll = closeAll;
        return true;
    }

    /** Whether a stop was requested: the start checks it between its steps. */
    synchronized boolean isRequested() {
        return requested;
    }

    @Override
    public void run() {
        Runnable action;
        synchronized (this) {
            if (!requested) {
                requested = true;
                if (closeAll == null) {
                    return; // still starting: the start ends itself (see arm)
                }
                action = closeAll;
            } else {
                action = null;
            }
        }
        if (action == null) {
            awaitDone();
            return;
        }
        try {
            action.run();
        } finally {
            done.countDown();
        }
    }

    /** The daemon has closed everything (by a stop, or by ending its start); releases every waiting caller. */
    void finished() {
        done.countDown();
    }

    /** Blocks until a stop has completed. */
    void awaitDone() {
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits up to the timeout for a stop to complete; returns whether one has. */
    boolean await(long timeout, java.util.concurrent.TimeUnit unit) throws InterruptedException {
        return done.await(timeout, unit);
    }
}
