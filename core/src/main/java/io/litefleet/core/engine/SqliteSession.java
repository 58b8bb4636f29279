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
 * Litefleet's one SQLite connection to a replicated database. It holds a read transaction almost all the time, so
 * the application's checkpoints can backfill but never restart the WAL behind us: the frames we have not shipped
 * stay in the {@code -wal}. The transaction is released only inside {@link #checkpoint}, and {@code PRAGMA
 * data_version} tells afterwards whether another connection committed during that gap.
 *
 * <p>Opened read-write (checkpoints need it) but never with CREATE, so a deleted database is not recreated
 * empty. It never writes. Not thread-safe; the owner closes it.
 */
final class SqliteSession implements AutoCloseable {
    private final Path db;
    private final Connection conn;
    private final int pageSize;
    private final Duration openBusyTimeout;
    private boolean reading;

    private SqliteSession(Path db, Connection conn, int pageSize, Duration openBusyTimeout) {
        this.db = db;
        this.conn = conn;
        this.pageSize = pageSize;
        this.openBusyTimeout = openBusyTimeout;
    }

    /**
     * Opens the database, checks it is a WAL database and starts the read transaction.
     *
     * @throws NotReplicableException when the file is missing, not a database or not in WAL mode
     */
    static SqliteSession open(Path db, Duration busyTimeout) throws IOException {
        if (!Files.isRegularFile(db)) {
            throw new NotReplicableException(db + ": database file not found");
        }
        SQLiteConfig config = new SQLiteConfig();
        config.resetOpenMode(SQLiteOpenMode.CREATE);
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
        Connection conn;
        try {
            conn = config.createConnection("jdbc:sqlite:file:" + db);
        } catch (SQLException e) {
            throw new NotReplicableException(db + ": cannot open database: " + e.getMessage());
        }
        try {
            String mode = queryString(conn, "PRAGMA journal_mode");
            if (!"wal".equals(mode.toLowerCase(Locale.ROOT))) {
                throw new NotReplicableException(db + ": not in WAL mode (journal_mode=" + mode + "); Litefleet "
                        + "streams WAL databases only: run 'PRAGMA journal_mode=WAL' on it once");
            }
            execute(conn, "PRAGMA wal_autocheckpoint=0");
            int pageSize = (int) queryLong(conn, "PRAGMA page_size");
            SqliteSession s = new SqliteSession(db, conn, pageSize, busyTimeout);
            s.beginRead();
            return s;
        } catch (SQLException e) {
            closeQuietly(conn);
            throw new NotReplicableException(db + ": cannot read database: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            closeQuietly(conn);
            throw e;
        }
    }

    /** The database page size. */
    int pageSize() {
        return pageSize;
    }

    /** Starts a read transaction (a snapshot) if none is open; returns its {@code data_version}. */
    long beginRead() throws IOException {
        try {
            if (!reading) {
                conn.setAutoCommit(false);
                queryLong(conn, "SELECT count(*) FROM sqlite_master");
                reading = true;
            }
            return queryLong(conn, "PRAGMA data_version");
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

    /** Ends the read transaction and starts a new one on the latest state; returns its {@code data_version}. */
    long refresh() throws IOException {
        endRead();
        return beginRead();
    }

    /**
     * Releases the snapshot, runs a checkpoint and takes a new snapshot. Compare the returned
     * {@link CheckpointResult#dataVersion()} with the one of the snapshot before (from {@link #refresh()}): equal
     * means no other connection committed in between, so the database still holds exactly that state even if the
     * checkpoint restarted or truncated the WAL.
     *
     * @param mode PASSIVE, FULL, RESTART or TRUNCATE
     */
    CheckpointResult checkpoint(String mode, Duration busyTimeout) throws IOException {
        endRead();
        setBusyTimeout(busyTimeout);
        int busy;
        int log;
        int done;
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
            rs.next();
            busy = rs.getInt(1);
            log = rs.getInt(2);
            done = rs.getInt(3);
        } catch (SQLException e) {
            setBusyTimeout(openBusyTimeout);
            beginRead();
            throw new IOException(db + ": checkpoint " + mode + " failed: " + e.getMessage(), e);
        }
        setBusyTimeout(openBusyTimeout);
        return new CheckpointResult(busy != 0, log, done, beginRead());
    }

    private void setBusyTimeout(Duration d) throws IOException {
        try {
            execute(conn, "PRAGMA busy_timeout = " + Math.min(Integer.MAX_VALUE, d.toMillis()));
        } catch (SQLException e) {
            throw new IOException(db + ": cannot set busy timeout: " + e.getMessage(), e);
        }
    }

    /**
     * The outcome of {@link #checkpoint}.
     *
     * @param busy        the checkpoint could not finish (readers or writers were in the way)
     * @param logFrames   frames in the WAL (SQLite's {@code log} column; 0 after TRUNCATE)
     * @param backfilled  frames copied into the database
     * @param dataVersion {@code PRAGMA data_version} of the new snapshot
     */
    record CheckpointResult(boolean busy, int logFrames, int backfilled, long dataVersion) {
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
