package io.litefleet.core.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.testkit.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A put returns only once its directory's name is durable up to the root, also when another put created that
 * directory and has not synced its parent yet. Directory fsyncs are observed, and those of the root are gates the
 * test opens, so which put waits for which is decided, not raced.
 */
class FileReplicaClientParentSyncTest {
    @TempDir
    Path dir;
    private Path root;
    private FileReplicaClient client;
    /** Every directory fsync started, in order. */
    private final List<Path> fsyncs = new ArrayList<>();
    /** Gates for fsyncs of the root, in order; null when the root's fsyncs pass. */
    private volatile List<CountDownLatch> rootGates;
    private final List<Thread> threads = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        client = FileReplicaClient.open(dir.resolve("replica"), d -> {
            synchronized (fsyncs) {
                fsyncs.add(d);
            }
            List<CountDownLatch> gates = rootGates;
            if (gates != null && d.equals(root)) {
                CountDownLatch gate = new CountDownLatch(1);
                synchronized (gates) {
                    gates.add(gate);
                }
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        root = dir.resolve("replica").toRealPath();
    }

    @AfterEach
    void close() throws InterruptedException {
        List<CountDownLatch> gates = rootGates;
        if (gates != null) {
            synchronized (gates) {
                gates.forEach(CountDownLatch::countDown);
            }
        }
        for (Thread t : threads) {
            t.join(10_000);
        }
        client.close();
    }

    private CompletableFuture<Void> putInThread(String name, String key) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        threads.add(Thread.ofPlatform().name(name).start(() -> {
            try {
                client.put(key, ObjectBody.of(new byte[] {1}), PutOptions.DEFAULT);
                done.complete(null);
            } catch (ReplicaException | RuntimeException e) {
                done.completeExceptionally(e);
            }
        }));
        return done;
    }

    private int rootFsyncs() {
        synchronized (fsyncs) {
            return (int) fsyncs.stream().filter(root::equals).count();
        }
    }

    private void release(int i) {
        synchronized (rootGates) {
            rootGates.get(i).countDown();
        }
    }

    @Test
    void put_intoADirectoryAnotherPutJustCreated_returnsOnlyAfterItsNameInTheRootIsFsynced() throws Exception {
        rootGates = new ArrayList<>();
        CompletableFuture<Void> a = putInThread("a", "b0/t1/x");
        Await.until(Duration.ofSeconds(10), "a fsyncs the root for b0/", () -> rootFsyncs() == 1);
        // b0/ exists now, but its entry in the root is not durable yet: a's fsync of the root is still running.
        CompletableFuture<Void> b = putInThread("b", "b0/t2/y");
        Await.until(Duration.ofSeconds(10), "b returns or waits for an fsync of the root", () -> b.isDone()
                || threads.get(1).getState() == Thread.State.WAITING);
        assertFalse(b.isDone(), "b's put returned before b0's entry in the root was fsynced");
        release(0); // a's fsync started before b called: it does not cover b
        a.get(10, TimeUnit.SECONDS);
        Await.until(Duration.ofSeconds(10), "b fsyncs the root itself", () -> rootFsyncs() == 2);
        assertFalse(b.isDone(), "b returns only after an fsync of the root that started after it called");
        release(1);
        b.get(10, TimeUnit.SECONDS);
        assertArrayEquals(new byte[] {1}, Files.readAllBytes(root.resolve("b0/t2/y")));
    }

    @Test
    void put_intoAKnownDurableDirectory_fsyncsOnlyThatDirectory() throws Exception {
        client.put("b0/t1/x", ObjectBody.of(new byte[] {1}), PutOptions.DEFAULT);
        assertEquals(List.of(root.resolve("b0"), root, root.resolve("b0/t1")), fsyncs,
                "a new directory: each parent up to the root, then the put's own rename");
        fsyncs.clear();
        client.put("b0/t1/y", ObjectBody.of(new byte[] {1}), PutOptions.DEFAULT);
        client.put("b0/t2/z", ObjectBody.of(new byte[] {1}), PutOptions.DEFAULT);
        assertEquals(List.of(root.resolve("b0/t1"), root.resolve("b0"), root.resolve("b0/t2")), fsyncs,
                "parents stop at the first known-durable directory (b0/), not the root");
    }

    @Test
    void put_afterItsDirectoryWasRemoved_syncsTheRecreatedDirectorysParentsAgain() throws Exception {
        client.put("b0/t1/x", ObjectBody.of(new byte[] {1}), PutOptions.DEFAULT);
        Files.delete(root.resolve("b0/t1/x"));
        Files.delete(root.resolve("b0/t1"));
        fsyncs.clear();
        client.put("b0/t1/y", ObjectBody.of(new byte[] {1}), PutOptions.DEFAULT);
        assertEquals(List.of(root.resolve("b0"), root.resolve("b0/t1")), fsyncs,
                "t1/ made again: its entry in b0/ is fsynced again");
    }
}
