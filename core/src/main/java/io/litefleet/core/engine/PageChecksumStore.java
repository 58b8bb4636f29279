package io.litefleet.core.engine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Keeps databases' page checksums, one map per database and destination, packed in one SQLite file in the state
 * directory ({@value #FILE_NAME}), so an open that proves continuity from the WAL does not have to read the whole
 * database to know them, and a capture after a crash (the WAL restarted while nobody replicated) uploads only the
 * pages that differ from the shipped state instead of all of them.
 *
 * <p>A map is a base (every page's checksum at one TXID, replaced whole by {@link #save}) and a journal: one row per
 * shipped TXID with the pages it changed ({@link #append}, one small insert per sync). The file runs in WAL mode with
 * {@code synchronous=NORMAL}: a commit is not fsynced, but a power loss leaves a consistent older state. A record is
 * committed before the catalog records its TXID (same thread, in that order), so the journal reaches at least the
 * catalog's position unless the machine lost power; {@link #load} replays the base and the records up to the
 * asked-for TXID and trusts the result only when it ends exactly at that TXID with that database checksum. A lost,
 * torn or foreign record therefore makes the map untrusted (the caller reads the database instead), never wrong.
 * Base and records keep the byte format of the {@code pages/<hash>.crc} files of earlier versions (each record with
 * its CRC-32C); those files are moved in, then deleted, when the store is first opened.
 *
 * <p>Shared: one store (one connection) per state directory and process, opened by the first {@link #acquire} and
 * closed by the last {@link #release}. Thread-safe.
 */
final class PageChecksumStore {
    /** The file in the state directory. */
    static final String FILE_NAME = "pages.db";
    /** Where earlier versions kept one file per map. */
    static final String OLD_DIR = "pages";
    private static final System.Logger LOG = System.getLogger(PageChecksumStore.class.getName());
    private static final int MAGIC_V1 = 0x4c464350; // "LFCP": base only
    private static final int MAGIC = 0x4c464332; // "LFC2": base + journal
    /** Magic, TXID, checksum, page size, page count. */
    private static final int BASE_HEADER = 4 + 8 + 8 + 4 + 4;
    /** The smallest journal record: length, TXID, checksum, commit, count, CRC. */
    private static final int MIN_RECORD = 32;
    /** Open stores by state directory, with their holders (guarded by itself). */
    private static final Map<Path, PageChecksumStore> OPEN = new HashMap<>();
    /** How long {@link #tryAcquire} leaves a state directory alone after its store failed to open. */
    static final Duration RETRY_AFTER = Duration.ofMinutes(10);
    /** When each state directory whose store failed to open may be tried again (guarded by {@link #OPEN}). */
    private static final Map<Path, Instant> RETRY_AT = new HashMap<>();

    private final Path stateDir;
    private final Connection conn;
    private int holders;

    private PageChecksumStore(Path stateDir, Connection conn) {
        this.stateDir = stateDir;
        this.conn = conn;
    }

    /** The store of {@code stateDir}, opened (and old files moved in) if this process has none open; release it. */
    static PageChecksumStore acquire(Path stateDir) throws IOException {
        Path key = stateDir.toAbsolutePath().normalize();
        synchronized (OPEN) {
            PageChecksumStore s = OPEN.get(key);
            if (s == null) {
                s = open(key);
                OPEN.put(key, s);
            }
            s.holders++;
            return s;
        }
    }

    /**
     * The store of {@code stateDir} (see {@link #acquire}), or null when it cannot be opened: the store is an
     * optimisation, so a failure never stops the caller. A failure is logged once and remembered; the file is not
     * tried again before {@link #RETRY_AFTER} has passed on {@code clock}, whoever asks meanwhile.
     */
    static PageChecksumStore tryAcquire(Path stateDir, Clock clock) {
        Path key = stateDir.toAbsolutePath().normalize();
        synchronized (OPEN) {
            Instant now = clock.instant();
            Instant retry = RETRY_AT.get(key);
            if (retry != null && now.isBefore(retry)) {
                return null;
            }
            try {
                PageChecksumStore s = acquire(key);
                RETRY_AT.remove(key);
                return s;
            } catch (IOException | RuntimeException e) {
                RETRY_AT.put(key, now.plus(RETRY_AFTER));
                LOG.log(System.Logger.Level.WARNING, "page checksums not kept (" + e.getMessage() + "); tried again "
                        + "in " + RETRY_AFTER.toMinutes() + " min, meanwhile each capture reads its database whole");
                return null;
            }
        }
    }

    /** Gives back what {@link #acquire} gave; the last holder closes the file. */
    void release() {
        // Closed under the lock: an acquire meanwhile would otherwise open (and might start anew) the same file.
        synchronized (OPEN) {
            if (--holders > 0) {
                return;
            }
            OPEN.remove(stateDir);
            synchronized (this) {
                try {
                    conn.close();
                } catch (SQLException e) {
                    LOG.log(System.Logger.Level.DEBUG, () -> stateDir.resolve(FILE_NAME) + ": closing: "
                            + e.getMessage());
                }
            }
        }
    }

    private static PageChecksumStore open(Path stateDir) throws IOException {
        Files.createDirectories(stateDir);
        Path file = stateDir.resolve(FILE_NAME);
        try {
            return opened(stateDir, connect(file));
        } catch (SQLException e) {
            if (!damaged(e)) { // busy, full, read-only, cannot open: the file may be fine, so it is kept
                throw new IOException(file + ": cannot open the page-checksum store: " + e.getMessage(), e);
            }
            // A damaged file holds nothing that must survive: every map in it is checked before it is trusted.
            LOG.log(System.Logger.Level.WARNING, file + ": unreadable (" + e.getMessage() + "); starting it anew, "
                    + "the next capture of each database reads it whole");
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                Files.deleteIfExists(Path.of(file + suffix));
            }
            try {
                return opened(stateDir, connect(file));
            } catch (SQLException again) {
                throw new IOException(file + ": cannot open the page-checksum store: " + again.getMessage(), again);
            }
        }
    }

    /** Whether {@code e} says the file is damaged (not a database, or a corrupt one), not merely unusable now. */
    static boolean damaged(SQLException e) {
        if (!(e instanceof SQLiteException se)) {
            return false;
        }
        int primary = se.getResultCode().code & 0xff;
        return primary == SQLiteErrorCode.SQLITE_CORRUPT.code || primary == SQLiteErrorCode.SQLITE_NOTADB.code;
    }

    private static PageChecksumStore opened(Path stateDir, Connection conn) throws SQLException {
        PageChecksumStore s = new PageChecksumStore(stateDir, conn);
        try {
            OldChecksumFiles.moveInto(s, stateDir.resolve(OLD_DIR));
            return s;
        } catch (SQLException | RuntimeException e) {
            conn.close();
            throw e;
        }
    }

    private static Connection connect(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(5000);
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        Connection conn = config.createConnection("jdbc:sqlite:" + file);
        try (Statement st = conn.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            // The WAL would otherwise keep its high-water mark (4 MB by default) whatever the data's size.
            st.execute("PRAGMA wal_autocheckpoint=256");
            st.execute("PRAGMA journal_size_limit=1048576");
            // Without rowid: a key stored once (a rowid table adds an index holding it again): 10,000 small maps
            // take 0.75 MB instead of 0.97 MB. A large map (2 MB for a 1 GiB database) goes to overflow pages either way.
            st.execute("CREATE TABLE IF NOT EXISTS base (map BLOB PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID");
            st.execute("CREATE TABLE IF NOT EXISTS journal (map BLOB NOT NULL, txid INTEGER NOT NULL, "
                    + "data BLOB NOT NULL, PRIMARY KEY (map, txid)) WITHOUT ROWID");
            st.executeQuery("SELECT count(*) FROM base").close(); // a damaged file fails here, not at first use
            return conn;
        } catch (SQLException e) {
            conn.close();
            throw e;
        }
    }

    /**
     * A map read back.
     *
     * @param crcs         the page checksums at the asked-for position
     * @param appendable   whether {@link #append} may continue this map: its journal ends at that position
     * @param journalBytes journal bytes after the base, for the caller's rewrite threshold
     */
    record Loaded(PageChecksums crcs, boolean appendable, long journalBytes) {
    }

    /** Saves the whole map for {@code db} at position {@code txid}/{@code checksum}, dropping its journal. */
    void save(String db, long txid, long checksum, int pageSize, PageChecksums crcs) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(BASE_HEADER + 8 * crcs.pages());
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        out.writeLong(txid);
        out.writeLong(checksum);
        out.writeInt(pageSize);
        out.writeInt(crcs.pages());
        for (int p = 1; p <= crcs.pages(); p++) {
            out.writeLong(crcs.get(p));
        }
        byte[] map = key(db);
        try {
            inTransaction(() -> putBase(map, bytes.toByteArray()));
        } catch (SQLException e) {
            throw new IOException(stateDir.resolve(FILE_NAME) + ": saving page checksums: " + e.getMessage(), e);
        }
    }

    /** Replaces the base of {@code map} and drops its journal (inside {@link #inTransaction}). */
    synchronized void putBase(byte[] map, byte[] base) throws SQLException {
        try (PreparedStatement del = conn.prepareStatement("DELETE FROM journal WHERE map = ?");
             PreparedStatement put = conn.prepareStatement("INSERT OR REPLACE INTO base VALUES (?, ?)")) {
            del.setBytes(1, map);
            del.executeUpdate();
            put.setBytes(1, map);
            put.setBytes(2, base);
            put.executeUpdate();
        }
    }

    /**
     * Appends the pages TXID {@code txid} changed (the store must hold the map at {@code txid - 1}).
     *
     * @param checksum the database checksum after {@code txid}
     * @param commit   the database size in pages after {@code txid}
     * @return the bytes appended
     */
    long append(String db, long txid, long checksum, int commit, Map<Integer, Long> changed) throws IOException {
        byte[] record = record(txid, checksum, commit, changed);
        try {
            putRecord(key(db), txid, record);
        } catch (SQLException e) {
            throw new IOException(stateDir.resolve(FILE_NAME) + ": appending page checksums: " + e.getMessage(), e);
        }
        return record.length;
    }

    /** A journal record: its length, TXID, database checksum and size after it, the changed pages, a CRC-32C. */
    static byte[] record(long txid, long checksum, int commit, Map<Integer, Long> changed) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(MIN_RECORD + changed.size() * 12);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MIN_RECORD + changed.size() * 12);
        out.writeLong(txid);
        out.writeLong(checksum);
        out.writeInt(commit);
        out.writeInt(changed.size());
        for (Map.Entry<Integer, Long> e : changed.entrySet()) {
            out.writeInt(e.getKey());
            out.writeLong(e.getValue());
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes.toByteArray());
        out.writeInt((int) crc.getValue());
        return bytes.toByteArray();
    }

    /** Adds (or replaces) the journal record of {@code map} for {@code txid}. */
    synchronized void putRecord(byte[] map, long txid, byte[] record) throws SQLException {
        try (PreparedStatement put = conn.prepareStatement("INSERT OR REPLACE INTO journal VALUES (?, ?, ?)")) {
            put.setBytes(1, map);
            put.setLong(2, txid);
            put.setBytes(3, record);
            put.executeUpdate();
        }
    }

    /** The map saved for exactly this position, if any (replaying the journal up to {@code txid}). */
    Optional<Loaded> load(String db, long txid, long checksum, int pageSize) {
        byte[] stored;
        try {
            stored = read(key(db));
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> stateDir.resolve(FILE_NAME) + ": reading page checksums: "
                    + e.getMessage());
            return Optional.empty(); // unreadable is just not trusted
        }
        if (stored == null) {
            return Optional.empty();
        }
        try {
            return replayed(new DataInputStream(new ByteArrayInputStream(stored)), stored.length, txid, checksum,
                    pageSize);
        } catch (IOException e) {
            return Optional.empty(); // a torn or foreign map is just not trusted
        }
    }

    /** The base of {@code map} followed by its journal records in TXID order; null without a base. */
    private synchronized byte[] read(byte[] map) throws SQLException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PreparedStatement base = conn.prepareStatement("SELECT data FROM base WHERE map = ?")) {
            base.setBytes(1, map);
            try (ResultSet rs = base.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                out.writeBytes(rs.getBytes(1));
            }
        }
        try (PreparedStatement journal = conn.prepareStatement(
                "SELECT data FROM journal WHERE map = ? ORDER BY txid")) {
            journal.setBytes(1, map);
            try (ResultSet rs = journal.executeQuery()) {
                while (rs.next()) {
                    out.writeBytes(rs.getBytes(1));
                }
            }
        }
        return out.toByteArray();
    }

    private static Optional<Loaded> replayed(DataInputStream in, long size, long txid, long checksum, int pageSize)
            throws IOException {
        int magic = in.readInt();
        long baseTxid = in.readLong();
        long baseChecksum = in.readLong();
        if ((magic != MAGIC && magic != MAGIC_V1) || in.readInt() != pageSize || baseTxid > txid) {
            return Optional.empty();
        }
        int pages = in.readInt();
        long baseBytes = BASE_HEADER + 8L * pages;
        if (pages < 0 || baseBytes > size) {
            return Optional.empty(); // torn or foreign: never allocate what it claims
        }
        Map<Integer, Long> all = new HashMap<>(Math.max(16, pages * 2));
        for (int p = 1; p <= pages; p++) {
            long crc = in.readLong();
            if (crc != 0) {
                all.put(p, crc);
            }
        }
        PageChecksums crcs = new PageChecksums(pageSize);
        crcs.apply(all, pages);
        if (crcs.rolling() != baseChecksum) {
            return Optional.empty();
        }
        long at = baseTxid;
        long[] left = {size - baseBytes};
        while (magic == MAGIC && at < txid && replay(in, at + 1, crcs, left)) {
            at++;
        }
        if (at != txid || crcs.rolling() != checksum) {
            return Optional.empty();
        }
        // Appending continues the map only when nothing follows the position (a record of an upload that was never
        // recorded would otherwise sit between).
        boolean atEnd = in.read() < 0;
        return Optional.of(new Loaded(crcs, magic == MAGIC && atEnd, size - baseBytes));
    }

    /** Applies the next journal record if it is intact and for {@code txid}; false otherwise. */
    private static boolean replay(DataInputStream in, long txid, PageChecksums crcs, long[] left) throws IOException {
        int length;
        try {
            length = in.readInt();
        } catch (EOFException e) {
            return false;
        }
        if (length < MIN_RECORD || length > left[0]) {
            return false;
        }
        left[0] -= length;
        byte[] record = new byte[length];
        writeInt(record, 0, length);
        try {
            in.readFully(record, 4, length - 4);
        } catch (EOFException e) {
            return false;
        }
        CRC32C crc = new CRC32C();
        crc.update(record, 0, length - 4);
        DataInputStream r = new DataInputStream(new ByteArrayInputStream(record, 4, length - 4));
        long recordTxid = r.readLong();
        long checksum = r.readLong();
        int commit = r.readInt();
        int n = r.readInt();
        if ((int) crc.getValue() != readInt(record, length - 4) || recordTxid != txid || n < 0
                || length != MIN_RECORD + n * 12) {
            return false;
        }
        Map<Integer, Long> changed = new HashMap<>(Math.max(16, n * 2));
        for (int i = 0; i < n; i++) {
            changed.put(r.readInt(), r.readLong());
        }
        crcs.apply(changed, commit);
        return crcs.rolling() == checksum;
    }

    static int readInt(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    private static void writeInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    /**
     * The map of {@code name} (a database's path, and its destination when it has several): the first 16 bytes of
     * its SHA-256, as the file names of earlier versions were.
     */
    static byte[] key(String name) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return java.util.Arrays.copyOf(h, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs {@code body} in one transaction. {@code BEGIN IMMEDIATE}/{@code COMMIT} are statements on the auto-commit
     * connection: the driver's {@code commit()} opens the next write transaction at once and
     * {@code setAutoCommit(true)} commits it empty, a second WAL write lock per save (as in the catalog).
     */
    synchronized void inTransaction(SqlBody body) throws SQLException {
        exec("BEGIN IMMEDIATE");
        try {
            body.run();
            exec("COMMIT");
        } catch (SQLException | RuntimeException e) {
            try {
                exec("ROLLBACK");
            } catch (SQLException r) {
                e.addSuppressed(r); // SQLite already rolled back after the error
            }
            throw e;
        }
    }

    private void exec(String sql) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute(sql);
        }
    }

    /**
     * Copies the WAL into the file and syncs both ({@code synchronous=NORMAL} syncs around a checkpoint), so what was
     * committed survives a power loss; false when another connection kept it from completing.
     */
    synchronized boolean checkpoint() throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(FULL)")) {
            return rs.next() && rs.getInt(1) == 0;
        }
    }

    /** Work inside {@link #inTransaction}. */
    interface SqlBody {
        void run() throws SQLException;
    }

    /** The base length of a stored base (header and checksums), or -1 when {@code data} does not start with one. */
    static long baseLength(byte[] data) {
        if (data.length < BASE_HEADER) {
            return -1;
        }
        int magic = readInt(data, 0);
        int pages = readInt(data, BASE_HEADER - 4);
        long length = BASE_HEADER + 8L * pages;
        return (magic == MAGIC || magic == MAGIC_V1) && pages >= 0 && length <= data.length ? length : -1;
    }

    /** The record length at {@code at} of a journal in {@code data}, or -1 when none fits there. */
    static int recordLength(byte[] data, int at) {
        if (data.length - at < MIN_RECORD) {
            return -1;
        }
        int length = readInt(data, at);
        return length >= MIN_RECORD && length <= data.length - at ? length : -1;
    }
}
