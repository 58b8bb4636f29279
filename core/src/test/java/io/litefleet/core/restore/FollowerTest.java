package io.litefleet.core.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.Settings;
import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.file.FileReplicaClientProvider;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.replica.RetryPolicy;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FollowerTest {
    @TempDir
    static Path shared;
    static SourceHistory history;

    @TempDir
    Path dir;

    @BeforeAll
    static void history() throws Exception {
        history = SourceHistory.build(shared, SourceHistory.seed("FollowerTest"), 8);
    }

    private static LtxFileRef f(int level, long min, long max) {
        return new LtxFileRef(level, min, max, Instant.EPOCH, 100);
    }

    @Test
    void continuation_takesL0InOrder_bridgesAGapWithACompactedFile_andSnapshotsOnlyAsALastResort() {
        List<LtxFileRef> files = List.of(f(9, 1, 2), f(0, 3, 3), f(0, 4, 4), f(1, 3, 6), f(0, 7, 7), f(9, 1, 9),
                f(0, 11, 11));
        assertEquals(List.of(f(1, 3, 6), f(0, 7, 7), f(9, 1, 9)), Follower.continuation(files, 2));
        assertEquals(List.of(f(0, 7, 7), f(9, 1, 9)), Follower.continuation(files, 6));
        assertEquals(List.of(), Follower.continuation(files, 9), "TXID 10 is missing: nothing continues 9");
        assertEquals(List.of(f(0, 11, 11)), Follower.continuation(files, 10));
        assertEquals(List.of(), Follower.continuation(List.of(f(0, 3, 3)), 3), "nothing new");
    }

    @Test
    void poll_appliesNewFiles_throughACompactedGap_andAnInvalidFileLeavesTheDatabaseAsItWas() throws Exception {
        try (ReplicaClient c = new FileReplicaClientProvider().create(Settings.of("test",
                Map.of("root", dir.resolve("replica").toString())))) {
            TestReplica replica = new TestReplica(history, c, ReplicaLayout.LTX_DIRS, "db");
            replica.put(9, 1, 2);
            Path db = dir.resolve("follower.db");
            Files.write(db, history.state(2));
            TxidFile.write(db, 2);
            try (Follower follower = Follower.open(replica.target(), db, RetryPolicy.DEFAULT)) {
                assertEquals(2, follower.poll(), "nothing new");
                replica.put(0, 3, 3);
                replica.put(0, 4, 4);
                assertEquals(4, follower.poll());
                assertState(4, db);
                int counter = ByteBuffer.wrap(Files.readAllBytes(db)).getInt(24);

                replica.put(1, 3, 6); // L0 5 and 6 are gone (compacted), 7 is there
                replica.put(0, 7, 7);
                assertEquals(7, follower.poll());
                assertState(7, db);
                assertEquals(7, TxidFile.read(db).getAsLong());
                assertNotEquals(counter, ByteBuffer.wrap(Files.readAllBytes(db)).getInt(24), "change counter moved");

                byte[] bad = replica.encode(8, 8, null);
                bad[bad.length / 2] ^= 0x20;
                String key = replica.put(0, 8, 8, bad);
                byte[] before = Files.readAllBytes(db);
                RestoreException e = assertThrows(RestoreException.class, follower::poll);
                assertTrue(e.getMessage().contains(key) && e.getMessage().contains("invalid LTX file"),
                        e.getMessage());
                assertArrayEquals(before, Files.readAllBytes(db), "nothing written");
                assertEquals(7, follower.txid());
                assertEquals(7, TxidFile.read(db).getAsLong());

                // The replica is reset (deleted, a new history begins at TXID 1): said, nothing applied.
                c.delete(c.list("").stream().map(o -> o.key()).toList());
                replica.put(9, 1, 2);
                RestoreException reset = assertThrows(RestoreException.class, follower::poll);
                assertTrue(reset.getMessage().contains("ends at TXID 0000000000000002, behind this database's "
                        + "0000000000000007"), reset.getMessage());
                assertArrayEquals(before, Files.readAllBytes(db));
            }
        }
    }

    @Test
    void open_withoutTxidRecord_orBeyondTheReplica_isRefusedNamingTheFiles() throws Exception {
        try (ReplicaClient c = new FileReplicaClientProvider().create(Settings.of("test",
                Map.of("root", dir.resolve("replica").toString())))) {
            TestReplica replica = new TestReplica(history, c, ReplicaLayout.LTX_DIRS, "db").level0(3);
            Path db = Files.write(dir.resolve("f.db"), history.state(3));
            RestoreException none = assertThrows(RestoreException.class,
                    () -> Follower.open(replica.target(), db, RetryPolicy.DEFAULT));
            assertTrue(none.getMessage().contains(db + "-txid does not"), none.getMessage());
            TxidFile.write(db, 9);
            RestoreException ahead = assertThrows(RestoreException.class,
                    () -> Follower.open(replica.target(), db, RetryPolicy.DEFAULT));
            assertTrue(ahead.getMessage().contains("records TXID 0000000000000009, beyond the newest TXID "
                    + "0000000000000003"), ahead.getMessage());
        }
    }

    /** The follower holds the source's state at {@code txid}, with follow mode's header for readers. */
    private static void assertState(long txid, Path db) throws Exception {
        byte[] got = Files.readAllBytes(db);
        byte[] want = history.state(txid);
        ByteBuffer h = ByteBuffer.wrap(got);
        assertEquals(1, got[18], "rollback-journal mode (write version)");
        assertEquals(1, got[19], "rollback-journal mode (read version)");
        assertEquals(h.getInt(24), h.getInt(92), "version-valid-for equals the change counter");
        assertEquals(got.length / SourceHistory.PAGE_SIZE, h.getInt(28), "in-header size");
        assertArrayEquals(mask(want), mask(got), "state at TXID " + txid);
    }

    private static byte[] mask(byte[] db) {
        byte[] b = Arrays.copyOf(db, db.length);
        for (int i : new int[] {18, 19, 24, 25, 26, 27, 28, 29, 30, 31, 92, 93, 94, 95}) {
            b[i] = 0;
        }
        return b;
    }
}
