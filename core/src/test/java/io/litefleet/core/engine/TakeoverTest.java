package io.litefleet.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.cluster.SingleNodeCoordinator;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.compact.CompactionSettings;
import io.litefleet.core.compact.Maintenance;
import io.litefleet.core.ltx.LtxDecoder;
import io.litefleet.core.ltx.LtxEncoder;
import io.litefleet.core.ltx.LtxHeader;
import io.litefleet.core.replica.Fence;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.core.replica.RetryPolicy;
import io.litefleet.core.restore.RestoreOptions;
import io.litefleet.core.restore.RestoreResult;
import io.litefleet.core.restore.RestoreTarget;
import io.litefleet.core.restore.Restorer;
import io.litefleet.core.replica.StaleFiles;
import io.litefleet.core.replica.TestRestore;
import io.litefleet.core.state.Catalog;
import io.litefleet.testkit.DbContent;
import io.litefleet.testkit.SqliteFiles;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A takeover in cluster mode: instance A replicates a database and dies; B, with its own state directory (A's
 * catalog is on A's host), adopts the replica. When the WAL still is the generation A's last level-0 file was read
 * from, B continues A's TXIDs with no new snapshot (and A, coming back with its older record, continues B's the same
 * way); when the WAL was restarted in between, B starts a new chain. Nothing committed is lost either way, by both
 * restores.
 */
class TakeoverTest {
    private static final long TOKEN_A = 5;
    private static final long TOKEN_B = 9;
    private static final long TOKEN_A_AGAIN = 12;

    @TempDir
    Path dir;
    private Path db;
    private Path replica;
    private Connection app;
    private ReplicaClient client;
    private ReplicaTarget plain;

    @BeforeEach
    void open() throws Exception {
        db = dir.resolve("app.db");
        replica = dir.resolve("replica");
        app = SqliteFiles.open(db);
        SqliteFiles.exec(app, "PRAGMA journal_mode=WAL", "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
        client = new FileReplicaClientProvider().create(Settings.of("test", Map.of("root", replica.toString())));
        plain = new ReplicaTarget(client, ReplicaLayout.LTX_DIRS, "");
    }

    @AfterEach
    void close() throws Exception {
        client.close();
        app.close();
    }

    @Test
    void walContinuesTheReplica_bContinuesTheTxids_withoutANewChain_andABackWithAnOlderRecordToo() throws Exception {
        long shippedByA = shipAndDie(plain.withFence(fence(TOKEN_A, "host-a")));
        List<LtxFileRef> snapshotsBefore = snapshots();
        SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('after A died 1')", "INSERT INTO t(v) VALUES "
                + "('after A died 2')");

        ReplicaTarget b = plain.withFence(fence(TOKEN_B, "host-b"));
        long shippedByB;
        try (Instance r = Instance.open(dir.resolve("state-b"), db, b)) {
            SyncResult first = r.replicator().sync();
            assertFalse(first.capture(), "B continues A's chain: " + first);
            assertEquals(shippedByA + 1, first.txid(), "the next TXID after A's last, with A's unshipped frames");
            SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('by B')");
            shippedByB = r.replicator().sync().txid();
            assertEquals(shippedByA + 2, shippedByB);
        }
        assertWalUploads(b, shippedByA + 1, shippedByB, TOKEN_B);

        // A comes back (B died): its record ends at shippedByA, older than the replica.
        SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('after B died')");
        ReplicaTarget again = plain.withFence(fence(TOKEN_A_AGAIN, "host-a"));
        try (Instance r = Instance.open(dir.resolve("state-a"), db, again)) {
            SyncResult back = r.replicator().sync();
            assertFalse(back.capture(), "A continues B's chain from its older record: " + back);
            assertEquals(shippedByB + 1, back.txid());
        }
        assertWalUploads(again, shippedByB + 1, shippedByB + 1, TOKEN_A_AGAIN);
        assertEquals(snapshotsBefore, snapshots(), "no new snapshot: the chain was never restarted");
        BothRestores.assertRestore(dir, replica, DbContent.hash(db), "after two takeovers");
    }

