package io.litefleet.core.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.replica.ReplicaClient;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.replica.ReplicaTarget;
import io.litefleet.testkit.FaultyReplicaClient;
import io.litefleet.testkit.FaultyReplicaClient.Fault;
import io.litefleet.testkit.FaultyReplicaClient.Operation;
import io.litefleet.testkit.InMemoryReplicaClient;
import io.litefleet.testkit.SqliteFiles;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.litefleet.core.replica.LtxFileRef;
import io.litefleet.core.replica.RetryPolicy;

class RestorerTest {
    private static final Clock UPLOAD_CLOCK = Clock.fixed(SourceHistory.T0.plus(Duration.ofDays(1)), ZoneOffset.UTC);

    @TempDir
    static Path shared;
    static SourceHistory history;

    @TempDir
    Path dir;

    private final List<Duration> pauses = new ArrayList<>();
    private final RetryPolicy retry = new RetryPolicy(4, Duration.ofMillis(10), Duration.ofMillis(40), pauses::add);
    private final Restorer restorer = Restorer.create(Clock.systemUTC(), retry);

    @BeforeAll
    static void buildHistory() throws Exception {
        history = SourceHistory.build(shared, SourceHistory.seed("RestorerTest"), 8);
        assertTrue(history.pages(4) < history.pages(3), "step 4 should shrink the database");
        assertTrue(history.pages(6) > history.pages(3), "step 6 should grow it past its old size");
    }

    private TestReplica replica(ReplicaClient client) {
        return new TestReplica(history, client, ReplicaLayout.HEX_LEVEL_DIRS, "tenants/a/db");
    }

    /** L0 1..8, L1 1-4 (a snapshot) and 5-6, L2 5-8, L9 1-3. */
    private TestReplica multiLevel(ReplicaClient client) throws Exception {
        return multiLevel(replica(client));
    }

    private static TestReplica multiLevel(TestReplica r) throws Exception {
        r.level0(8);
        r.put(1, 1, 4);
        r.put(1, 5, 6);
        r.put(2, 5, 8);
        r.put(9, 1, 3);
        return r;
    }

    private RestoreResult restore(ReplicaTarget t, RestoreTarget target, RestoreOptions o) throws Exception {
        RestorePlan plan = restorer.plan(t, target, o.parallelism()).orElseThrow();
        return restorer.restore(t, plan, o);
    }

    private void assertState(long txid, Path out) throws Exception {
        byte[] got = Files.readAllBytes(out);
        assertEquals(SqliteFiles.sha256(history.state(txid)), SqliteFiles.sha256(got), "content at TXID " + txid);
        assertArrayEquals(history.state(txid), got);
    }

    private void assertNothingLeft(Path out) throws Exception {
        try (Stream<Path> s = Files.list(out.getParent())) {
            List<Path> left = s.filter(p -> p.getFileName().toString().startsWith(out.getFileName().toString()))
                    .toList();
            assertEquals(List.of(), left, "files left beside the output");
        }
    }

    @Test
    void restore_latestFromSeveralLevels_usesFewestFilesAndEqualsTheSource() throws Exception {
        TestReplica r = multiLevel(InMemoryReplicaClient.create(UPLOAD_CLOCK));
        RestorePlan plan = restorer.plan(r.target(), RestoreTarget.latest(), 8).orElseThrow();
        assertEquals(List.of("L1/0000000000000001-0000000000000004", "L2/0000000000000005-0000000000000008"),
                plan.files().stream().map(LtxFileRef::toString).toList());
        Path out = dir.resolve("out.db");
        RestoreResult res = restorer.restore(r.target(), plan, RestoreOptions.of(out));
        assertEquals(8, res.txid());
        assertEquals(2, res.files());
        assertTrue(res.bytes() > 0);
        assertState(8, out);
    }

    @Test
    void restore_atEveryTxid_equalsTheSourceAtThatTxid_throughShrinkAndGrowth() throws Exception {
        TestReplica r = multiLevel(InMemoryReplicaClient.create(UPLOAD_CLOCK));
        for (long txid = 1; txid <= history.txids(); txid++) {
            Path out = dir.resolve("out-" + txid + ".db");
            RestoreResult res = restore(r.target(), new RestoreTarget.AtTxid(txid), RestoreOptions.of(out));
            assertEquals(txid, res.txid());
            assertState(txid, out);
        }
    }

