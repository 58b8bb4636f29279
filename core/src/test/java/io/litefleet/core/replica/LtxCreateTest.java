package io.litefleet.core.replica;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.litefleet.api.replica.ObjectBody;
import io.litefleet.api.replica.PutOptions;
import io.litefleet.api.replica.ReplicaException;
import io.litefleet.api.replica.ReplicaFailure;
import io.litefleet.api.replica.ReplicaLayout;
import io.litefleet.core.cluster.SingleNodeCoordinator;
import io.litefleet.core.ltx.LtxEncoder;
import io.litefleet.core.ltx.LtxHeader;
import io.litefleet.testkit.InMemoryReplicaClient;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.time.Clock;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * LTX writes in cluster mode are conditional creates; when the key is taken, the existing file's header decides:
 * a newer owner's fences us, our own (or the same WAL segment's) is success, a stale owner's is replaced and counted,
 * our own claim's other content is overwritten, a non-LTX object is refused. Token 0 keeps the plain overwrite.
 */
class LtxCreateTest {
    private static final long OURS = 9;
    private final InMemoryReplicaClient client = InMemoryReplicaClient.create(Clock.systemUTC());
    private final ReplicaTarget target = withToken(OURS);
    private final String key = target.key(0, 4, 4);

    @Test
    void freeKey_isCreatedWithTheOwner() throws Exception {
        put(target, file(OURS, 32, 1));
        assertEquals(OURS, stored().nodeId());
        assertEquals("9", client.stat(key).orElseThrow().metadata().get(PutOptions.OWNER_TOKEN));
    }

    @Test
    void staleOwnersFile_isDeletedCountedAndReplaced() throws Exception {
        byte[] stale = file(5, 2000, 2);
        client.put(key, ObjectBody.of(stale), PutOptions.DEFAULT);
        long before = StaleFiles.total(StaleFiles.Where.UPLOAD);
        byte[] ours = file(OURS, 32, 1);
        put(target, ours);
        assertArrayEquals(ours, bytes(), "ours replaced the stale owner's file");
        assertEquals(before + 1, StaleFiles.total(StaleFiles.Where.UPLOAD));
    }

    @Test
    void newerOwnersFile_fencesUs_andStays() throws Exception {
        byte[] newer = file(12, 2000, 2);
        client.put(key, ObjectBody.of(newer), PutOptions.DEFAULT);
        ReplicaException e = assertThrows(ReplicaException.class, () -> put(target, file(OURS, 32, 1)));
        assertEquals(ReplicaFailure.FENCED, e.failure(), e.getMessage());
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains("12"), e.getMessage());
        assertArrayEquals(newer, bytes());
    }

    @Test
    void ourOwnEarlierAttempt_isSuccess_withoutWritingAgain() throws Exception {
        byte[] ours = file(OURS, 32, 1);
        client.put(key, ObjectBody.of(ours), PutOptions.DEFAULT);
        var first = client.stat(key).orElseThrow();
        put(target, ours);
        assertEquals(first, client.stat(key).orElseThrow(), "the object was not written again");
    }

    @Test
    void sameWalSegmentByAnOlderToken_isTheSameFrames_andIsKept() throws Exception {
        byte[] earlier = file(5, 32, 7); // same WAL segment, another timestamp and token
        client.put(key, ObjectBody.of(earlier), PutOptions.DEFAULT);
        long before = StaleFiles.total(StaleFiles.Where.UPLOAD);
        put(target, file(OURS, 32, 1));
        assertArrayEquals(earlier, bytes());
        assertEquals(before, StaleFiles.total(StaleFiles.Where.UPLOAD), "not counted as stale");
    }

    @Test
    void ourOwnClaimsOtherContent_isOverwritten() throws Exception {
        client.put(key, ObjectBody.of(file(OURS, 3000, 3)), PutOptions.DEFAULT);
        byte[] ours = file(OURS, 32, 1);
        put(target, ours);
        assertArrayEquals(ours, bytes());
    }

    @Test
    void notAnLtxFile_isRefusedNamingTheKey_andStays() throws Exception {
        client.put(key, ObjectBody.of(new byte[] {1, 2, 3}), PutOptions.DEFAULT);
        ReplicaException e = assertThrows(ReplicaException.class, () -> put(target, file(OURS, 32, 1)));
        assertEquals(ReplicaFailure.PRECONDITION_FAILED, e.failure(), e.getMessage());
        assertTrue(e.getMessage().contains(key) && e.getMessage().contains("not an LTX file"), e.getMessage());
        assertArrayEquals(new byte[] {1, 2, 3}, bytes());
    }

    @Test
    void singleNode_overwritesAsBefore() throws Exception {
        client.put(key, ObjectBody.of(file(12, 2000, 2)), PutOptions.DEFAULT);
        ReplicaTarget plain = new ReplicaTarget(client, ReplicaLayout.LTX_DIRS, "db");
        byte[] ours = file(0, 32, 1);
        put(plain, ours);
        assertArrayEquals(ours, bytes());
        assertTrue(client.stat(key).orElseThrow().metadata().isEmpty(), "no owner metadata without a token");
    }

    private void put(ReplicaTarget t, byte[] file) throws Exception {
        LtxHeader h = LtxHeader.parse(Arrays.copyOf(file, LtxHeader.SIZE));
        LtxCreate.put(t, key, ObjectBody.of(file), PutOptions.DEFAULT, h, StaleFiles.Where.UPLOAD);
    }

    private ReplicaTarget withToken(long token) {
        return new ReplicaTarget(client, ReplicaLayout.LTX_DIRS, "db", new Fence(SingleNodeCoordinator.SESSION,
                SingleNodeCoordinator.SESSION.id(), token, "host-" + token));
    }

    /** Level-0 file TXID 4 from the WAL segment at {@code walOffset}, one page filled with {@code fill}. */
    private static byte[] file(long token, long walOffset, int fill) throws Exception {
        LtxHeader h = LtxHeader.builder().noChecksum(true).pageSize(512).commit(1).txids(4, 4)
                .timestamp(1_000L * fill).wal(walOffset, 1056, 0x11, 0x22).nodeId(token)
                .build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LtxEncoder enc = LtxEncoder.open(out, h);
        byte[] page = new byte[512];
        Arrays.fill(page, (byte) fill);
        enc.writePage(1, page);
        enc.finish();
        return out.toByteArray();
    }

    private LtxHeader stored() throws Exception {
        return LtxHeader.parse(Arrays.copyOf(bytes(), LtxHeader.SIZE));
    }

    private byte[] bytes() throws Exception {
        try (InputStream in = client.get(key)) {
            return in.readAllBytes();
        }
    }
}
