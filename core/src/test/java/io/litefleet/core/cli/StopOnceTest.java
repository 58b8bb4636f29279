package io.litefleet.core.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StopOnceTest {
    @Test
    void secondStop_waitsForTheFirstToFinish_andClosesNothingTwice() throws Exception {
        CountDownLatch inFinalSync = new CountDownLatch(1);
        CountDownLatch finishSync = new CountDownLatch(1);
        AtomicInteger closes = new AtomicInteger();
        StopOnce stop = new StopOnce(() -> {
            closes.incrementAndGet();
            inFinalSync.countDown();
            try {
                finishSync.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread first = new Thread(stop, "SIGTERM handler");
        first.start();
        assertTrue(inFinalSync.await(10, TimeUnit.SECONDS), "the first stop is in its final syncs");
        Thread second = new Thread(stop, "SIGINT handler");
        second.start();
        // While the first stop runs, neither the second caller nor the main loop may go on.
        second.join(300);
        assertTrue(second.isAlive(), "a second signal waits for the first stop");
        assertFalse(stop.await(0, TimeUnit.MILLISECONDS), "the main loop is not released early");
        finishSync.countDown();
        first.join(10_000);
        second.join(10_000);
        assertFalse(second.isAlive());
        assertTrue(stop.await(0, TimeUnit.MILLISECONDS));
        stop.run(); // the shutdown hook after the signal: returns at once
        assertEquals(1, closes.get(), "closed exactly once");
    }

    @Test
    void stopBeforeArming_returnsAtOnce_armRefuses_andLaterCallersWaitForTheStartToEnd() throws Exception {
        StopOnce stop = new StopOnce();
        stop.run(); // SIGTERM while starting: must not block the signal thread
        assertTrue(stop.isRequested());
        AtomicInteger closes = new AtomicInteger();
        assertFalse(stop.arm(closes::incrementAndGet), "the start closes what it built itself");
        Thread hook = new Thread(stop, "shutdown hook");
        hook.start();
        hook.join(300);
        assertTrue(hook.isAlive(), "a later caller waits until the start has closed everything");
        stop.finished();
        hook.join(10_000);
        assertFalse(hook.isAlive());
        assertEquals(0, closes.get(), "the refused action never runs");
    }
}
