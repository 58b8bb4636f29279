package io.litefleet.core.state;

import io.litefleet.api.discovery.FileFingerprint;
import io.litefleet.core.state.ReplicaPosition.WalMark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.sqlite.SQLiteConfig;

/**
 * The state directory's catalog: an embedded SQLite database ({@code <state-dir>/catalog.db}) with one row per
 * known database, so a restart resumes from recorded positions instead of re-capturing anything. Thread-safe:
 * one connection, serialised. The owner closes it.
 */
public final class Catalog implements AutoCloseable {
    /** The catalog's file name in the state directory. */
    public static final String FILE_NAME = "catalog.db";
    private static final int SCHEMA_VERSION = 6;
    private static final String COLUMNS = "db_path, replica, txid, post_apply_checksum, page_size, commit_pages, "
            + "wal_offset, wal_salt1, wal_salt2, wal_checksum1, wal_checksum2, wal_commit, wal_frames, db_size, db_mtime_ns, wal_size, "
            + "wal_mtime_ns, updated_at_ms";
    private static final String WRITE_COLUMNS = COLUMNS + ", run_id";

    private final Path file;
    private final Connection conn;
    /**
     * Serves {@link #get} and {@link #recordedThisRun}: the catalog is in WAL mode, so a read on its own connection
     * sees every committed position without waiting for a writer's commit (and its fsync) on {@code conn}.
     */
    private final Connection reader;
    private final Object readLock = new Object();
    /** Identifies this open catalog: rows recorded through it carry it (see {@link #recordedThisRun}). */
    private final long run = java.util.concurrent.ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    private volatile boolean closed;
    /** Positions waiting for the next group commit ({@link #put}), and that commit. Guarded by {@code queued}. */
    private final List<ReplicaPosition> queued = new ArrayList<>();
    private GroupCommit current = new GroupCommit();
    /** Transactions {@link #put} has run (guarded by this). */
    private long groupCommits;

    private Catalog(Path file, Connection conn, Connection reader) {
        this.file = file;
        this.conn = conn;
        this.reader = reader;
    }

    /** Opens (creating if needed) the catalog in {@code stateDir}. */
    public static Catalog open(Path stateDir) throws IOException {
        Files.createDirectories(stateDir);
        Path file = stateDir.resolve(FILE_NAME);
        SQLiteConfig config = new SQLiteConfig();
        // FULL: a recorded position must survive power loss as surely as the upload it follows.
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        config.setBusyTimeout(5000);
        // Several replicate processes may share the directory: every transaction here writes, so it takes the write
        // lock when it begins (a deferred one that read first cannot upgrade after another process committed).
        config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
        try {
            Connection conn = config.createConnection("jdbc:sqlite:" + file);
            try {
                walMode(conn);
                migrate(conn, file);
            } catch (SQLException | IOException e) {
                conn.close();
                throw e;
            }
            try {
                SQLiteConfig readOnly = new SQLiteConfig();
                readOnly.setReadOnly(true);
                readOnly.setBusyTimeout(5000);
                return new Catalog(file, conn, readOnly.createConnection("jdbc:sqlite:" + file));
            } catch (SQLException e) {
                conn.close();
                throw e;
            }
        } catch (SQLException e) {
            throw new IOException(file + ": cannot open the state catalog: " + e.getMessage(), e);
        }
    }

