package io.litefleet.core.fleet;

import java.time.Duration;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A pool of at most {@code max} platform threads that starts a thread only when no started one is idle, and lets a
 * thread go after {@code idle} without work: one database syncing 20 times a second keeps one or two threads, a
 * first capture of a fleet all of them, an idle fleet none. (A {@link ThreadPoolExecutor} with a fixed core size
 * starts a thread per task until the core is full, whether or not the others are idle.)
 *
 * <p>The queue hands a task to an idle thread when one waits; otherwise it declines while the pool may still grow,
 * so the executor starts a thread for it; with every thread started and busy, the task waits in line.
 */
final class OnDemandPool {
    private OnDemandPool() {
    }

    static ThreadPoolExecutor create(int max, Duration idle, ThreadFactory threads) {
        Handoff queue = new Handoff();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, max, idle.toNanos(), TimeUnit.NANOSECONDS, queue, threads,
                (task, p) -> {
                    if (p.isShutdown()) {
                        throw new RejectedExecutionException("the sync workers are shut down");
                    }
                    queue.enqueue(task); // the pool grew to its maximum meanwhile: in line behind the busy threads
                    if (p.getPoolSize() == 0) {
                        p.execute(() -> { }); // they all went idle and left meanwhile: one thread takes the line
                    }
                });
        queue.pool = pool;
        return pool;
    }

    /** Offers go to an idle thread, or make the executor start one, or wait in line when none may start. */
    private static final class Handoff extends LinkedTransferQueue<Runnable> {
        private ThreadPoolExecutor pool;

        @Override
        public boolean offer(Runnable task) {
            if (tryTransfer(task)) {
                return true;
            }
            return pool.getPoolSize() >= pool.getMaximumPoolSize() && super.offer(task);
        }

        void enqueue(Runnable task) {
            super.offer(task);
        }
    }
}
