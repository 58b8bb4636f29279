package io.litefleet.core.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.litefleet.testkit.Await;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Shared directory fsyncs keep each caller's guarantee: it returns only after an fsync that started after it called
 * has completed. An fsync here is a gate the test opens, so which call waits for which is decided, not raced.
 */
class DirectorySyncsTest {
    private static final Path DIR = Path.of("/replica/b0");

    /** Fsyncs that block until the test releases them, in order; each records when it started. */
    private final List<CountDownLatch> gates = new ArrayList<>();
    private final AtomicInteger started = new AtomicInteger();
    private volatile boolean failNext;
    private final DirectorySyncs syncs = new DirectorySyncs(dir -> {
        CountDownLatch gate;
        synchronized (gates) {
            gate = new CountDownLatch(1);
            gates.add(gate);
        }
        started.incrementAndGet();
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (failNext) {
            failNext = false;
            throw new IOException(dir + ": fsync failed (test)");
        }
    });
    private final List<Thread> threads = new ArrayList<>();

    private CompletableFuture<Void> syncInThread(String name) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().name(name).start(() -> {
            try {
                syncs.sync(DIR);
                done.complete(null);
            } catch (IOException | RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        threads.add(t);
        return done;
    }

    private void release(int i) {
        synchronized (gates) {
            gates.get(i).countDown();
        }
    }

    private void awaitWaiting(String name) throws InterruptedException {
        Await.until(Duration.ofSeconds(10), name + " waits", () -> threads.stream()
                .anyMatch(t -> t.getName().equals(name) && t.getState() == Thread.State.WAITING));
    }

    @AfterEach
    void openEveryGate() throws InterruptedException {
        synchronized (gates) {
            gates.forEach(CountDownLatch::countDown);
        }
        for (Thread t : threads) {
            t.join(10_000);
        }
    }

    @Test
    void aCallDuringAnFsync_waitsForTheNextOne_andCallersArrivedMeanwhileShareIt() throws Exception {
        CompletableFuture<Void> a = syncInThread("a");
        Await.until(Duration.ofSeconds(10), "a's fsync started", () -> started.get() == 1);
        CompletableFuture<Void> b = syncInThread("b"); // changed the directory after a's fsync began
        CompletableFuture<Void> c = syncInThread("c");
        awaitWaiting("b");
        awaitWaiting("c");
        release(0);
        a.get(10, TimeUnit.SECONDS);
        Await.until(Duration.ofSeconds(10), "a second fsync for b and c", () -> started.get() == 2);
        assertFalse(b.isDone() || c.isDone(), "b and c return only after an fsync that began after they called");
        release(1);
        b.get(10, TimeUnit.SECONDS);
        c.get(10, TimeUnit.SECONDS);
        assertEquals(2, started.get(), "three calls, two fsyncs: b and c shared the second");
        assertEquals(0, syncs.active(), "no state kept for an idle directory");
    }

    @Test
    void aFailedFsync_failsItsCaller_andTheWaitingOnesRunTheirOwn() throws Exception {
        CompletableFuture<Void> a = syncInThread("a");
        Await.until(Duration.ofSeconds(10), "a's fsync started", () -> started.get() == 1);
        release(0); // a's fsync passes
        a.get(10, TimeUnit.SECONDS);
        failNext = true;
        CompletableFuture<Void> b = syncInThread("b");
        Await.until(Duration.ofSeconds(10), "b's fsync started", () -> started.get() == 2);
        CompletableFuture<Void> c = syncInThread("c");
        awaitWaiting("c");
        release(1); // b's fsync fails
        ExecutionException e = assertThrows(ExecutionException.class, () -> b.get(10, TimeUnit.SECONDS));
        assertEquals("/replica/b0: fsync failed (test)", e.getCause().getMessage());
        Await.until(Duration.ofSeconds(10), "c runs its own fsync", () -> started.get() == 3);
        assertFalse(c.isDone(), "c is not covered by a failed fsync");
        release(2);
        c.get(10, TimeUnit.SECONDS);
    }
}