    /**
     * Switches the catalog to WAL mode once the busy timeout is in force: processes starting together on a fresh
     * directory race for that switch, and a connection whose pragmas set the journal mode first failed at once with
     * SQLITE_BUSY. A still-busy switch is retried for up to the busy timeout.
     */
    private static void walMode(Connection conn) throws SQLException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("PRAGMA journal_mode=WAL")) {
                if (rs.next() && "wal".equalsIgnoreCase(rs.getString(1))) {
                    return;
                }
                throw new SQLException("the catalog could not be switched to WAL mode");
            } catch (SQLException e) {
                if (!String.valueOf(e.getMessage()).contains("SQLITE_BUSY") || System.nanoTime() > deadline) {
                    throw e;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L); // another process is switching it
            }
        }
    }

    private static void migrate(Connection conn, Path file) throws SQLException, IOException {
        conn.setAutoCommit(false);
        try {
            migrateSteps(conn, file);
            conn.commit();
        } catch (SQLException | IOException e) {
            conn.rollback();
            throw e;
        } finally {
            conn.setAutoCommit(true);
        }
    }

    private static void migrateSteps(Connection conn, Path file) throws SQLException, IOException {
        try (Statement st = conn.createStatement()) {
            int version;
            try (ResultSet rs = st.executeQuery("PRAGMA user_version")) {
                version = rs.next() ? rs.getInt(1) : 0;
            }
            if (version > SCHEMA_VERSION) {
                throw new IOException(file + ": catalog schema version " + version
                        + " is newer than this Litefleet understands (" + SCHEMA_VERSION + ")");
            }
            if (version == 0) {
                st.executeUpdate("CREATE TABLE IF NOT EXISTS position ("
                        + "db_path TEXT PRIMARY KEY, replica TEXT NOT NULL, txid INTEGER NOT NULL, "
                        + "post_apply_checksum INTEGER NOT NULL, page_size INTEGER NOT NULL, "
                        + "commit_pages INTEGER NOT NULL, wal_offset INTEGER NOT NULL, wal_salt1 INTEGER NOT NULL, "
                        + "wal_salt2 INTEGER NOT NULL, wal_checksum1 INTEGER NOT NULL, "
                        + "wal_checksum2 INTEGER NOT NULL, wal_commit INTEGER NOT NULL, wal_frames INTEGER NOT NULL, db_size INTEGER NOT NULL, db_mtime_ns INTEGER NOT NULL, "
                        + "wal_size INTEGER NOT NULL, wal_mtime_ns INTEGER NOT NULL, "
                        + "updated_at_ms INTEGER NOT NULL) WITHOUT ROWID");
            }
            if (version < 2) {
                st.executeUpdate("CREATE TABLE IF NOT EXISTS tier (db_path TEXT PRIMARY KEY, tier TEXT NOT NULL, "
                        + "promotions INTEGER NOT NULL, demotions INTEGER NOT NULL, changed_at_ms INTEGER NOT NULL) "
                        + "WITHOUT ROWID");
            }
            if (version < 3) {
                st.executeUpdate("CREATE TABLE IF NOT EXISTS unsettled (db_path TEXT PRIMARY KEY) WITHOUT ROWID");
            }
            if (version < 4) {
                if (!hasColumn(st, "position", "run_id")) {
                    st.executeUpdate("ALTER TABLE position ADD COLUMN run_id INTEGER NOT NULL DEFAULT 0");
                }
            }
            if (version < 5) {
                // One row per database and destination (several replicas per database), not per database.
                st.executeUpdate("CREATE TABLE position_v5 ("
                        + "db_path TEXT NOT NULL, replica TEXT NOT NULL, txid INTEGER NOT NULL, "
                        + "post_apply_checksum INTEGER NOT NULL, page_size INTEGER NOT NULL, "
                        + "commit_pages INTEGER NOT NULL, wal_offset INTEGER NOT NULL, wal_salt1 INTEGER NOT NULL, "
                        + "wal_salt2 INTEGER NOT NULL, wal_checksum1 INTEGER NOT NULL, "
                        + "wal_checksum2 INTEGER NOT NULL, wal_commit INTEGER NOT NULL, wal_frames INTEGER NOT NULL, "
                        + "db_size INTEGER NOT NULL, db_mtime_ns INTEGER NOT NULL, wal_size INTEGER NOT NULL, "
                        + "wal_mtime_ns INTEGER NOT NULL, updated_at_ms INTEGER NOT NULL, "
                        + "run_id INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (db_path, replica)) WITHOUT ROWID");
                st.executeUpdate("INSERT INTO position_v5 (" + WRITE_COLUMNS + ") SELECT " + WRITE_COLUMNS
                        + " FROM position");
                st.executeUpdate("DROP TABLE position");
                st.executeUpdate("ALTER TABLE position_v5 RENAME TO position");
            }
            if (version < 6) {
                // When a database was last seen gone (tier 'deleted'), kept across later 'deleted' records and cleared
                // when it reappears: the deletion lifecycle (litefleet prune --deleted-for) ages from it.
                if (!hasColumn(st, "tier", "deleted_at_ms")) {
                    st.executeUpdate("ALTER TABLE tier ADD COLUMN deleted_at_ms INTEGER");
                }
            }
            if (version < SCHEMA_VERSION) {
                st.executeUpdate("PRAGMA user_version = " + SCHEMA_VERSION);
            }
        }
    }

    private static boolean hasColumn(Statement st, String table, String column) throws SQLException {
        try (ResultSet rs = st.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (rs.next()) {
                if (column.equals(rs.getString("name"))) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The state directory this catalog lives in. */
    public Path directory() {
        return file.getParent();
    }

    /** The recorded position of a database at one destination ({@code replica}, as the row names it), if any. */
    public Optional<ReplicaPosition> get(String dbPath, String replica) throws IOException {
        synchronized (readLock) {
            return getOne(dbPath, replica);
        }
    }

    private Optional<ReplicaPosition> getOne(String dbPath, String replica) throws IOException {
        ensureOpen();
        try (PreparedStatement ps = reader.prepareStatement("SELECT " + COLUMNS
                + " FROM position WHERE db_path = ? AND replica = ?")) {
            ps.setString(1, dbPath);
            ps.setString(2, replica);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure("read " + dbPath, e);
        }
    }

    /**
     * The most recently recorded position of a database at any of its destinations, if any (one destination: its
     * position).
     */
    public Optional<ReplicaPosition> get(String dbPath) throws IOException {
        synchronized (readLock) {
            return latest(dbPath);
        }
    }

    private Optional<ReplicaPosition> latest(String dbPath) throws IOException {
        ensureOpen();
        try (PreparedStatement ps = reader.prepareStatement("SELECT " + COLUMNS + " FROM position WHERE db_path = ? "
                + "ORDER BY updated_at_ms DESC LIMIT 1")) {
            ps.setString(1, dbPath);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failure("read " + dbPath, e);
        }
    }

    /**
     * Whether the position of {@code dbPath} at {@code replica} was recorded through this open catalog, i.e. by this process since it
     * opened the state directory (which it holds exclusively). Such a position needs no check against the replica:
     * nothing else wrote to the replica in between without our knowing. False for unknown databases.
     */
    public boolean recordedThisRun(String dbPath, String replica) throws IOException {
        synchronized (readLock) {
            return recordedByRun(dbPath, replica);
        }
    }

    private boolean recordedByRun(String dbPath, String replica) throws IOException {
        ensureOpen();
        try (PreparedStatement ps = reader.prepareStatement("SELECT run_id FROM position WHERE db_path = ? "
                + "AND replica = ?")) {
            ps.setString(1, dbPath);
            ps.setString(2, replica);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) == run;
            }
        } catch (SQLException e) {
            throw failure("read " + dbPath, e);
        }
    }

    /** Every recorded position, ordered by path. */
    public synchronized List<ReplicaPosition> all() throws IOException {
        ensureOpen();
        List<ReplicaPosition> out = new ArrayList<>();
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT " + COLUMNS + " FROM position ORDER BY db_path")) {
            while (rs.next()) {
                out.add(read(rs));
            }
            return out;
        } catch (SQLException e) {
            throw failure("list", e);
        }
    }

    /** Records positions, replacing earlier ones, in one transaction (durable on return). */
    public synchronized void putAll(Collection<ReplicaPosition> positions) throws IOException {
        batch("write", "INSERT OR REPLACE INTO position (" + WRITE_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", positions, (ps, p) -> {
                    bind(ps, p);
                    ps.setLong(19, run);
                });
    }

    /** Binds one item of a batch. */
    private interface Binder<T> {
        void bind(PreparedStatement ps, T item) throws SQLException;
    }

    /** Runs one statement for every item, in one transaction. */
    private <T> void batch(String what, String sql, Collection<T> items, Binder<T> binder) throws IOException {
        transaction(what, () -> {
            try (PreparedStatement ps = conn.prepareStatement(sql)) {
                for (T item : items) {
                    binder.bind(ps, item);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    /** Statements to run in one transaction. */
    private interface Work {
        void run() throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws.
     *
     * <p>{@code BEGIN IMMEDIATE} and {@code COMMIT} are issued as statements on the auto-commit connection rather than
     * through {@code setAutoCommit(false)}/{@code commit()}/{@code setAutoCommit(true)}: the driver's {@code commit()}
     * opens the next transaction at once ({@code commit; begin immediate;}) and {@code setAutoCommit(true)} then
     * commits that empty one, so every write paid a second write lock on the WAL (eight {@code fcntl}s, two
     * statements). The driver leaves statements inside an explicit transaction alone (its auto-commit check finds
     * one open).
     */
    private void transaction(String what, Work work) throws IOException {
        ensureOpen();
        try {
            exec(conn, "BEGIN IMMEDIATE");
            try {
                work.run();
                exec(conn, "COMMIT");
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(conn, e);
                throw e;
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /** Runs one statement that returns no rows. */
    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /**
     * Rolls back the transaction {@code cause} ended, if SQLite has not already (it rolls back by itself after some
     * errors, and a second {@code ROLLBACK} fails with "no transaction is active"): that failure is kept as suppressed.
     */
    private static void rollbackQuietly(Connection c, Throwable cause) {
        try {
            exec(c, "ROLLBACK");
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * Records one position, durable on return. Group commit: positions recorded by several threads at once are
     * written in one transaction (one fsync) by whichever of them gets the connection first, so a thousand
     * databases syncing every second do not queue for a thousand fsyncs.
     */
    public void put(ReplicaPosition position) throws IOException {
        GroupCommit mine;
        synchronized (queued) {
            queued.add(position);
            mine = current;
        }
        synchronized (this) {
            if (mine.done) {
                mine.rethrow();
                return;
            }
            List<ReplicaPosition> batch;
            synchronized (queued) {
                batch = new ArrayList<>(queued);
                queued.clear();
                current = new GroupCommit();
            }
            try {
                putAll(batch);
                groupCommits++;
            } catch (IOException | RuntimeException e) {
                mine.failure = e;
                throw e;
            } finally {
                mine.done = true;
            }
        }
    }

    /** Transactions that single-position {@link #put}s have run, so far (tests). */
    synchronized long groupCommits() {
        return groupCommits;
    }

    /** The positions of one group commit: written (or failed) together. Fields guarded by the catalog's monitor. */
    private static final class GroupCommit {
        boolean done;
        Exception failure;

        void rethrow() throws IOException {
            if (failure instanceof IOException e) {
                throw new IOException(e.getMessage(), e);
            }
            if (failure instanceof RuntimeException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
    }

    /**
     * Records tier changes in one transaction: the tier, plus promotions and demotions added to the running
     * counts.
     */
    public synchronized void putTiers(Collection<TierChange> changes) throws IOException {
        // deleted_at_ms: set when a database becomes 'deleted', kept while it stays so, cleared when it comes back.
        batch("write tiers", "INSERT INTO tier (db_path, tier, promotions, demotions, changed_at_ms, deleted_at_ms) "
                + "VALUES (?, ?, ?, ?, ?, CASE WHEN ?2 = 'deleted' THEN ?5 END) ON CONFLICT(db_path) DO UPDATE SET "
                + "deleted_at_ms = CASE WHEN excluded.tier <> 'deleted' THEN NULL WHEN tier.tier = 'deleted' "
                + "THEN coalesce(tier.deleted_at_ms, tier.changed_at_ms) ELSE excluded.changed_at_ms END, "
                + "tier = excluded.tier, "
                + "promotions = promotions + excluded.promotions, demotions = demotions + excluded.demotions, "
                + "changed_at_ms = excluded.changed_at_ms", changes, (ps, c) -> {
                    ps.setString(1, c.dbPath());
                    ps.setString(2, c.tier());
                    ps.setLong(3, c.promotions());
                    ps.setLong(4, c.demotions());
                    ps.setLong(5, c.at().toEpochMilli());
                });
    }

    /**
     * Records which cold databases' replicas still need settling (compaction, snapshot, retention), so a restart
     * settles what the last run did not.
     *
     * @param unsettled databases that need it now
     * @param settled   databases that no longer do
     */
    public synchronized void putUnsettled(Collection<String> unsettled, Collection<String> settled)
            throws IOException {
        if (!unsettled.isEmpty()) {
            batch("record unsettled replicas", "INSERT OR IGNORE INTO unsettled (db_path) VALUES (?)", unsettled,
                    (ps, p) -> ps.setString(1, p));
        }
        if (!settled.isEmpty()) {
            batch("record settled replicas", "DELETE FROM unsettled WHERE db_path = ?", settled,
                    (ps, p) -> ps.setString(1, p));
        }
    }

    /** The databases whose replicas still need settling, as {@link #putUnsettled} left them. */
    public synchronized List<String> unsettled() throws IOException {
        ensureOpen();
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT db_path FROM unsettled ORDER BY db_path")) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw failure("list unsettled replicas", e);
        }
    }

    /**
     * Every known database with its replica position and tier, ordered by path.
     *
     * @param tier   only this tier ({@code hot}, {@code cold}, {@code deleted}, {@code excluded}), or null for all
     * @param prefix only paths starting with this, or null
     */
    public synchronized List<DatabaseRow> databases(String tier, String prefix) throws IOException {
        ensureOpen();
        String sql = "SELECT p.db_path, coalesce(t.tier, 'cold'), p.replica, p.txid, p.updated_at_ms, "
                + "coalesce(t.promotions, 0), coalesce(t.demotions, 0), p.db_size FROM position p "
                + "LEFT JOIN tier t ON t.db_path = p.db_path WHERE (? IS NULL OR coalesce(t.tier, 'cold') = ?) "
                + "AND (? IS NULL OR substr(p.db_path, 1, length(?)) = ?) ORDER BY p.db_path";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setString(1, tier);
            ps.setString(2, tier);
            ps.setString(3, prefix);
            ps.setString(4, prefix);
            ps.setString(5, prefix);
            return rows(ps);
        } catch (SQLException e) {
            throw failure("list databases", e);
        }
    }

    /**
     * One page of {@link #databases(String, String)}: the rows of at most {@code limit} databases whose paths sort
     * after {@code after}, every replica row of each (so a page never splits a database), ordered by path then
     * replica.
     *
     * @param tier   only this tier, or null for all
     * @param prefix only paths starting with this, or null
     * @param after  only paths sorting after this (the last path of the previous page), or null from the start
     * @param limit  at most this many databases (at least 1)
     */
    public synchronized List<DatabaseRow> databases(String tier, String prefix, String after, int limit)
            throws IOException {
        ensureOpen();
        String filter = "(? IS NULL OR coalesce(t.tier, 'cold') = ?) AND (? IS NULL OR substr(p.db_path, 1, "
                + "length(?)) = ?) AND (? IS NULL OR p.db_path > ?)";
        String sql = "SELECT p.db_path, coalesce(t.tier, 'cold'), p.replica, p.txid, p.updated_at_ms, "
                + "coalesce(t.promotions, 0), coalesce(t.demotions, 0), p.db_size FROM position p "
                + "LEFT JOIN tier t ON t.db_path = p.db_path WHERE p.db_path IN (SELECT DISTINCT p.db_path FROM "
                + "position p LEFT JOIN tier t ON t.db_path = p.db_path WHERE " + filter + " ORDER BY p.db_path "
                + "LIMIT ?) ORDER BY p.db_path, p.replica";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            String[] args = {tier, tier, prefix, prefix, prefix, after, after};
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            ps.setInt(args.length + 1, Math.max(1, limit));
            return rows(ps);
        } catch (SQLException e) {
            throw failure("list databases", e);
        }
    }

    private static List<DatabaseRow> rows(PreparedStatement ps) throws SQLException {
        List<DatabaseRow> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new DatabaseRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                        Instant.ofEpochMilli(rs.getLong(5)), rs.getLong(6), rs.getLong(7), rs.getLong(8)));
            }
        }
        return out;
    }

    /**
     * A tier change to record.
     *
     * @param dbPath     the database
     * @param tier       its tier now
     * @param promotions promotions to add (0 or 1)
     * @param demotions  demotions to add (0 or 1)
     * @param at         when
     */
    public record TierChange(String dbPath, String tier, long promotions, long demotions, Instant at) {
    }

    /**
     * One database as {@code litefleet databases} shows it.
     *
     * @param path       the database
     * @param tier       hot, cold, deleted or excluded
     * @param replica    where it replicates
     * @param txid       last TXID shipped
     * @param lastSync   when the position was last recorded
     * @param promotions times promoted
     * @param demotions  times demoted
     * @param size       database size in bytes at the last sync
     */
    public record DatabaseRow(String path, String tier, String replica, long txid, Instant lastSync,
                              long promotions, long demotions, long size) {
    }

    /**
     * The databases recorded gone ({@code deleted}) since before {@code cutoff}, oldest first, each with every
     * destination the catalog knows it replicated to.
     */
    public synchronized List<Gone> deletedBefore(Instant cutoff) throws IOException {
        ensureOpen();
        String sql = "SELECT t.db_path, coalesce(t.deleted_at_ms, t.changed_at_ms) AS gone_ms, p.replica FROM tier t "
                + "LEFT JOIN position p ON p.db_path = t.db_path WHERE t.tier = 'deleted' "
                + "AND coalesce(t.deleted_at_ms, t.changed_at_ms) < ? ORDER BY gone_ms, t.db_path, p.replica";
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.setLong(1, cutoff.toEpochMilli());
            java.util.Map<String, Instant> when = new java.util.LinkedHashMap<>();
            java.util.Map<String, List<String>> where = new java.util.HashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String path = rs.getString(1);
                    when.putIfAbsent(path, Instant.ofEpochMilli(rs.getLong(2)));
                    List<String> replicas = where.computeIfAbsent(path, k -> new ArrayList<>());
                    if (rs.getString(3) != null) {
                        replicas.add(rs.getString(3));
                    }
                }
            }
            List<Gone> out = new ArrayList<>();
            when.forEach((path, at) -> out.add(new Gone(path, at, where.get(path))));
            return out;
        } catch (SQLException e) {
            throw failure("list deleted databases", e);
        }
    }

    /**
     * A database recorded gone.
     *
     * @param path      the database
     * @param deletedAt when it was first seen gone (since it was last present)
     * @param replicas  the destinations it replicated to, as the catalog names them ({@link Catalog#get(String)})
     */
    public record Gone(String path, Instant deletedAt, List<String> replicas) {
        /** Copies. */
        public Gone {
            replicas = List.copyOf(replicas);
        }
    }

    /** Forgets everything recorded about a database: positions, tier and settling, in one transaction. */
    public synchronized void forget(String dbPath) throws IOException {
        transaction("forget " + dbPath, () -> {
            for (String table : List.of("position", "tier", "unsettled")) {
                try (PreparedStatement ps = conn.prepareStatement("DELETE FROM " + table + " WHERE db_path = ?")) {
                    ps.setString(1, dbPath);
                    ps.executeUpdate();
                }
            }
        });
    }

    /** Forgets a database. */
    public synchronized void remove(String dbPath) throws IOException {
        ensureOpen();
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM position WHERE db_path = ?")) {
            ps.setString(1, dbPath);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw failure("delete " + dbPath, e);
        }
    }

    private static void bind(PreparedStatement ps, ReplicaPosition p) throws SQLException {
        ps.setString(1, p.dbPath());
        ps.setString(2, p.replica());
        ps.setLong(3, p.txid());
        ps.setLong(4, p.postApplyChecksum());
        ps.setInt(5, p.pageSize());
        ps.setLong(6, p.commitPages());
        ps.setLong(7, p.wal().offset());
        ps.setInt(8, p.wal().salt1());
        ps.setInt(9, p.wal().salt2());
        ps.setInt(10, p.wal().checksum1());
        ps.setInt(11, p.wal().checksum2());
        ps.setLong(12, p.wal().commitSize());
        ps.setLong(13, p.wal().frames());
        ps.setLong(14, p.fingerprint().dbSize());
        ps.setLong(15, p.fingerprint().dbMtimeNanos());
        ps.setLong(16, p.fingerprint().walSize());
        ps.setLong(17, p.fingerprint().walMtimeNanos());
        ps.setLong(18, p.updatedAt().toEpochMilli());
    }

    private static ReplicaPosition read(ResultSet rs) throws SQLException {
        return new ReplicaPosition(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getInt(5),
                rs.getLong(6), new WalMark(rs.getLong(7), rs.getInt(8), rs.getInt(9), rs.getInt(10), rs.getInt(11),
                        rs.getLong(12), rs.getLong(13)),
                new FileFingerprint(rs.getLong(14), rs.getLong(15), rs.getLong(16), rs.getLong(17)),
                Instant.ofEpochMilli(rs.getLong(18)));
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException(file + ": catalog is closed");
        }
    }

    private IOException failure(String what, SQLException e) {
        return new IOException(file + ": catalog " + what + " failed: " + e.getMessage(), e);
    }

    /** Closes the connection. Idempotent. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try (Connection writer = conn) {
            synchronized (readLock) { // not while a read runs
                reader.close();
            }
        } catch (SQLException e) {
            throw failure("close", e);
        }
    }
}