    /**
     * A gets the database back in the same run (its catalog still open, so its record is "of this run") after B
     * wrote on: A must read the replica (not trust its record) and continue after B's files, never overwrite them.
     */
    @Test
    void aGetsTheDatabaseBackInTheSameRun_continuesAfterBsFiles_neverOverB() throws Exception {
        try (Catalog catalogA = Catalog.open(dir.resolve("state-a"))) {
            ReplicaTarget a = plain.withFence(fence(TOKEN_A, "host-a"));
            long shippedByA;
            try (DbReplicator r = DbReplicator.create(db, a, catalogA, EngineSettings.DEFAULTS, Clock.systemUTC(),
                    ReplicaListener.NONE)) {
                SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('by A')");
                r.sync();
                SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('by A again')");
                shippedByA = r.sync().txid();
            }
            ReplicaTarget b = plain.withFence(fence(TOKEN_B, "host-b"));
            long shippedByB;
            try (Instance r = Instance.open(dir.resolve("state-b"), db, b)) {
                SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('by B')");
                shippedByB = r.replicator().sync().txid();
                SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('by B again')");
                shippedByB = r.replicator().sync().txid();
            }
            assertTrue(shippedByB > shippedByA, "B wrote on: " + shippedByA + " -> " + shippedByB);
            SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('A back')");
            ReplicaTarget again = plain.withFence(fence(TOKEN_A_AGAIN, "host-a"));
            try (DbReplicator r = DbReplicator.create(db, again, catalogA, EngineSettings.DEFAULTS,
                    Clock.systemUTC(), ReplicaListener.NONE)) {
                assertEquals(shippedByB + 1, r.sync().txid(), "A continues after B's last file");
            }
            assertWalUploads(b, shippedByA + 1, shippedByB, TOKEN_B); // B's files are still B's
        }
        BothRestores.assertRestore(dir, replica, DbContent.hash(db), "A back in the same run");
    }

    @Test
    void walRestartedSinceTheReplicasLastFile_bStartsANewChain() throws Exception {
        long shippedByA = shipAndDie(plain.withFence(fence(TOKEN_A, "host-a")));
        // Nobody pins the WAL now: the application's checkpoint restarts it, and new commits get new salts.
        SqliteFiles.exec(app, "PRAGMA wal_checkpoint(TRUNCATE)", "INSERT INTO t(v) VALUES ('new generation')");

        try (Instance r = Instance.open(dir.resolve("state-b"), db, plain.withFence(fence(TOKEN_B, "host-b")))) {
            SyncResult first = r.replicator().sync();
            assertTrue(first.capture(), "nothing proves this WAL continues the replica: " + first);
            assertEquals(shippedByA + 1, first.txid(), "a new chain never reuses a TXID");
        }
        assertTrue(snapshots().stream().anyMatch(f -> f.minTxid() == 1 && f.maxTxid() == shippedByA + 1),
                "the new chain's snapshot: " + snapshots());
        BothRestores.assertRestore(dir, replica, DbContent.hash(db), "after a takeover with a restarted WAL");
    }

    @Test
    void staleOwnersLateUpload_atTheNewOwnersNextKey_isReplacedAndCounted() throws Exception {
        long shippedByA = shipAndDie(plain.withFence(fence(TOKEN_A, "host-a")));
        ReplicaTarget b = plain.withFence(fence(TOKEN_B, "host-b"));
        try (Instance r = Instance.open(dir.resolve("state-b"), db, b)) {
            SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('by B 1')");
            assertEquals(shippedByA + 1, r.replicator().sync().txid());
            // A, resumed after a pause, completes an upload of the next TXID with its old token (its last check
            // passed just before the pause): garbage for this database, which must not stay in B's chain.
            plantStale(shippedByA + 2, TOKEN_A);
            SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('by B 2')");
            long before = StaleFiles.total(StaleFiles.Where.UPLOAD);
            assertEquals(shippedByA + 2, r.replicator().sync().txid());
            assertEquals(before + 1, StaleFiles.total(StaleFiles.Where.UPLOAD), "the stale file was counted");
        }
        assertWalUploads(b, shippedByA + 1, shippedByA + 2, TOKEN_B);
        BothRestores.assertRestore(dir, replica, DbContent.hash(db), "after a stale owner's late upload");
    }

    @Test
    void staleOwnersFileAheadOfTheOwner_isReportedByRestore_andNeverCompactedPast() throws Exception {
        long shippedByA = shipAndDie(plain.withFence(fence(TOKEN_A, "host-a")));
        ReplicaTarget b = plain.withFence(fence(TOKEN_B, "host-b"));
        long stale = shippedByA + 2;
        try (Instance r = Instance.open(dir.resolve("state-b"), db, b)) {
            SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('by B 1')");
            assertEquals(shippedByA + 1, r.replicator().sync().txid());
            // A's late upload of the next TXID: the same pages as B's last file, so the restored state stays valid.
            copyAs(b.key(0, shippedByA + 1, shippedByA + 1), stale, TOKEN_A);

            long restores = StaleFiles.total(StaleFiles.Where.RESTORE);
            Restorer restorer = Restorer.create(Clock.systemUTC(), RetryPolicy.DEFAULT);
            RestoreResult restored = restorer.restore(plain, restorer.plan(plain, RestoreTarget.latest(), 4)
                    .orElseThrow(), RestoreOptions.of(dir.resolve("restored.db")));
            assertEquals(stale, restored.txid());
            assertEquals(1, restored.stale().size(), restored.stale().toString());
            assertTrue(restored.stale().get(0).contains(b.key(0, stale, stale)), restored.stale().get(0));
            assertEquals(restores + 1, StaleFiles.total(StaleFiles.Where.RESTORE));

            long compactions = StaleFiles.total(StaleFiles.Where.COMPACTION);
            Maintenance.Settled settled = Maintenance.create(b, CompactionSettings.defaults(), 0.0, 1 << 20)
                    .settle(Instant.now().plusSeconds(1), Duration.ofHours(1));
            assertEquals(null, settled.report().failure());
            assertTrue(!settled.report().written().isEmpty(), "the files before it were compacted");
            for (LtxFileRef f : settled.report().written()) {
                assertTrue(f.maxTxid() < stale, "merged past the stale owner's file: " + f);
            }
            assertEquals(compactions + 1, StaleFiles.total(StaleFiles.Where.COMPACTION), "reported once");

            SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('by B 2')");
            assertEquals(stale, r.replicator().sync().txid(), "B's next upload replaces the stale file");
        }
        assertWalUploads(b, shippedByA + 1, stale, TOKEN_B);
        BothRestores.assertRestore(dir, replica, DbContent.hash(db), "after a stale file was replaced");
    }

