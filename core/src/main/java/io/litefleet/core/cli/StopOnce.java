package io.litefleet.core.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The daemon's stop, run once: the first caller (a signal handler, the shutdown hook) closes everything; every
 * later caller (a second signal, the hook after a signal) waits until that is done, so nothing the final syncs use
 * is closed under them and the process never exits before they end.
 */
final class StopOnce implements Runnable {
    private final Runnable closeAll;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch done = new CountDownLatch(1);

    StopOnce(Runnable closeAll) {
        this.closeAll = closeAll;
    }

    @Override
    public void run() {
        if (started.compareAndSet(false, true)) {
            try {
                closeAll.run();
            } finally {
                done.countDown();
            }
            return;
        }
        awaitDone();
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
