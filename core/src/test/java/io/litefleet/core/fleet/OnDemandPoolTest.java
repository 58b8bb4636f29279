package io.litefleet.core.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.testkit.Await;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The sync workers start a thread only when none is idle, never more than the maximum, and end idle ones. */
class OnDemandPoolTest {
    private static ThreadPoolExecutor pool(int max, Duration idle) {
        AtomicInteger n = new AtomicInteger();
        return OnDemandPool.create(max, idle, r -> {
            Thread t = new Thread(r, "test-pool-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
    }

    @Test
    void tasksOneAfterAnother_keepOneThread() throws Exception {
        ThreadPoolExecutor p = pool(8, Duration.ofMinutes(1));
        try {
            for (int i = 0; i < 50; i++) {
                CountDownLatch done = new CountDownLatch(1);
                p.execute(done::countDown);
                assertTrue(done.await(10, TimeUnit.SECONDS));
                // The next task comes once the finished thread waits for work again (a task offered while it is
                // still on its way back may start a second thread: harmless, but not what this test counts).
                Await.until(Duration.ofSeconds(10), "the worker waits for work",
                        () -> ((LinkedTransferQueue<Runnable>) p.getQueue()).hasWaitingConsumer());
            }
            assertEquals(1, p.getLargestPoolSize(), "a fixed pool would have started 8 threads for 50 tasks");
        } finally {
            p.shutdownNow();
        }
    }

    @Test
    void busyThreads_growThePoolToItsMaximum_thenTasksWaitInLine() throws Exception {
        ThreadPoolExecutor p = pool(3, Duration.ofMinutes(1));
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch ran = new CountDownLatch(10);
        try {
            for (int i = 0; i < 10; i++) {
                p.execute(() -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    ran.countDown();
                });
            }
            assertEquals(3, p.getPoolSize(), "three busy threads, no more");
            assertEquals(7, p.getQueue().size(), "the rest in line");
            release.countDown();
            assertTrue(ran.await(10, TimeUnit.SECONDS), "every task ran");
            assertEquals(3, p.getLargestPoolSize());
        } finally {
            release.countDown();
            p.shutdownNow();
        }
    }

    @Test
    void idleThreadsEnd_andTheNextTaskStartsOne() throws Exception {
        ThreadPoolExecutor p = pool(4, Duration.ofMillis(50));
        try {
            CountDownLatch release = new CountDownLatch(1);
            for (int i = 0; i < 4; i++) {
                p.execute(() -> {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            assertEquals(4, p.getPoolSize());
            release.countDown();
            Await.until(Duration.ofSeconds(10), "idle workers end", () -> p.getPoolSize() == 0);
            CountDownLatch done = new CountDownLatch(1);
            p.execute(done::countDown);
            assertTrue(done.await(10, TimeUnit.SECONDS), "a task after the pool emptied still runs");
        } finally {
            p.shutdownNow();
        }
    }

    @Test
    void afterShutdown_tasksAreRefused() {
        ThreadPoolExecutor p = pool(2, Duration.ofMinutes(1));
        p.shutdown();
        assertThrows(RejectedExecutionException.class, () -> p.execute(() -> { }));
    }
}
