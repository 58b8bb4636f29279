package io.litefleet.core.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class WalHeaderTest {
    /** A header with a correct checksum (computed by the independent test helper) for the given fields. */
    static byte[] header(int magic, int version, int pageSize) {
        byte[] b = new byte[32];
        int[] fields = {magic, version, pageSize, 7, 0x11223344, 0x55667788};
        for (int i = 0; i < fields.length; i++) {
            TestWal.putBe(b, 4 * i, fields[i]);
        }
        int[] s = TestWal.checksum(new int[2], b, 0, 24, magic == WalHeader.MAGIC_BIG_ENDIAN);
        TestWal.putBe(b, 24, s[0]);
        TestWal.putBe(b, 28, s[1]);
        return b;
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 1024, 4096, 32768, 65536})
    void decode_validPageSize_keepsFields(int pageSize) {
        WalHeader h = WalHeader.decode(ByteBuffer.wrap(header(WalHeader.MAGIC_BIG_ENDIAN, 3007000, pageSize)));
        assertEquals(pageSize, h.pageSize());
        assertEquals(pageSize + 24, h.frameSize());
        assertEquals(7, h.checkpointSequence());
        assertEquals(0x11223344, h.salt1());
        assertEquals(0x55667788, h.salt2());
        assertEquals(ByteOrder.BIG_ENDIAN, h.checksumOrder());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 256, 1000, 131072, -65536})
    void decode_badPageSize_rejected(int pageSize) {
        var e = assertThrows(IllegalArgumentException.class,
                () -> WalHeader.decode(ByteBuffer.wrap(header(WalHeader.MAGIC_LITTLE_ENDIAN, 3007000, pageSize))));
        assertTrue(e.getMessage().contains("page size"), e.getMessage());
    }

    @Test
    void decode_badVersionOrMagic_rejected() {
        assertThrows(IllegalArgumentException.class,
                () -> WalHeader.decode(ByteBuffer.wrap(header(WalHeader.MAGIC_LITTLE_ENDIAN, 3007001, 4096))));
        assertThrows(IllegalArgumentException.class,
                () -> WalHeader.decode(ByteBuffer.wrap(header(0x377f0684, 3007000, 4096))));
    }

    @Test
    void decode_shortBuffer_rejected() {
        assertThrows(IllegalArgumentException.class, () -> WalHeader.decode(ByteBuffer.allocate(31)));
    }
}
