package io.litefleet.core.ltx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LtxHeaderTest {

    private static LtxHeader.Builder incremental() {
        return LtxHeader.builder().pageSize(4096).commit(10).txids(5, 7).preApplyChecksum(Checksums.FLAG | 42);
    }

    @Test
    void toBytes_allFields_parseBackEqual() throws Exception {
        LtxHeader h = incremental().timestamp(1_700_000_000_123L).wal(32, 4152, 0xdeadbeef, 0x01020304)
                .nodeId(0x0102030405060708L).build();
        byte[] b = h.toBytes();
        assertEquals(LtxHeader.SIZE, b.length);
        assertEquals("LTX1", new String(b, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(h, LtxHeader.parse(b));
    }

    @Test
    void toBytes_fieldOffsets_matchLtxLayout() {
        byte[] b = incremental().wal(32, 4152, 0x11223344, 0x55667788).build().toBytes();
        assertEquals(4096, PageFrames.getInt(b, 8));
        assertEquals(10, PageFrames.getInt(b, 12));
        assertEquals(5, PageFrames.getLong(b, 16));
        assertEquals(7, PageFrames.getLong(b, 24));
        assertEquals(32, PageFrames.getLong(b, 48));
        assertEquals(0x11223344, PageFrames.getInt(b, 64));
        assertEquals(0x55667788, PageFrames.getInt(b, 68));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 256, 1000, 4097, 131072})
    void new_badPageSize_isRejected(int pageSize) {
        var e = assertThrows(IllegalArgumentException.class, () -> incremental().pageSize(pageSize).build());
        assertTrue(e.getMessage().contains("invalid page size"), e.getMessage());
    }

    @Test
    void new_txidsOutOfOrder_isRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> incremental().txids(9, 8).build());
        assertTrue(e.getMessage().contains("out of order"), e.getMessage());
    }

    @Test
    void new_zeroTxid_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> incremental().txids(0, 8).build());
    }

    @Test
    void new_snapshotWithPreApply_isRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> incremental().txids(1, 3).build());
        assertTrue(e.getMessage().contains("snapshots"), e.getMessage());
    }

    @Test
    void new_incrementalWithoutPreApply_isRejectedUnlessNoChecksum() {
        assertThrows(IllegalArgumentException.class, () -> incremental().preApplyChecksum(0).build());
        assertThrows(IllegalArgumentException.class, () -> incremental().preApplyChecksum(42).build());
        assertTrue(incremental().preApplyChecksum(0).noChecksum(true).build().noChecksum());
        assertThrows(IllegalArgumentException.class, () -> incremental().noChecksum(true).build());
    }

    @Test
    void new_unknownFlag_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> incremental().flags(1).build());
    }

    @Test
    void new_walSaltWithoutOffset_isRejected() {
        assertThrows(IllegalArgumentException.class, () -> incremental().wal(0, 0, 1, 0).build());
        assertThrows(IllegalArgumentException.class, () -> incremental().wal(0, 10, 0, 0).build());
    }

    @Test
    void parse_badMagic_failsNamingMagic() {
        byte[] b = incremental().build().toBytes();
        b[0] = 'X';
        var e = assertThrows(LtxFormatException.class, () -> LtxHeader.parse(b));
        assertTrue(e.getMessage().contains("bad magic"), e.getMessage());
    }

    @Test
    void parse_invalidField_failsAsFormatError() {
        byte[] b = incremental().build().toBytes();
        PageFrames.putInt(b, 8, 1000);
        var e = assertThrows(LtxFormatException.class, () -> LtxHeader.parse(b));
        assertTrue(e.getMessage().contains("invalid page size: 1000"), e.getMessage());
    }

    @Test
    void lockPgno_4k_isPageHoldingOneGiB() {
        assertEquals(262145, LtxHeader.lockPgno(4096));
        assertEquals(16385, LtxHeader.lockPgno(65536));
    }
}