    @Test
    void restore_l0ChainOnly_appliesEveryIncrementInOrder() throws Exception {
        TestReplica r = replica(InMemoryReplicaClient.create(UPLOAD_CLOCK)).level0(8);
        Path out = dir.resolve("out.db");
        RestoreResult res = restore(r.target(), RestoreTarget.latest(), RestoreOptions.of(out).withParallelism(3)
                .withPrefetchBytes(3000));
        assertEquals(8, res.files());
        assertState(8, out);
    }

    @Test
    void restore_output_isANormalDatabaseWithoutWalOrShm() throws Exception {
        TestReplica r = replica(InMemoryReplicaClient.create(UPLOAD_CLOCK)).level0(3);
        Path out = dir.resolve("out.db");
        restore(r.target(), RestoreTarget.latest(), RestoreOptions.of(out));
        assertNothingLeftBut(out);
        byte[] b = Files.readAllBytes(out);
        assertEquals(2, b[18], "the WAL-mode header bytes are kept, as upstream keeps them");
        try (Connection c = SqliteFiles.open(out)) {
            assertEquals("wal", SqliteFiles.queryString(c, "PRAGMA journal_mode"));
            assertTrue(Integer.parseInt(SqliteFiles.queryString(c, "SELECT count(*) FROM t")) > 0);
        }
    }

