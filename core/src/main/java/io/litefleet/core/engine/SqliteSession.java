package io.litefleet.core.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteOpenMode;

/**
 * Litefleet's one long-lived SQLite connection to a replicated database. It holds a read transaction almost all
 * the time, so the application's checkpoints can backfill but never restart the WAL behind us: the frames we have
 * not shipped stay in the {@code -wal}.
 *
 * <p>The connection is read-only and never opened with CREATE: a deleted database is not recreated, and closing
 * it never checkpoints or deletes the WAL (only a read-write connection that closes last does that), so demoting
 * a database leaves its files exactly as the application left them. Checkpoints run on a short-lived read-write
 * connection ({@link #checkpoint}), whose {@code PRAGMA data_version} tells whether another connection committed
 * while our snapshot was released. Not thread-safe; the owner closes it.
 */
final class SqliteSession implements AutoCloseable {
    private final Path db;
    private final Connection conn;
    private final int pageSize;
    private boolean reading;

    private SqliteSession(Path db, Connection conn, int pageSize) {
        this.db = db;
        this.conn = conn;
        this.pageSize = pageSize;
    }

    /**
     * Opens the database, checks it is a WAL database and starts the read transaction. A rollback-journal database
     * is switched to WAL mode first when {@code convertToWal} is set (as Litestream does), else refused.
     *
     * @throws NotReplicableException when the file is missing, not a database, or not in WAL mode and not converted
     */
    static SqliteSession open(Path db, Duration busyTimeout, boolean convertToWal) throws IOException {
        if (!Files.isRegularFile(db)) {
            throw new NotReplicableException(db + ": database file not found");
        }
        SQLiteConfig config = new SQLiteConfig();
        config.resetOpenMode(SQLiteOpenMode.CREATE);
        config.setReadOnly(true);
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
        Connection conn;
        try {
            conn = config.createConnection("jdbc:sqlite:" + db);
        } catch (SQLException e) {
            throw failure(db, "cannot open database", e);
        }
        try {
            String mode = queryString(conn, "PRAGMA journal_mode");
            if (!"wal".equals(mode.toLowerCase(Locale.ROOT))) {
                closeQuietly(conn); // no connection of ours may stay open while the converter's closes (POSIX locks)
                if (!convertToWal) {
                    throw WalConversion.refusal(db, mode);
                }
                WalConversion.convert(db, mode, busyTimeout);
                return open(db, busyTimeout, false);
            }
            int pageSize = (int) queryLong(conn, "PRAGMA page_size");
            SqliteSession s = new SqliteSession(db, conn, pageSize);
            s.beginRead();
            return s;
        } catch (SQLException e) {
            closeQuietly(conn);
            throw failure(db, "cannot read database", e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(conn);
            throw e;
        }
    }

    /**
     * A refusal for what stays wrong until the file changes (not a database, corrupt, unreadable for this user);
     * a plain {@link IOException} for what may pass (busy, locked, out of descriptors or memory, I/O errors).
     */
    static IOException failure(Path db, String what, SQLException e) {
        int code = e instanceof org.sqlite.SQLiteException se ? se.getResultCode().code & 0xff : -1;
        String message = db + ": " + what + ": " + e.getMessage();
        return switch (code) {
            case 26, 11, 23, 3 -> new NotReplicableException(message); // NOTADB, CORRUPT, AUTH, PERM
            default -> new IOException(message, e);
        };
    }

    /** The database page size. */
    int pageSize() {
        return pageSize;
    }

    /** Whether a read transaction is open. */
    boolean isReading() {
        return reading;
    }

    /** Starts a read transaction (a snapshot) if none is open. */
    void beginRead() throws IOException {
        if (reading) {
            return;
        }
        try {
            conn.setAutoCommit(false);
            queryLong(conn, "SELECT count(*) FROM sqlite_master");
            reading = true;
        } catch (SQLException e) {
            throw new IOException(db + ": cannot start read transaction: " + e.getMessage(), e);
        }
    }

    /** Ends the read transaction, if any. */
    void endRead() throws IOException {
        if (!reading) {
            return;
        }
        try {
            conn.commit();
            conn.setAutoCommit(true);
            reading = false;
        } catch (SQLException e) {
            throw new IOException(db + ": cannot end read transaction: " + e.getMessage(), e);
        }
    }

    /** Ends the read transaction and starts a new one on the latest state. */
    void refresh() throws IOException {
        endRead();
        beginRead();
    }

    /**
     * Opens the short-lived read-write connection a checkpoint runs on, after releasing our snapshot. The caller
     * closes it and then calls {@link #beginRead()}.
     */
    Checkpointer checkpointer(Duration busyTimeout) throws IOException {
        endRead();
        SQLiteConfig config = new SQLiteConfig();
        config.resetOpenMode(SQLiteOpenMode.CREATE);
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
        try {
            return new Checkpointer(db, config.createConnection("jdbc:sqlite:" + db));
        } catch (SQLException e) {
            throw new IOException(db + ": cannot open a connection for the checkpoint: " + e.getMessage(), e);
        }
    }

    /**
     * A read-write connection for one checkpoint. Call {@link #snapshot()} (the state it sees must be the shipped
     * one), then {@link #checkpoint(String)}, then compare {@link #dataVersion()} with the snapshot's: equal means
     * no other connection committed in between. It is never the last connection to close (ours stays open), so
     * closing it never checkpoints or deletes the WAL by itself.
     */
    static final class Checkpointer implements AutoCloseable {
        private final Path db;
        private final Connection conn;

        private Checkpointer(Path db, Connection conn) {
            this.db = db;
            this.conn = conn;
        }

        /** Takes and releases a read snapshot; returns its {@code data_version}. */
        long snapshot() throws IOException {
            try {
                conn.setAutoCommit(false);
                queryLong(conn, "SELECT count(*) FROM sqlite_master");
                long v = queryLong(conn, "PRAGMA data_version");
                conn.commit();
                conn.setAutoCommit(true);
                return v;
            } catch (SQLException e) {
                throw new IOException(db + ": checkpoint snapshot failed: " + e.getMessage(), e);
            }
        }

        /** Runs {@code PRAGMA wal_checkpoint(mode)}; whether it finished is judged from the WAL afterwards. */
        void checkpoint(String mode) throws IOException {
            try (Statement st = conn.createStatement();
                 ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
                rs.next();
            } catch (SQLException e) {
                throw new IOException(db + ": checkpoint " + mode + " failed: " + e.getMessage(), e);
            }
        }

        /** The current {@code data_version}. */
        long dataVersion() throws IOException {
            try {
                return queryLong(conn, "PRAGMA data_version");
            } catch (SQLException e) {
                throw new IOException(db + ": data_version failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                conn.close();
            } catch (SQLException e) {
                throw new IOException(db + ": cannot close the checkpoint connection: " + e.getMessage(), e);
            }
        }
    }

    private static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    private static String queryString(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : "";
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // Already failing; the first error is the one reported.
        }
    }

    /** Ends the read transaction and closes the connection. Idempotent. */
    @Override
    public void close() throws IOException {
        try {
            if (!conn.isClosed()) {
                if (reading) {
                    conn.rollback();
                    reading = false;
                }
                conn.close();
            }
        } catch (SQLException e) {
            throw new IOException(db + ": cannot close database: " + e.getMessage(), e);
        }
    }
}
