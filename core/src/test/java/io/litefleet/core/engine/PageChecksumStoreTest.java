package io.litefleet.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.litefleet.testkit.Await;
import io.litefleet.testkit.MutableClock;

/**
 * The packed page-checksum store: a map saved and journaled comes back at exactly its position, and a lost, torn or
 * altered record, or a damaged file, makes it untrusted (empty), never wrong; old {@code pages/*.crc} files move in.
 */
class PageChecksumStoreTest {
    private static final int PAGE_SIZE = 4096;
    private static final String DB = "/data/t1.db\nfile:///backups";

    @TempDir
    Path state;

    private final List<PageChecksumStore> held = new ArrayList<>();
    private final Random random = new Random(13);

    @AfterEach
    void releaseAll() {
        held.forEach(PageChecksumStore::release);
    }

    private PageChecksumStore store() throws Exception {
        PageChecksumStore s = PageChecksumStore.acquire(state);
        held.add(s);
        return s;
    }

    /** A map of {@code pages} random page checksums. */
    private PageChecksums map(int pages) {
        Map<Integer, Long> all = new HashMap<>();
        for (int p = 1; p <= pages; p++) {
            all.put(p, random.nextLong() | 1);
        }
        PageChecksums crcs = new PageChecksums(PAGE_SIZE);
        crcs.apply(all, pages);
        return crcs;
    }

    /** Changes {@code n} random pages of {@code crcs} (in place) and returns them. */
    private Map<Integer, Long> change(PageChecksums crcs, int n) {
        Map<Integer, Long> changed = new HashMap<>();
        for (int i = 0; i < n; i++) {
            changed.put(1 + random.nextInt(crcs.pages()), random.nextLong() | 1);
        }
        crcs.apply(changed, crcs.pages());
        return changed;
    }

    /** Saves a 10-page map at TXID 5 and journals TXIDs 6 to 8; returns the map at 8. */
    private PageChecksums journaled(PageChecksumStore s) throws Exception {
        PageChecksums crcs = map(10);
        s.save(DB, 5, crcs.rolling(), PAGE_SIZE, crcs);
        for (long txid = 6; txid <= 8; txid++) {
            Map<Integer, Long> changed = change(crcs, 2);
            s.append(DB, txid, crcs.rolling(), crcs.pages(), changed);
        }
        return crcs;
    }

