package io.litefleet.core.engine;

import java.io.IOException;
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
 * Switching a rollback-journal database to WAL mode, as Litestream does for every database it replicates
 * ({@code PRAGMA journal_mode = wal} at open, db.go in v0.5.16), or the refusal that names the key turning it on.
 * WAL mode is persistent (file format bytes 18 and 19), so the switch happens once per database. Stateless.
 */
final class WalConversion {
    /** The key, under a {@code dbs:} entry or {@code multi-db:}, that turns the conversion on or off. */
    static final String KEY = "convert-to-wal";

    private static final System.Logger LOG = System.getLogger(WalConversion.class.getName());

    private WalConversion() {
    }

    /**
     * Switches {@code db} to WAL mode on a short-lived read-write connection (never with CREATE). The caller holds
     * no connection to it: closing this one must not drop another's POSIX locks.
     *
     * @throws NotReplicableException when the switch cannot succeed (read-only file, a mode SQLite refuses to leave)
     * @throws IOException            when it may succeed later (another connection holds a lock past the timeout)
     */
    static void convert(Path db, String from, Duration busyTimeout) throws IOException {
        SQLiteConfig config = new SQLiteConfig();
        config.resetOpenMode(SQLiteOpenMode.CREATE);
        config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
        String mode;
        try (Connection conn = config.createConnection("jdbc:sqlite:" + db);
             Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("PRAGMA journal_mode = wal")) {
            mode = rs.next() ? rs.getString(1) : "";
        } catch (SQLException e) {
            throw SqliteSession.failure(db, "cannot switch it from journal_mode=" + from + " to WAL mode", e);
        }
        if (!"wal".equals(mode.toLowerCase(Locale.ROOT))) {
            // SQLite answers with the mode it kept: a read-only file, for one, stays in its rollback mode.
            throw new NotReplicableException(db + ": cannot switch it from journal_mode=" + from + " to WAL mode "
                    + "(SQLite kept journal_mode=" + mode + "; is the file or its directory read-only?)");
        }
        LOG.log(System.Logger.Level.INFO, db + ": switched from journal_mode=" + from + " to WAL mode, as Litestream "
                + "does (set " + KEY + ": false to refuse such databases instead)");
    }

    /** Why a rollback-journal database is not replicated, and how to let it be. */
    static NotReplicableException refusal(Path db, String mode) {
        return new NotReplicableException(db + ": rollback-journal database (journal_mode=" + mode + "), and " + KEY
                + " is off: Litefleet streams WAL databases only. Set '" + KEY + ": true' (on its dbs: entry, or "
                + "in multi-db: for fleet mode) to let Litefleet switch it to WAL mode as Litestream does, or run "
                + "'PRAGMA journal_mode=WAL' on it once");
    }
}
