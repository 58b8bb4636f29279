package io.litefleet.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.cluster.SingleNodeCoordinator;
import io.litefleet.core.compact.Compactor;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.ltx.LtxHeader;
import io.litefleet.core.replica.Fence;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.replica.TestRestore;
import io.litefleet.core.state.Catalog;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In cluster mode the LTX header's node id (bytes 72-79) carries the writer's fencing token, on level-0 files and on
 * what compaction writes; stock {@code litestream restore} v0.5.16 and the {@code ltx} tool accept such files. Without
 * a cluster (token 0) the node id stays 0, as upstream writes it.
 */
class FenceTokenInLtxTest {
    /** All eight bytes non-zero, so a field written short or at the wrong offset shows. */
    private static final long TOKEN = 0x0102_0304_0506_0708L;

    @TempDir
    Path dir;

    @Test
    void clusterMode_everyFileCarriesTheToken_andBothToolsAndLtxAcceptTheReplica() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        try (Connection app = SqliteFiles.open(db);
             Catalog catalog = Catalog.open(dir.resolve("state"));
             var client = new FileReplicaClientProvider().create(Settings.of("test", Map.of("root",
                     replica.toString())))) {
            ReplicaTarget target = new ReplicaTarget(client, ReplicaLayout.LTX_DIRS, "", new Fence(
                    SingleNodeCoordinator.SESSION, SingleNodeCoordinator.SESSION.id(), TOKEN, "host-a"));
            SqliteFiles.exec(app, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
            try (DbReplicator r = DbReplicator.create(db, target, catalog, EngineSettings.DEFAULTS,
                    Clock.systemUTC(), ReplicaListener.NONE)) {
                for (int i = 0; i < 4; i++) {
                    SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('row " + i + "')");
                    r.sync();
                }
            }
            List<LtxFileRef> l0 = TestRestore.list(target).stream().filter(f -> f.level() == 0).toList();
            assertTrue(l0.size() >= 4, "one level-0 file per sync: " + l0);
            Compactor compactor = Compactor.create(target);
            compactor.compact(l0.subList(1, l0.size()), 1);
            compactor.compact(l0, LtxFileRef.SNAPSHOT_LEVEL);

            List<LtxFileRef> all = TestRestore.list(target);
            assertTrue(all.stream().anyMatch(f -> f.level() == 1) && all.stream().anyMatch(f -> f.level() == 9),
                    "compaction wrote level 1 and a snapshot: " + all);
            for (LtxFileRef f : all) {
                assertEquals(TOKEN, header(target, f).nodeId(), "node id of " + f);
            }
            List<String> files = new ArrayList<>(List.of(PeerTools.ltx().toString(), "verify"));
            all.forEach(f -> files.add(replica.resolve(target.key(f.level(), f.minTxid(), f.maxTxid())).toString()));
            var verify = PeerProcess.run(dir, Duration.ofSeconds(60), files);
            assertEquals(0, verify.exitCode(), "ltx verify: " + verify.both());
        }
        BothRestores.assertRestore(dir, replica, DbContent.hash(db), "a replica whose files carry a node id");
    }

    @Test
    void singleNode_nodeIdStaysZero() throws Exception {
        Path db = dir.resolve("app.db");
        try (Connection app = SqliteFiles.open(db);
             Catalog catalog = Catalog.open(dir.resolve("state"));
             var client = new FileReplicaClientProvider().create(Settings.of("test", Map.of("root",
                     dir.resolve("replica").toString())))) {
            ReplicaTarget target = new ReplicaTarget(client, ReplicaLayout.LTX_DIRS, "");
            SqliteFiles.exec(app, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
            try (DbReplicator r = DbReplicator.create(db, target, catalog, EngineSettings.DEFAULTS,
                    Clock.systemUTC(), ReplicaListener.NONE)) {
                r.sync();
                SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('x')");
                r.sync();
            }
            List<LtxFileRef> l0 = TestRestore.list(target);
            LtxFileRef merged = Compactor.create(target).compact(l0, 1);
            for (LtxFileRef f : TestRestore.list(target)) {
                assertEquals(0, header(target, f).nodeId(), "node id of " + f);
            }
            assertEquals(1, merged.level());
        }
    }

    private static LtxHeader header(ReplicaTarget target, LtxFileRef f) throws Exception {
        try (InputStream in = target.client().get(target.key(f.level(), f.minTxid(), f.maxTxid()), 0,
                LtxHeader.SIZE)) {
            return LtxHeader.parse(in.readAllBytes());
        }
    }
}