    /**
     * The level-0 file under {@code key} again at {@code txid}, written with {@code token}: same pages, from a WAL
     * generation of A's own (other salts), as a stale owner's upload would be.
     */
    private void copyAs(String key, long txid, long token) throws Exception {
        try (InputStream in = client.get(key)) {
            LtxDecoder d = LtxDecoder.open(in);
            LtxHeader h = d.header();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            LtxEncoder enc = LtxEncoder.open(out, LtxHeader.builder().noChecksum(true).pageSize(h.pageSize())
                    .commit(h.commit()).txids(txid, txid).timestamp(h.timestamp() + 1)
                    .wal(h.walOffset(), h.walSize(), h.walSalt1() + 1, h.walSalt2()).nodeId(token).build());
            byte[] page = new byte[h.pageSize()];
            for (int pgno; (pgno = d.readPage(page)) != 0;) {
                enc.writePage(pgno, page);
            }
            enc.finish();
            client.put(plain.key(0, txid, txid), ObjectBody.of(out.toByteArray()), PutOptions.DEFAULT);
        }
    }

    /** A level-0 file at {@code txid} written with {@code token}, whose one page would corrupt the database. */
    private void plantStale(long txid, long token) throws Exception {
        LtxHeader h = LtxHeader.builder().noChecksum(true).pageSize(4096).commit(1).txids(txid, txid)
                .timestamp(System.currentTimeMillis()).wal(32, 4120, 1, 2).nodeId(token).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LtxEncoder enc = LtxEncoder.open(out, h);
        byte[] page = new byte[4096];
        Arrays.fill(page, (byte) 0x5a);
        enc.writePage(1, page);
        enc.finish();
        client.put(plain.key(0, txid, txid), ObjectBody.of(out.toByteArray()), PutOptions.DEFAULT);
    }

    /** A ships three transactions under its own state directory, then stops (its catalog leaves with its host). */
    private long shipAndDie(ReplicaTarget a) throws Exception {
        long txid = 0;
        try (Instance r = Instance.open(dir.resolve("state-a"), db, a)) {
            for (int i = 0; i < 3; i++) {
                SqliteFiles.exec(app, "INSERT INTO t(v) VALUES ('by A " + i + "')");
                txid = r.replicator().sync().txid();
            }
        }
        assertTrue(txid >= 3, "A shipped: " + txid);
        return txid;
    }

    /** One instance's replicator of the database, with its own state directory. */
    private record Instance(Catalog catalog, DbReplicator replicator) implements AutoCloseable {
        static Instance open(Path stateDir, Path db, ReplicaTarget target) throws Exception {
            Catalog catalog = Catalog.open(stateDir);
            return new Instance(catalog, DbReplicator.create(db, target, catalog, EngineSettings.DEFAULTS,
                    Clock.systemUTC(), ReplicaListener.NONE));
        }

        @Override
        public void close() throws Exception {
            try (catalog) {
                replicator.close();
            }
        }
    }

    /** The level-0 files {@code min..max} are WAL uploads (not captures) carrying {@code token}. */
    private static void assertWalUploads(ReplicaTarget t, long min, long max, long token) throws Exception {
        for (long txid = min; txid <= max; txid++) {
            try (InputStream in = t.client().get(t.key(0, txid, txid), 0, LtxHeader.SIZE)) {
                LtxHeader h = LtxHeader.parse(in.readAllBytes());
                assertTrue(h.walOffset() > 0, "TXID " + txid + " was shipped from the WAL: " + h);
                assertEquals(token, h.nodeId(), "TXID " + txid + " carries its writer's token");
            }
        }
    }

    private List<LtxFileRef> snapshots() throws Exception {
        return TestRestore.list(plain).stream().filter(f -> f.level() == LtxFileRef.SNAPSHOT_LEVEL).toList();
    }

    private static Fence fence(long token, String instance) {
        return new Fence(SingleNodeCoordinator.SESSION, SingleNodeCoordinator.SESSION.id(), token, instance);
    }
}
