package io.litefleet.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.state.Catalog;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream's {@code max-sync-ltx-files} never leaves committed frames for the next sync: upstream uploads that many
 * local LTX files per pass and repeats passes until none is left, and Litefleet drains the WAL in every sync too.
 */
class MaxSyncFilesTest {
    @TempDir
    Path dir;

    /** One LTX file per transaction (a WAL budget of one frame), five transactions waiting, then syncs. */
    private int[] filesPerSync(int maxFiles) throws Exception {
        Path db = dir.resolve("max" + maxFiles + ".db");
        try (Connection c = SqliteFiles.open(db)) {
            SqliteFiles.exec(c, "PRAGMA journal_mode=WAL", "CREATE TABLE t(v)");
        }
        EngineSettings oneFramePerFile = new EngineSettings(EngineSettings.DEFAULTS.syncInterval(), 1000, 121_359,
                EngineSettings.DEFAULTS.checkpointInterval(), EngineSettings.DEFAULTS.busyTimeout(),
                EngineSettings.DEFAULTS.checkpointBusyTimeout(), 1).withMaxSyncFiles(maxFiles);
        Path replica = dir.resolve("replica" + maxFiles);
        ReplicaTarget target = new ReplicaTarget(new FileReplicaClientProvider().create(Settings.of("test",
                Map.of("root", replica.toString()))), ReplicaLayout.LTX_DIRS, "");
        try (Catalog catalog = Catalog.open(dir.resolve("state" + maxFiles));
             DbReplicator r = DbReplicator.create(db, target, catalog, oneFramePerFile, Clock.systemUTC(),
                     ReplicaListener.NONE);
             Connection app = SqliteFiles.open(db)) {
            r.sync();
            for (int i = 0; i < 5; i++) {
                SqliteFiles.exec(app, "INSERT INTO t VALUES (" + i + ")");
            }
            int[] files = new int[4];
            for (int s = 0; s < files.length; s++) {
                files[s] = r.sync().files();
            }
            BothRestores.assertRestore(dir, target, replica, 0, DbContent.hash(db), "every transaction");
            return files;
        }
    }

    @Test
    void aLimitOfTwo_stillShipsAllFiveTransactionsInOneSync_asUpstreamsPassesDo() throws Exception {
        assertEquals("[5, 0, 0, 0]", java.util.Arrays.toString(filesPerSync(2)));
    }

    @Test
    void noLimit_shipsThemAllInOneSync() throws Exception {
        assertEquals("[5, 0, 0, 0]", java.util.Arrays.toString(filesPerSync(0)));
    }
}
