package io.litefleet.bench.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Inputs the benchmarks share, made by SQLite itself so that page contents (and so LZ4's work) look like a real
 * database's: a table of tenant rows (an integer key, a short name, about 200 bytes of words from a small
 * vocabulary and a 16-byte random blob), written in transactions of {@value #ROWS_PER_TX} rows with automatic
 * checkpoints off, so every commit stays in the WAL. Seeded: the same size and seed give the same rows.
 */
public final class Fixtures {
    /** The seed every benchmark uses; printed in the results through the benchmark parameters. */
    public static final long SEED = 13;
    /** SQLite's default page size, which nearly every fleet database has. */
    public static final int PAGE_SIZE = 4096;
    private static final int ROWS_PER_TX = 20;
    private static final String[] WORDS = {"invoice", "tenant", "order", "shipped", "pending", "customer", "paid",
        "refund", "widget", "account", "address", "street", "city", "total", "amount", "note", "status", "open"};

    private Fixtures() {
    }

    /**
     * Writes the WAL fixture for the peer run: {@code Fixtures DIR MIB} makes {@code DIR/bench.wal} holding at
     * least MIB MiB of pages: the WAL {@link #pages} takes {@code LtxBench}'s pages from (the same rows, so the
     * same pages), and prints its path.
     */
    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: Fixtures DIR MIB");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        System.out.println(wal(dir, Integer.parseInt(args[1])));
    }

    /** A fresh temporary directory; {@link #deleteTree} removes it. */
    public static Path tempDir() {
        try {
            return Files.createTempDirectory("litefleet-jmh-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes rows into {@code dir/bench.db} until its {@code -wal} holds at least {@code minBytes}, copies the WAL
     * (as SQLite left it, with its header, salts and checksum chain) to {@code dir/bench.wal} while the writing
     * connection is still open (closing it would checkpoint and delete the WAL), and returns the copy.
     */
    public static Path sqliteWal(Path dir, long minBytes) {
        Path db = dir.resolve("bench.db");
        Path wal = dir.resolve("bench.db-wal");
        Path copy = dir.resolve("bench.wal");
        SplittableRandom random = new SplittableRandom(SEED);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA page_size=" + PAGE_SIZE);
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA wal_autocheckpoint=0");
                s.execute("CREATE TABLE rows(id INTEGER PRIMARY KEY, tenant TEXT, body TEXT, tag BLOB)");
            }
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO rows(tenant, body, tag) VALUES(?,?,?)")) {
                while (!Files.exists(wal) || Files.size(wal) < minBytes) {
                    for (int i = 0; i < ROWS_PER_TX; i++) {
                        insert.setString(1, "tenant-" + random.nextInt(1000));
                        insert.setString(2, sentence(random, 200));
                        byte[] tag = new byte[16];
                        random.nextBytes(tag);
                        insert.setBytes(3, tag);
                        insert.executeUpdate();
                    }
                    c.commit();
                }
            }
            Files.copy(wal, copy);
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("could not make the WAL fixture in " + dir + ": " + e, e);
        }
        return copy;
    }

    /**
     * The WAL every benchmark reads: at least {@code mib} MiB of page data (frames of {@link #PAGE_SIZE} bytes),
     * ending at the first commit past that (less than 1% more), made in {@code dir}.
     */
    public static Path wal(Path dir, int mib) {
        return sqliteWal(dir, walBytesFor((mib << 20) / PAGE_SIZE));
    }

    /** The page images of every frame of the WAL at {@code wal}, in file order. */
    public static byte[][] walPages(Path wal) {
        try {
            byte[] all = Files.readAllBytes(wal);
            int pageSize = ByteBuffer.wrap(all, 8, 4).getInt();
            int frameSize = 24 + pageSize;
            int frames = (all.length - 32) / frameSize;
            byte[][] pages = new byte[frames][];
            for (int i = 0; i < frames; i++) {
                int from = 32 + i * frameSize + 24;
                pages[i] = java.util.Arrays.copyOfRange(all, from, from + pageSize);
            }
            return pages;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code count} distinct database pages of {@link #PAGE_SIZE} bytes, taken from a WAL SQLite wrote (so their
     * contents compress like real pages); the WAL is made in {@code dir}.
     */
    public static byte[][] pages(Path dir, int count) {
        byte[][] walPages = walPages(sqliteWal(dir, walBytesFor(count)));
        if (walPages.length < count) {
            throw new IllegalStateException("the WAL fixture holds " + walPages.length + " pages, " + count
                    + " needed");
        }
        return java.util.Arrays.copyOf(walPages, count);
    }

    private static long walBytesFor(int pages) {
        return (long) pages * (PAGE_SIZE + 24);
    }

    /** Removes {@code dir} and everything below it; quietly does nothing when it is already gone. */
    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + dir, e);
        }
    }

    private static String sentence(SplittableRandom random, int length) {
        StringBuilder b = new StringBuilder(length + 16);
        while (b.length() < length) {
            b.append(WORDS[random.nextInt(WORDS.length)]).append(' ').append(random.nextInt(100_000)).append(' ');
        }
        return b.substring(0, length);
    }
}