    private void assertNothingLeftBut(Path out) throws Exception {
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertEquals(List.of(out.getFileName().toString()), s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void restore_atTime_withUploadTimesInListings_readsHeadersAndEqualsTheStateAtThatTime() throws Exception {
        TestReplica r = multiLevel(replica(InMemoryReplicaClient.create(UPLOAD_CLOCK)).withoutTimestampMetadata());
        for (long txid : new long[] {1, 5, 6, 8}) {
            Path out = dir.resolve("t-" + txid + ".db");
            RestoreTarget at = new RestoreTarget.AtTime(SourceHistory.time(txid).plusSeconds(5));
            RestoreResult res = restore(r.target(), at, RestoreOptions.of(out));
            assertEquals(txid, res.txid());
            assertState(txid, out);
        }
        Path exact = dir.resolve("exact.db");
        assertEquals(5, restore(r.target(), new RestoreTarget.AtTime(SourceHistory.time(5)),
                RestoreOptions.of(exact)).txid(), "a transaction stamped exactly at the target is included");
        assertEquals(Optional.empty(), restorer.plan(r.target(),
                new RestoreTarget.AtTime(SourceHistory.time(1).minusMillis(1)), 8));
    }

    @Test
    void restore_withRollingChecksums_matchesTheLastPostApplyChecksum() throws Exception {
        TestReplica r = replica(InMemoryReplicaClient.create(UPLOAD_CLOCK)).trackChecksums().level0(6);
        Path out = dir.resolve("out.db");
        restore(r.target(), RestoreTarget.latest(), RestoreOptions.of(out));
        assertState(6, out);
    }

    @Test
    void restore_postApplyChecksumDisagrees_failsAndLeavesNothing() throws Exception {
        TestReplica r = replica(InMemoryReplicaClient.create(UPLOAD_CLOCK)).trackChecksums().level0(2);
        r.put(0, 3, 3, r.encode(3, 3, 0x8000_0000_0000_1234L));
        Path out = dir.resolve("out.db");
        RestoreException e = assertThrows(RestoreException.class,
                () -> restore(r.target(), RestoreTarget.latest(), RestoreOptions.of(out)));
        assertTrue(e.getMessage().contains("8000000000001234"), e.getMessage());
        assertNothingLeft(out);
    }

    @Test
    void restore_flippedByte_failsNamingTheKeyAndLeavesNothing() throws Exception {
        long seed = SourceHistory.seed("restore_flippedByte");
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        TestReplica r = replica(InMemoryReplicaClient.create(UPLOAD_CLOCK)).level0(5);
        byte[] file = r.encode(3, 3, null);
        int at = 100 + rnd.nextInt(file.length - 100 - 16);
        file[at] ^= (byte) (1 << rnd.nextInt(8));
        String key = r.put(0, 3, 3, file);
        Path out = dir.resolve("out.db");
        RestoreException e = assertThrows(RestoreException.class,
                () -> restore(r.target(), RestoreTarget.latest(), RestoreOptions.of(out)), "flipped byte " + at);
        assertTrue(e.getMessage().contains(key), e.getMessage());
        assertNothingLeft(out);
    }

    @Test
    void plan_fileMissingInTheMiddle_refusesLatestButRestoresUpToTheGap() throws Exception {
        InMemoryReplicaClient client = InMemoryReplicaClient.create(UPLOAD_CLOCK);
        TestReplica r = replica(client).level0(8);
        client.delete(List.of(r.target().key(0, 5, 5)));
        RestoreGapException gap = assertThrows(RestoreGapException.class,
                () -> restorer.plan(r.target(), RestoreTarget.latest(), 8));
        assertEquals(4, gap.reached());
        Path out = dir.resolve("out.db");
        restore(r.target(), new RestoreTarget.AtTxid(4), RestoreOptions.of(out));
        assertState(4, out);
    }

    @Test
    void plan_txidInsideAFile_isRefusedNamingTheNearestState() throws Exception {
        TestReplica r = replica(InMemoryReplicaClient.create(UPLOAD_CLOCK));
        r.put(1, 1, 4);
        r.put(1, 5, 8);
        RestoreException e = assertThrows(RestoreException.class,
                () -> restorer.plan(r.target(), new RestoreTarget.AtTxid(6), 8));
        assertTrue(e.getMessage().contains("-txid 4"), e.getMessage());
        assertThrows(RestoreException.class, () -> restorer.plan(r.target(), new RestoreTarget.AtTxid(9), 8));
    }

    @Test
    void restore_existingOutput_isRefusedNamingItUnlessOverwriting() throws Exception {
        TestReplica r = replica(InMemoryReplicaClient.create(UPLOAD_CLOCK)).level0(3);
        Path out = Files.writeString(dir.resolve("out.db"), "old");
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                () -> restore(r.target(), RestoreTarget.latest(), RestoreOptions.of(out)));
        assertTrue(e.getMessage().contains(out.toString()) && e.getMessage().contains("-force"), e.getMessage());
        assertEquals("old", Files.readString(out));
        Files.writeString(dir.resolve("out.db-wal"), "stale wal");
        restore(r.target(), RestoreTarget.latest(), RestoreOptions.of(out).withOverwrite(true));
        assertState(3, out);
        assertFalse(Files.exists(dir.resolve("out.db-wal")), "a stale -wal would corrupt the restored database");
    }

    @Test
    void restore_staleSidecarWithoutOverwrite_isRefused() throws Exception {
        TestReplica r = replica(InMemoryReplicaClient.create(UPLOAD_CLOCK)).level0(1);
        Path wal = Files.writeString(dir.resolve("out.db-wal"), "stale");
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
                () -> restore(r.target(), RestoreTarget.latest(), RestoreOptions.of(dir.resolve("out.db"))));
        assertTrue(e.getMessage().contains(wal.toString()), e.getMessage());
    }

    @Test
    void restore_transientFailures_areRetriedWithBackoff_andTheResultIsExact() throws Exception {
        InMemoryReplicaClient store = InMemoryReplicaClient.create(UPLOAD_CLOCK);
        multiLevel(store);
        FaultyReplicaClient faulty = FaultyReplicaClient.wrap(store,
                Fault.of(Operation.LIST, 1, ReplicaFailure.UNAVAILABLE),
                Fault.of(Operation.GET, 1, ReplicaFailure.THROTTLED),
                Fault.of(Operation.GET, 2, ReplicaFailure.IO).afterDelegating(),
                Fault.of(Operation.GET, 3, ReplicaFailure.UNAVAILABLE));
        ReplicaTarget t = new ReplicaTarget(faulty, ReplicaLayout.HEX_LEVEL_DIRS, "tenants/a/db");
        Path out = dir.resolve("out.db");
        restore(t, RestoreTarget.latest(), RestoreOptions.of(out).withParallelism(1));
        assertEquals(4, faulty.injected());
        assertState(8, out);
        assertTrue(pauses.size() >= 4 && pauses.stream().allMatch(p -> p.toMillis() >= 10), pauses.toString());
    }

