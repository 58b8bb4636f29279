package io.litefleet.core.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Runs one task per item on at most {@code threads} named platform threads ({@code litefleet-<role>-N}; the tasks
 * do SQLite work, which pins virtual threads), closed before returning. The tasks must not throw.
 */
final class BoundedPool {
    private BoundedPool() {
    }

    /** The results, in the order of {@code items}. */
    static <T, R> List<R> map(String role, int threads, List<T> items, Function<T, R> task)
            throws InterruptedException {
        List<R> out = new ArrayList<>(items.size());
        try (ExecutorService pool = Executors.newFixedThreadPool(threads,
                Thread.ofPlatform().name("litefleet-" + role + "-", 0).factory())) {
            List<Future<R>> futures = new ArrayList<>(items.size());
            for (T item : items) {
                futures.add(pool.submit(() -> task.apply(item)));
            }
            for (Future<R> f : futures) {
                out.add(f.get());
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException(role + " task failed", e.getCause());
        }
        return out;
    }
}
