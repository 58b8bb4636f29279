package io.litefleet.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.discovery.FileFingerprint;
import io.litefleet.core.state.ReplicaPosition.WalMark;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTest {
    private static ReplicaPosition pos(String path, long txid) {
        return new ReplicaPosition(path, "file:///r" + path, txid, 0x8000_0000_0000_1234L, 4096, 7,
                new WalMark(32 + 4120L * txid, 0xdeadbeef, 42, -1, 17, 7, txid),
                new FileFingerprint(8192, 1_700_000_000_123_456_789L, 4152, 1_700_000_001_000_000_000L),
                Instant.ofEpochMilli(1_764_000_000_000L + txid));
    }

    @Test
    void put_thenReopen_returnsTheSamePositions(@TempDir Path dir) throws IOException {
        try (Catalog c = Catalog.open(dir.resolve("state"))) {
            c.putAll(List.of(pos("/a.db", 3), pos("/b.db", 9)));
            c.put(pos("/a.db", 4));
        }
        try (Catalog c = Catalog.open(dir.resolve("state"))) {
            assertEquals(Optional.of(pos("/a.db", 4)), c.get("/a.db"));
            assertEquals(List.of(pos("/a.db", 4), pos("/b.db", 9)), c.all());
            c.remove("/a.db");
            assertEquals(Optional.empty(), c.get("/a.db"));
        }
    }

    /**
     * Records /a.db at TXID 1, makes every insert of /bad.db fail with {@code RAISE(raise)} (through a connection of
     * its own), and returns the failure of {@code putAll(positions)}.
     */
    private static IOException failedPutAll(Catalog c, String raise, ReplicaPosition... positions) throws Exception {
        c.put(pos("/a.db", 1));
        try (java.sql.Connection conn = java.sql.DriverManager.getConnection("jdbc:sqlite:"
                + c.directory().resolve(Catalog.FILE_NAME)); java.sql.Statement st = conn.createStatement()) {
            st.execute("CREATE TRIGGER inject BEFORE INSERT ON position WHEN NEW.db_path = '/bad.db' "
                    + "BEGIN SELECT RAISE(" + raise + "); END");
        }
        return assertThrows(IOException.class, () -> c.putAll(List.of(positions)));
    }

    /**
     * The middle row of three fails after the first was written: none of them stays, the replaced row is back. If the
     * driver committed each statement on its own (auto-commit around an explicit BEGIN), /a.db would stay at TXID 2.
     */
    @Test
    void putAll_failingPartWay_leavesNoneOfItsRows_andALaterWriteWorks(@TempDir Path dir) throws Exception {
        Path state = dir.resolve("state");
        try (Catalog c = Catalog.open(state)) {
            IOException e = failedPutAll(c, "ABORT, 'injected failure'", pos("/a.db", 2), pos("/bad.db", 1),
                    pos("/c.db", 1));
            assertTrue(e.getMessage().contains(state.resolve(Catalog.FILE_NAME).toString())
                    && e.getMessage().contains("injected failure"), e.getMessage());
            assertEquals(Optional.of(pos("/a.db", 1)), c.get("/a.db"));
            assertEquals(List.of(pos("/a.db", 1)), c.all());
            c.putAll(List.of(pos("/a.db", 3), pos("/c.db", 1)));
            assertEquals(List.of(pos("/a.db", 3), pos("/c.db", 1)), c.all());
        }
        try (Catalog c = Catalog.open(state)) {
            assertEquals(List.of(pos("/a.db", 3), pos("/c.db", 1)), c.all());
        }
    }

    /**
     * RAISE(ROLLBACK) ends the transaction inside SQLite, as SQLITE_FULL or an I/O error may: our ROLLBACK then finds
     * none, and the error still names the cause (the failed ROLLBACK suppressed), and the connection is usable.
     */
    @Test
    void putAll_whenSqliteRolledBackByItself_reportsTheCause_andALaterWriteWorks(@TempDir Path dir) throws Exception {
        try (Catalog c = Catalog.open(dir.resolve("state"))) {
            IOException e = failedPutAll(c, "ROLLBACK, 'injected rollback'", pos("/a.db", 2), pos("/bad.db", 1));
            assertTrue(e.getMessage().contains("injected rollback"), e.getMessage());
            assertEquals(1, e.getCause().getSuppressed().length, "the failed ROLLBACK is kept as suppressed");
            assertEquals(List.of(pos("/a.db", 1)), c.all());
            c.put(pos("/a.db", 4));
            // Read on the catalog's second connection: committed, not left in an open transaction.
            assertEquals(Optional.of(pos("/a.db", 4)), c.get("/a.db"));
        }
    }

    /** A bug in the work (a RuntimeException) rolls back too: left open, the next BEGIN IMMEDIATE would fail. */
    @Test
    void putAll_whoseWorkThrows_leavesTheConnectionOutsideATransaction(@TempDir Path dir) throws Exception {
        try (Catalog c = Catalog.open(dir.resolve("state"))) {
            assertThrows(NullPointerException.class, () -> c.putAll(java.util.Arrays.asList(pos("/a.db", 1), null)));
            c.put(pos("/b.db", 1));
            assertEquals(List.of(pos("/b.db", 1)), c.all());
            assertEquals(Optional.of(pos("/b.db", 1)), c.get("/b.db"));
        }
    }

    @Test
    void put_fromManyThreads_everyPositionDurable_inFewerTransactions(@TempDir Path dir) throws Exception {
        int threads = 8;
        int each = 150;
        try (Catalog c = Catalog.open(dir.resolve("state"))) {
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
            List<Thread> ts = new java.util.ArrayList<>();
            java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic
                    .AtomicReference<>();
            for (int t = 0; t < threads; t++) {
                String db = "/db" + t + ".db";
                ts.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        for (int i = 1; i <= each; i++) {
                            c.put(pos(db, i));
                            // Durable on return: visible to a read of the same catalog at once.
                            assertEquals(i, c.get(db).orElseThrow().txid());
                        }
                    } catch (Throwable e) {
                        failed.compareAndSet(null, e);
                    }
                }));
            }
            for (Thread t : ts) {
                t.join();
            }
            if (failed.get() != null) {
                throw new AssertionError(failed.get());
            }
            assertTrue(c.groupCommits() < threads * each, c.groupCommits() + " transactions for "
                    + threads * each + " positions: concurrent positions share a commit");
        }
        try (Catalog c = Catalog.open(dir.resolve("state"))) {
            for (int t = 0; t < threads; t++) {
                assertEquals(Optional.of(pos("/db" + t + ".db", each)), c.get("/db" + t + ".db"));
            }
        }
    }

    @Test
    void open_byManyAtOnce_onAFreshDirectory_allSucceed(@TempDir Path dir) throws Exception {
        // Several replicate processes start together on a new state directory: each migrates the same catalog.
        for (int round = 0; round < 5; round++) {
            Path state = dir.resolve("state" + round);
            int n = 6;
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(n);
            List<java.util.concurrent.Future<Catalog>> opened = new java.util.ArrayList<>();
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(n)) {
                for (int i = 0; i < n; i++) {
                    opened.add(pool.submit(() -> {
                        start.await();
                        return Catalog.open(state);
                    }));
                }
                for (int i = 0; i < n; i++) {
                    try (Catalog c = opened.get(i).get()) {
                        c.put(pos("/db" + i + ".db", 1));
                    }
                }
            }
            try (Catalog c = Catalog.open(state)) {
                assertEquals(n, c.all().size());
            }
        }
    }

    @Test
    void closed_catalog_refusesWithItsPath(@TempDir Path dir) throws IOException {
        Catalog c = Catalog.open(dir);
        c.close();
        c.close();
        IOException e = assertThrows(IOException.class, () -> c.get("/a.db"));
        assertTrue(e.getMessage().contains("catalog.db: catalog is closed"), e.getMessage());
    }

    @Test
    void open_onAFile_failsNamingIt(@TempDir Path dir) throws IOException {
        Path notADir = java.nio.file.Files.writeString(dir.resolve("x"), "x");
        assertThrows(IOException.class, () -> Catalog.open(notADir));
    }

    @Test
    void deletion_isDatedFromTheFirstRecord_clearedOnReturn_andForgetRemovesEverything(@TempDir Path dir)
            throws Exception {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        try (Catalog c = Catalog.open(dir)) {
            c.putAll(List.of(pos("/a.db", 3), pos("/b.db", 4)));
            c.putUnsettled(List.of("/a.db"), List.of());
            c.putTiers(List.of(new Catalog.TierChange("/a.db", "cold", 0, 0, t0),
                    new Catalog.TierChange("/b.db", "deleted", 0, 0, t0)));
            c.putTiers(List.of(new Catalog.TierChange("/a.db", "deleted", 0, 0, t0.plusSeconds(10))));
            // recorded again (a restart finds it still gone): the first time stands
            c.putTiers(List.of(new Catalog.TierChange("/a.db", "deleted", 0, 0, t0.plusSeconds(500))));
            assertEquals(List.of(new Catalog.Gone("/b.db", t0, List.of("file:///r/b.db")),
                    new Catalog.Gone("/a.db", t0.plusSeconds(10), List.of("file:///r/a.db"))),
                    c.deletedBefore(t0.plusSeconds(11)));
            assertEquals(List.of(new Catalog.Gone("/b.db", t0, List.of("file:///r/b.db"))), c.deletedBefore(
                    t0.plusSeconds(10)), "gone exactly the age: not yet");
            // back, then gone again: dated from the new disappearance
            c.putTiers(List.of(new Catalog.TierChange("/b.db", "cold", 0, 0, t0.plusSeconds(20))));
            assertEquals(List.of("/a.db"), c.deletedBefore(t0.plusSeconds(1000)).stream().map(Catalog.Gone::path)
                    .toList());
            c.putTiers(List.of(new Catalog.TierChange("/b.db", "deleted", 0, 0, t0.plusSeconds(30))));
            assertEquals(Instant.parse("2026-01-01T00:00:30Z"), c.deletedBefore(t0.plusSeconds(1000)).get(1)
                    .deletedAt());
            c.forget("/a.db");
            assertEquals(Optional.empty(), c.get("/a.db"));
            assertEquals(List.of(), c.unsettled());
            assertEquals(List.of("/b.db"), c.deletedBefore(t0.plusSeconds(1000)).stream().map(Catalog.Gone::path)
                    .toList());
        }
        // A version 5 catalog (no deleted_at_ms) is upgraded: a deletion it recorded is dated from its tier change.
        try (var conn = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("catalog.db"));
             var st = conn.createStatement()) {
            st.executeUpdate("ALTER TABLE tier DROP COLUMN deleted_at_ms");
            st.executeUpdate("UPDATE tier SET changed_at_ms = " + t0.toEpochMilli());
            st.executeUpdate("PRAGMA user_version = 5");
        }
        try (Catalog c = Catalog.open(dir)) {
            assertEquals(List.of(new Catalog.Gone("/b.db", t0, List.of("file:///r/b.db"))),
                    c.deletedBefore(t0.plusSeconds(1)));
        }
    }

    @Test
    void unsettled_survivesAReopen_andAVersion2CatalogIsUpgraded(@TempDir Path dir) throws Exception {
        try (Catalog c = Catalog.open(dir)) {
            c.putUnsettled(java.util.List.of("/a.db", "/b.db", "/c.db"), java.util.List.of());
            c.putUnsettled(java.util.List.of(), java.util.List.of("/b.db"));
        }
        try (Catalog c = Catalog.open(dir)) {
            assertEquals(java.util.List.of("/a.db", "/c.db"), c.unsettled());
        }
        // A catalog written by the previous version (no unsettled table) opens and gains it.
        Path old = dir.resolve("old");
        try (Catalog c = Catalog.open(old)) {
            c.putUnsettled(java.util.List.of("/x.db"), java.util.List.of());
        }
        try (var conn = java.sql.DriverManager.getConnection("jdbc:sqlite:" + old.resolve("catalog.db"));
             var st = conn.createStatement()) {
            st.executeUpdate("DROP TABLE unsettled");
            st.executeUpdate("PRAGMA user_version = 2");
        }
        try (Catalog c = Catalog.open(old)) {
            assertEquals(java.util.List.of(), c.unsettled());
            c.putUnsettled(java.util.List.of("/y.db"), java.util.List.of());
            assertEquals(java.util.List.of("/y.db"), c.unsettled());
        }
    }

    @Test
    void recordedThisRun_trueOnlyForRowsWrittenThroughThisOpenCatalog_andAVersion3CatalogIsUpgraded(@TempDir Path dir)
            throws Exception {
        try (Catalog c = Catalog.open(dir)) {
            c.put(pos("/a.db", 5));
            assertTrue(c.recordedThisRun("/a.db", "file:///r/a.db"));
            assertFalse(c.recordedThisRun("/unknown.db", "file:///r/unknown.db"));
        }
        try (var conn = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("catalog.db"));
             var st = conn.createStatement()) {
            st.executeUpdate("ALTER TABLE position DROP COLUMN run_id");
            st.executeUpdate("PRAGMA user_version = 3");
        }
        try (Catalog c = Catalog.open(dir)) {
            assertEquals(5, c.get("/a.db").orElseThrow().txid(), "a version-3 row survives the upgrade");
            assertFalse(c.recordedThisRun("/a.db", "file:///r/a.db"), "recorded by an earlier run");
            c.put(pos("/a.db", 6));
            assertTrue(c.recordedThisRun("/a.db", "file:///r/a.db"));
        }
        try (Catalog c = Catalog.open(dir)) {
            assertFalse(c.recordedThisRun("/a.db", "file:///r/a.db"), "every open is a new run");
        }
    }
}