    private void sql(String statement, Object... args) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + state.resolve(PageChecksumStore.FILE_NAME));
             PreparedStatement st = c.prepareStatement(statement)) {
            for (int i = 0; i < args.length; i++) {
                st.setObject(i + 1, args[i]);
            }
            st.executeUpdate();
        }
    }

    /** Rewrites the journal record of {@link #DB} for {@code txid}. */
    private void alter(long txid, java.util.function.UnaryOperator<byte[]> how) throws Exception {
        byte[] map = PageChecksumStore.key(DB);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + state.resolve(PageChecksumStore.FILE_NAME));
             PreparedStatement get = c.prepareStatement("SELECT data FROM journal WHERE map = ? AND txid = ?");
             PreparedStatement put = c.prepareStatement("UPDATE journal SET data = ? WHERE map = ? AND txid = ?")) {
            get.setBytes(1, map);
            get.setLong(2, txid);
            byte[] data;
            try (var rs = get.executeQuery()) {
                assertTrue(rs.next(), "record " + txid);
                data = rs.getBytes(1);
            }
            put.setBytes(1, how.apply(data));
            put.setBytes(2, map);
            put.setLong(3, txid);
            assertEquals(1, put.executeUpdate());
        }
    }

    @Test
    void savedAndJournaled_loadsAtItsPosition_appendableOnlyAtTheEnd() throws Exception {
        PageChecksumStore s = store();
        PageChecksums at8 = journaled(s);
        Optional<PageChecksumStore.Loaded> loaded = s.load(DB, 8, at8.rolling(), PAGE_SIZE);
        assertTrue(loaded.isPresent());
        assertTrue(loaded.get().crcs().samePages(at8));
        assertTrue(loaded.get().appendable());
        assertEquals(3 * (32 + 2 * 12), loaded.get().journalBytes(), "three records of up to two pages");
        assertFalse(s.load(DB, 8, at8.rolling() ^ 1, PAGE_SIZE).isPresent(), "another checksum");
        assertFalse(s.load(DB, 9, at8.rolling(), PAGE_SIZE).isPresent(), "a TXID the journal does not reach");
        assertFalse(s.load(DB, 8, at8.rolling(), 1024).isPresent(), "another page size");
        assertFalse(s.load("/data/other.db", 8, at8.rolling(), PAGE_SIZE).isPresent(), "another database");
    }

    @Test
    void save_dropsTheJournal() throws Exception {
        PageChecksumStore s = store();
        PageChecksums crcs = journaled(s);
        s.save(DB, 8, crcs.rolling(), PAGE_SIZE, crcs);
        PageChecksumStore.Loaded loaded = s.load(DB, 8, crcs.rolling(), PAGE_SIZE).orElseThrow();
        assertEquals(0, loaded.journalBytes());
        assertTrue(loaded.crcs().samePages(crcs));
    }

    @Test
    void save_failingPartWay_leavesTheJournalItDeleted_andALaterSaveWorks() throws Exception {
        PageChecksumStore s = store();
        PageChecksums at8 = journaled(s);
        IOException e = failedSave(s, at8, "ABORT, 'injected failure'");
        assertTrue(e.getMessage().contains(PageChecksumStore.FILE_NAME) && e.getMessage().contains("injected"),
                e.getMessage());
        assertSavesAgain(s, at8);
    }

    /** save() deletes the journal, then writes the base: the second statement fails with {@code RAISE(raise)}. */
    private IOException failedSave(PageChecksumStore s, PageChecksums at8, String raise) throws Exception {
        sql("CREATE TRIGGER inject BEFORE INSERT ON base BEGIN SELECT RAISE(" + raise + "); END");
        return assertThrows(IOException.class, () -> s.save(DB, 8, at8.rolling(), PAGE_SIZE, at8));
    }

    /** The journal {@link #journaled} wrote is intact (the failed save's delete rolled back); a save works again. */
    private void assertSavesAgain(PageChecksumStore s, PageChecksums at8) throws Exception {
        PageChecksumStore.Loaded kept = s.load(DB, 8, at8.rolling(), PAGE_SIZE).orElseThrow();
        assertEquals(3 * (32 + 2 * 12), kept.journalBytes(), "the journal's delete was rolled back with the insert");
        sql("DROP TRIGGER inject");
        s.save(DB, 8, at8.rolling(), PAGE_SIZE, at8);
        assertEquals(0, s.load(DB, 8, at8.rolling(), PAGE_SIZE).orElseThrow().journalBytes());
    }

    @Test
    void inTransaction_whoseWorkThrows_keepsNoneOfIt_andTheNextTransactionWorks() throws Exception {
        PageChecksumStore s = store();
        PageChecksums at8 = journaled(s);
        byte[] map = PageChecksumStore.key(DB);
        byte[] record = PageChecksumStore.record(9, at8.rolling(), at8.pages(), Map.of());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.inTransaction(() -> {
            s.putRecord(map, 9, record);
            throw new IllegalStateException("injected");
        }));
        assertEquals("injected", e.getMessage());
        assertTrue(s.load(DB, 9, at8.rolling(), PAGE_SIZE).isEmpty(), "record 9 was rolled back");
        // Left inside the transaction, the next BEGIN IMMEDIATE would fail.
        s.inTransaction(() -> s.putRecord(map, 9, record));
        assertTrue(s.load(DB, 9, at8.rolling(), PAGE_SIZE).orElseThrow().appendable());
    }

    @Test
    void save_whenSqliteRolledBackByItself_reportsTheCause_andALaterSaveWorks() throws Exception {
        PageChecksumStore s = store();
        PageChecksums at8 = journaled(s);
        // RAISE(ROLLBACK) ends the transaction inside SQLite, as SQLITE_FULL or an I/O error may: our ROLLBACK then
        // finds none ("no transaction is active") and must not hide the cause.
        IOException e = failedSave(s, at8, "ROLLBACK, 'injected rollback'");
        assertTrue(e.getMessage().contains("injected rollback"), e.getMessage());
        assertEquals(1, e.getCause().getSuppressed().length, "the failed ROLLBACK is kept as suppressed");
        assertSavesAgain(s, at8);
    }

    @Test
    void missingRecord_makesTheMapUntrusted() throws Exception {
        PageChecksums at8 = journaled(store());
        sql("DELETE FROM journal WHERE txid = 7");
        assertFalse(store().load(DB, 8, at8.rolling(), PAGE_SIZE).isPresent());
    }

    @Test
    void tornOrAlteredRecord_makesTheMapUntrusted() throws Exception {
        PageChecksums at8 = journaled(store());
        alter(8, data -> java.util.Arrays.copyOf(data, data.length - 3));
        assertFalse(store().load(DB, 8, at8.rolling(), PAGE_SIZE).isPresent(), "torn");
        PageChecksums again = journaled(store());
        alter(6, data -> {
            data[14] ^= 0x10; // inside the record's database checksum
            return data;
        });
        assertFalse(store().load(DB, 8, again.rolling(), PAGE_SIZE).isPresent(), "altered");
    }

    @Test
    void recordBeyondThePosition_loadsButIsNotAppendable() throws Exception {
        PageChecksumStore s = store();
        PageChecksums crcs = map(10);
        s.save(DB, 5, crcs.rolling(), PAGE_SIZE, crcs);
        long at5 = crcs.rolling();
        s.append(DB, 6, crcs.rollingAfter(Map.of(1, 7L), 10), 10, Map.of(1, 7L)); // shipped, never recorded
        PageChecksumStore.Loaded loaded = s.load(DB, 5, at5, PAGE_SIZE).orElseThrow();
        assertFalse(loaded.appendable());
    }

    @Test
    void damagedFile_startsAnew_andNothingIsTrusted() throws Exception {
        PageChecksums at8;
        PageChecksumStore s = PageChecksumStore.acquire(state);
        at8 = journaled(s);
        s.release();
        Files.write(state.resolve(PageChecksumStore.FILE_NAME), new byte[8192]); // not a database any more
        Files.deleteIfExists(state.resolve(PageChecksumStore.FILE_NAME + "-wal"));
        assertFalse(store().load(DB, 8, at8.rolling(), PAGE_SIZE).isPresent());
        assertTrue(journaled(store()).pages() > 0, "usable again");
    }

    @Test
    void oldCrcFiles_moveIn_thenAreDeleted() throws Exception {
        PageChecksums crcs = map(6);
        ByteArrayOutputStream out = oldBase(crcs);
        Map<Integer, Long> changed = change(crcs, 2); // TXID 4
        out.writeBytes(PageChecksumStore.record(4, crcs.rolling(), 6, changed)); // the record format did not change
        Path old = writeOld(out);
        Files.write(old.resolve("0123.crc.tmp"), new byte[3]); // a leftover temporary file

        PageChecksumStore.Loaded loaded = store().load(DB, 4, crcs.rolling(), PAGE_SIZE).orElseThrow();
        assertTrue(loaded.crcs().samePages(crcs));
        assertTrue(loaded.appendable(), "the journal continues");
        assertFalse(Files.exists(old), "pages/ is gone");
    }

    /** The base of {@code crcs} at TXID 3 as earlier versions wrote {@code pages/<hash>.crc}, to write more to. */
    private static ByteArrayOutputStream oldBase(PageChecksums crcs) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x4c464332); // "LFC2"
        out.writeLong(3);
        out.writeLong(crcs.rolling());
        out.writeInt(PAGE_SIZE);
        out.writeInt(crcs.pages());
        for (int p = 1; p <= crcs.pages(); p++) {
            out.writeLong(crcs.get(p));
        }
        return bytes;
    }

    /** Writes what {@code out} holds as the old file of {@link #DB}; returns the old directory. */
    private Path writeOld(ByteArrayOutputStream out) throws Exception {
        Path old = Files.createDirectories(state.resolve(PageChecksumStore.OLD_DIR));
        Files.write(old.resolve(HexFormat.of().formatHex(PageChecksumStore.key(DB)) + ".crc"), out.toByteArray());
        return old;
    }

    /** Writes {@code pages/<key of DB>.crc} with a 6-page base at TXID 3; returns its map. */
    private PageChecksums oldCrcFile() throws Exception {
        PageChecksums crcs = map(6);
        writeOld(oldBase(crcs));
        return crcs;
    }

    @Test
    void oldCrcFiles_areDeletedOnlyOnceTheMoveIsInTheMainFile() throws Exception {
        PageChecksums crcs = oldCrcFile();
        store(); // moves them in, and stays open: nothing is checkpointed at close
        assertFalse(Files.exists(state.resolve(PageChecksumStore.OLD_DIR)), "pages/ is gone");
        // What a power loss keeps at worst with synchronous=NORMAL: the main file without its unsynced WAL.
        Path copy = Files.createDirectories(state.resolve("copy"));
        Files.copy(state.resolve(PageChecksumStore.FILE_NAME), copy.resolve(PageChecksumStore.FILE_NAME));
        PageChecksumStore fromCopy = PageChecksumStore.acquire(copy);
        held.add(fromCopy);
        assertTrue(fromCopy.load(DB, 3, crcs.rolling(), PAGE_SIZE).orElseThrow().crcs().samePages(crcs));
    }

    @Test
    void oldDirectoryHoldingSomethingUnmovable_isLeft_andTheStoreOpens() throws Exception {
        PageChecksums crcs = oldCrcFile();
        Path odd = Files.createDirectories(state.resolve(PageChecksumStore.OLD_DIR).resolve("odd.crc"));
        Files.write(odd.resolve("inside"), new byte[1]);

        assertTrue(store().load(DB, 3, crcs.rolling(), PAGE_SIZE).isPresent(), "the readable file moved in");
        assertTrue(Files.exists(odd.resolve("inside")), "what could not be moved is left alone");
    }

    @Test
    void busyFile_isKept_notStartedAnew() throws Exception {
        PageChecksums at8 = journaled(store());
        releaseAll();
        held.clear();
        try (Connection other = DriverManager.getConnection("jdbc:sqlite:"
                + state.resolve(PageChecksumStore.FILE_NAME)); Statement st = other.createStatement()) {
            st.execute("PRAGMA locking_mode=EXCLUSIVE");
            st.execute("BEGIN EXCLUSIVE"); // another process holds it (SQLITE_BUSY after the busy timeout)
            IOException e = assertThrows(IOException.class, () -> PageChecksumStore.acquire(state));
            assertTrue(e.getMessage().contains(PageChecksumStore.FILE_NAME), e.getMessage());
            st.execute("COMMIT");
        }
        assertTrue(store().load(DB, 8, at8.rolling(), PAGE_SIZE).isPresent(), "the file was kept");
    }

    @Test
    void acquire_whileTheLastHolderIsClosing_waitsForTheClose() throws Exception {
        PageChecksumStore s = PageChecksumStore.acquire(state);
        AtomicReference<PageChecksumStore> second = new AtomicReference<>();
        Thread releaser = new Thread(s::release, "test-release");
        Thread acquirer = new Thread(() -> {
            try {
                second.set(PageChecksumStore.acquire(state));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "test-acquire");
        synchronized (s) { // as a sync still using the store would: the release must wait to close it
            releaser.start();
            Await.until(Duration.ofSeconds(10), "release waits for the store",
                    () -> releaser.getState() == Thread.State.BLOCKED);
            acquirer.start();
            Await.until(Duration.ofSeconds(10), "acquire blocked or done",
                    () -> acquirer.getState() == Thread.State.BLOCKED || second.get() != null);
            assertNull(second.get(), "no second connection opened while the first is closing");
        }
        releaser.join(10_000);
        acquirer.join(10_000);
        assertNotNull(second.get());
        held.add(second.get());
        assertTrue(second.get() != s, "a new store once the old one is closed");
    }

    @Test
    void failedOpen_isNotRetriedBeforeTheTimeLimit() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        Path file = Files.createDirectories(state.resolve(PageChecksumStore.FILE_NAME)); // cannot be opened
        assertNull(PageChecksumStore.tryAcquire(state, clock));
        try (PageChecksumHold hold = PageChecksumHold.open(state, clock)) {
            assertFalse(hold.holds(), "a hold of nothing, not an error");
        }
        Files.delete(file);

        clock.advance(PageChecksumStore.RETRY_AFTER.minusSeconds(1));
        assertNull(PageChecksumStore.tryAcquire(state, clock));
        assertFalse(Files.exists(file), "not tried again yet");

        clock.advance(Duration.ofSeconds(1));
        PageChecksumStore s = PageChecksumStore.tryAcquire(state, clock);
        assertNotNull(s, "tried again after the time limit");
        held.add(s);
        assertTrue(Files.isRegularFile(file));
    }

    @Test
    void differentDatabasesFromManyThreads_eachLoadsItsOwn() throws Exception {
        PageChecksumStore s = store();
        ExecutorService pool = Executors.newFixedThreadPool(4, r -> new Thread(r, "litefleet-test-store"));
        try {
            List<Future<Boolean>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                String db = "/data/t" + t + ".db";
                long seed = t;
                done.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    Map<Integer, Long> all = new HashMap<>();
                    for (int p = 1; p <= 50; p++) {
                        all.put(p, r.nextLong() | 1);
                    }
                    PageChecksums crcs = new PageChecksums(PAGE_SIZE);
                    crcs.apply(all, 50);
                    s.save(db, 1, crcs.rolling(), PAGE_SIZE, crcs);
                    for (long txid = 2; txid <= 100; txid++) {
                        Map<Integer, Long> changed = Map.of(1 + r.nextInt(50), r.nextLong() | 1);
                        crcs.apply(changed, 50);
                        s.append(db, txid, crcs.rolling(), 50, changed);
                    }
                    return s.load(db, 100, crcs.rolling(), PAGE_SIZE).map(l -> l.crcs().samePages(crcs))
                            .orElse(false);
                }));
            }
            for (Future<Boolean> f : done) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** A 1 GiB database's map (2 MiB) journaled for 2,000 TXIDs: one row per append, timings printed. */
    @Test
    void largeMap_appendCostDoesNotGrowWithTheJournal() throws Exception {
        PageChecksumStore s = store();
        PageChecksums crcs = map(262_144);
        long t0 = System.nanoTime();
        s.save(DB, 1, crcs.rolling(), PAGE_SIZE, crcs);
        long saveNanos = System.nanoTime() - t0;
        long[] quarter = new long[4];
        for (int i = 0; i < 2000; i++) {
            Map<Integer, Long> changed = change(crcs, 20);
            long start = System.nanoTime();
            s.append(DB, 2 + i, crcs.rolling(), crcs.pages(), changed);
            quarter[i / 500] += System.nanoTime() - start;
        }
        long l0 = System.nanoTime();
        PageChecksumStore.Loaded loaded = s.load(DB, 2001, crcs.rolling(), PAGE_SIZE).orElseThrow();
        long loadNanos = System.nanoTime() - l0;
        assertTrue(loaded.crcs().samePages(crcs));
        System.out.printf("1 GiB map: save %.1f ms; appends per quarter of 500: %.1f / %.1f / %.1f / %.1f ms; "
                        + "load with 2,000 records %.1f ms%n", saveNanos / 1e6, quarter[0] / 1e6, quarter[1] / 1e6,
                quarter[2] / 1e6, quarter[3] / 1e6, loadNanos / 1e6);
        // Each append inserts one row of its own record (nothing rewritten): the cost cannot grow with the journal.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + state.resolve(PageChecksumStore.FILE_NAME));
             var rs = c.createStatement().executeQuery("SELECT count(*), max(length(data)) FROM journal")) {
            assertTrue(rs.next());
            assertEquals(2000, rs.getInt(1), "one row per TXID");
            assertTrue(rs.getInt(2) <= 32 + 20 * 12, "each row holds one record: " + rs.getInt(2) + " bytes");
        }
    }
}
