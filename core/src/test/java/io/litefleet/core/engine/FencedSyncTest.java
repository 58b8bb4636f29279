package io.litefleet.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.litefleet.api.Settings;
import io.litefleet.api.cluster.Claim;
import io.litefleet.api.cluster.Ownable;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.replica.Fence;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.replica.RetryPolicy;
import io.litefleet.core.replica.TestRestore;
import io.litefleet.core.restore.RestoreOptions;
import io.litefleet.core.restore.RestoreTarget;
import io.litefleet.core.restore.Restorer;
import io.litefleet.core.state.Catalog;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.InMemoryCoordinator;
import io.litefleet.testkit.PeerProcess;
import io.litefleet.testkit.PeerTools;
import io.litefleet.testkit.SqliteFiles;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sync whose ownership lapsed writes nothing and loses nothing: the frames stay in the WAL, and the first sync
 * after the session is valid again ships them, continuing the chain; both restores equal the source.
 */
class FencedSyncTest {
    private static final Duration VALIDITY = Duration.ofSeconds(8);

    @TempDir
    Path dir;

    @Test
    void sessionLapsed_syncIsFenced_walKept_nextValidSyncShipsEverything() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        InMemoryCoordinator coordinator = InMemoryCoordinator.single("host-a", VALIDITY);
        try (Connection app = SqliteFiles.open(db);
             Catalog catalog = Catalog.open(dir.resolve("state"));
             var client = new FileReplicaClientProvider().create(Settings.of("test", Map.of("root",
                     replica.toString())))) {
            SqliteFiles.exec(app, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)",
                    "INSERT INTO t(v) VALUES ('before')");
            ReplicaTarget plain = new ReplicaTarget(client, ReplicaLayout.LTX_DIRS, "");
            Claim.Owned owned = (Claim.Owned) coordinator.claim(List.of(new Ownable(plain.describe(),
                    db.toString()))).get(0);
            ReplicaTarget target = plain.withFence(Fence.of(owned, coordinator.instanceId()));
            try (DbReplicator r = DbReplicator.create(db, target, catalog, EngineSettings.DEFAULTS,
                    Clock.systemUTC(), ReplicaListener.NONE)) {
                long first = r.sync().txid();
                coordinator.advance(VALIDITY); // no keep-alive answered: the fence closes

                SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('while fenced 1')", "INSERT INTO t(v) "
                        + "VALUES ('while fenced 2')");
                Exception e = assertThrows(Exception.class, r::sync);
                assertEquals(SyncErrorKind.FENCED, SyncErrorKind.of(e), e.toString());
                assertEquals(first, TestRestore.list(target).stream().mapToLong(f -> f.maxTxid()).max()
                        .orElseThrow(), "nothing uploaded while fenced");

                coordinator.keepAlive();
                SyncResult resumed = r.sync();
                assertFalse(resumed.capture(), "the chain continues: the frames were kept in the WAL");
                assertEquals(first + 1, resumed.txid());
            }
        }
        assertBothRestoresEqual(db, replica);
    }

    private void assertBothRestoresEqual(Path source, Path replica) throws Exception {
        String want = DbContent.hash(source);
        try (var client = new FileReplicaClientProvider().create(Settings.of("test", Map.of("root",
                replica.toString())))) {
            ReplicaTarget target = new ReplicaTarget(client, ReplicaLayout.LTX_DIRS, "");
            Path ours = dir.resolve("ours.db");
            Restorer restorer = Restorer.create(Clock.systemUTC(), RetryPolicy.DEFAULT);
            restorer.restore(target, restorer.plan(target, RestoreTarget.latest(), 4).orElseThrow(),
                    RestoreOptions.of(ours));
            assertEquals(want, DbContent.hash(ours), "our restore");
            assertEquals("ok", DbContent.integrityCheck(ours));
        }
        Path stock = dir.resolve("stock.db");
        var res = PeerProcess.run(dir, Duration.ofSeconds(60), List.of(PeerTools.litestream().toString(), "restore",
                "-o", stock.toString(), replica.toUri().toString()));
        assertEquals(0, res.exitCode(), res.both());
        assertEquals(want, DbContent.hash(stock), "stock litestream restore");
        assertEquals("ok", DbContent.integrityCheck(stock));
    }
}