    @Test
    void restore_streamedFileFailingTransiently_isReappliedWhole() throws Exception {
        InMemoryReplicaClient store = InMemoryReplicaClient.create(UPLOAD_CLOCK);
        replica(store).level0(8);
        FaultyReplicaClient faulty = FaultyReplicaClient.wrap(store, Fault.of(Operation.GET, 4, ReplicaFailure.IO),
                Fault.of(Operation.GET, 5, ReplicaFailure.UNAVAILABLE));
        ReplicaTarget t = new ReplicaTarget(faulty, ReplicaLayout.HEX_LEVEL_DIRS, "tenants/a/db");
        Path out = dir.resolve("out.db");
        restore(t, RestoreTarget.latest(), RestoreOptions.of(out).withPrefetchBytes(0));
        assertEquals(2, faulty.injected());
        assertState(8, out);
    }

    @Test
    void restore_nonRetryableFailure_abortsWithoutRetryAndLeavesNothing() throws Exception {
        InMemoryReplicaClient store = InMemoryReplicaClient.create(UPLOAD_CLOCK);
        replica(store).level0(8);
        FaultyReplicaClient faulty = FaultyReplicaClient.wrap(store, Fault.of(Operation.GET, 3, ReplicaFailure.AUTH));
        ReplicaTarget t = new ReplicaTarget(faulty, ReplicaLayout.HEX_LEVEL_DIRS, "tenants/a/db");
        Path out = dir.resolve("out.db");
        ReplicaException e = assertThrows(ReplicaException.class,
                () -> restore(t, RestoreTarget.latest(), RestoreOptions.of(out).withParallelism(2)));
        assertEquals(ReplicaFailure.AUTH, e.failure());
        assertEquals(List.of(), pauses, "AUTH is not retried");
        assertNothingLeft(out);
    }

    @Test
    void restore_persistentTransientFailure_givesUpAfterTheAttempts() throws Exception {
        InMemoryReplicaClient store = InMemoryReplicaClient.create(UPLOAD_CLOCK);
        replica(store).level0(2);
        FaultyReplicaClient faulty = FaultyReplicaClient.wrap(store, Fault.of(Operation.GET, 1,
                ReplicaFailure.UNAVAILABLE), Fault.of(Operation.GET, 2, ReplicaFailure.UNAVAILABLE),
                Fault.of(Operation.GET, 3, ReplicaFailure.UNAVAILABLE), Fault.of(Operation.GET, 4,
                ReplicaFailure.UNAVAILABLE));
        ReplicaTarget t = new ReplicaTarget(faulty, ReplicaLayout.HEX_LEVEL_DIRS, "tenants/a/db");
        Path out = dir.resolve("out.db");
        assertThrows(ReplicaException.class,
                () -> restore(t, RestoreTarget.latest(), RestoreOptions.of(out).withParallelism(1)));
        assertEquals(List.of(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(40)), pauses);
        assertNothingLeft(out);
    }

    @Test
    void restore_firstFileNotASnapshotOrWrongName_isRejected() throws Exception {
        InMemoryReplicaClient store = InMemoryReplicaClient.create(UPLOAD_CLOCK);
        TestReplica r = replica(store);
        byte[] two = r.encode(2, 2, null);
        r.put(0, 1, 1, two); // the header says 2-2
        Path out = dir.resolve("out.db");
        RestoreException e = assertThrows(RestoreException.class,
                () -> restore(r.target(), RestoreTarget.latest(), RestoreOptions.of(out)));
        assertTrue(e.getMessage().contains("0000000000000001-0000000000000001.ltx"), e.getMessage());
        assertNothingLeft(out);
    }
}
