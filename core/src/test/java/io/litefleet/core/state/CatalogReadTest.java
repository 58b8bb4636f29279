package io.litefleet.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.discovery.FileFingerprint;
import io.litefleet.core.state.ReplicaPosition.WalMark;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads of positions do not queue behind a writer: a pass looking up its position while another pass's commit (and
 * its fsync) holds the write connection went at the speed of that fsync.
 */
class CatalogReadTest {
    @TempDir
    Path dir;

    @Test
    void get_whileAWriterHoldsTheCatalog_answersWithTheCommittedPosition() throws Exception {
        try (Catalog catalog = Catalog.open(dir)) {
            ReplicaPosition p = new ReplicaPosition("/db/a.db", "file:///r/a", 3, 0, 4096, 2, WalMark.NONE,
                    new FileFingerprint(8192, 1, 0, 0), Instant.ofEpochMilli(1_764_000_000_000L));
            catalog.putAll(List.of(p));
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread writer = Thread.ofPlatform().name("test-writer").start(() -> {
                synchronized (catalog) { // as a group commit does for its whole transaction
                    held.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            try {
                assertTrue(held.await(10, TimeUnit.SECONDS), "writer holds the catalog");
                CompletableFuture<Long> read = CompletableFuture.supplyAsync(() -> {
                    try {
                        return catalog.get("/db/a.db", "file:///r/a").orElseThrow().txid()
                                + (catalog.recordedThisRun("/db/a.db", "file:///r/a") ? 100 : 0)
                                + catalog.get("/db/a.db").orElseThrow().txid() * 1000;
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                assertEquals(3103L, read.get(10, TimeUnit.SECONDS),
                        "position, recorded this run, latest position: read while the writer held the catalog");
            } finally {
                release.countDown();
                writer.join();
            }
        }
    }
}
