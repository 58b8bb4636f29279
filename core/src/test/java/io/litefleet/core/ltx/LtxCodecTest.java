package io.litefleet.core.ltx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LtxCodecTest {

    @ParameterizedTest
    @ValueSource(ints = {512, 1024, 2048, 4096, 8192, 16384, 32768, 65536})
    void roundTrip_randomSnapshot_decodesSamePagesAndChecksums(int pageSize) throws IOException {
        SplittableRandom rnd = new SplittableRandom(LtxTestFiles.seed("roundTrip_randomSnapshot/" + pageSize));
        byte[][] pages = LtxTestFiles.randomPages(rnd, pageSize, 1 + rnd.nextInt(20));
        byte[] file = LtxTestFiles.snapshot(pageSize, pages);

        LtxDecoder dec = LtxDecoder.open(new ByteArrayInputStream(file));
        byte[] page = new byte[pageSize];
        for (int pgno = 1; pgno < pages.length; pgno++) {
            assertEquals(pgno, dec.readPage(page));
            assertArrayEquals(pages[pgno], page, "page " + pgno);
        }
        assertEquals(0, dec.readPage(page));
        LtxTrailer trailer = dec.finish();
        assertEquals(Checksums.database(new ByteArrayInputStream(ChecksumsTest.concat(pages)), pageSize),
                trailer.postApplyChecksum());
        assertEquals(file.length, dec.bytesRead());
        assertEquals(pages.length - 1, dec.pageIndex().size());
    }

    @Test
    void roundTrip_incrementalWithGaps_keepsPageNumbersAndIndex() throws IOException {
        SplittableRandom rnd = new SplittableRandom(LtxTestFiles.seed("roundTrip_incrementalWithGaps"));
        LtxHeader h = LtxHeader.builder().pageSize(4096).commit(100).txids(3, 9).preApplyChecksum(Checksums.FLAG | 7)
                .wal(32, 8272, 0x12345678, 0x9abcdef0).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LtxEncoder enc = LtxEncoder.open(out, h);
        int[] pgnos = {2, 17, 18, 100};
        byte[][] data = new byte[pgnos.length][];
        for (int i = 0; i < pgnos.length; i++) {
            data[i] = LtxTestFiles.randomPage(rnd, 4096);
            enc.writePage(pgnos[i], data[i]);
        }
        LtxTrailer written = enc.finish(Checksums.FLAG | 99);
        List<PageIndexEntry> index = enc.pageIndex();

        LtxDecoder dec = LtxDecoder.open(new ByteArrayInputStream(out.toByteArray()));
        assertEquals(h, dec.header());
        byte[] page = new byte[4096];
        for (int i = 0; i < pgnos.length; i++) {
            assertEquals(pgnos[i], dec.readPage(page));
            assertArrayEquals(data[i], page);
        }
        assertEquals(written, dec.finish());
        assertEquals(index, dec.pageIndex());
        assertEquals(LtxHeader.SIZE, index.get(0).offset());
    }

    @Test
    void roundTrip_noChecksumMode_hasZeroChecksums() throws IOException {
        LtxHeader h = LtxHeader.builder().noChecksum(true).pageSize(512).commit(2).txids(1, 4).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LtxEncoder enc = LtxEncoder.open(out, h);
        enc.writePage(1, new byte[512]);
        enc.writePage(2, new byte[512]);
        assertEquals(0, enc.finish().postApplyChecksum());
        LtxVerification v = LtxVerifier.verify(new ByteArrayInputStream(out.toByteArray()));
        assertTrue(v.isValid(), v.problem());
        assertEquals(0, v.trailer().postApplyChecksum());
    }

    @Test
    void encode_zeroPages_compressFarBetterThanRandom() throws IOException {
        SplittableRandom rnd = new SplittableRandom(LtxTestFiles.seed("encode_zeroPages"));
        byte[][] zeros = new byte[65][];
        for (int i = 1; i < zeros.length; i++) {
            zeros[i] = new byte[4096];
        }
        int zeroSize = LtxTestFiles.snapshot(4096, zeros).length;
        int randomSize = LtxTestFiles.snapshot(4096, LtxTestFiles.randomPages(rnd, 4096, 64)).length;
        assertTrue(zeroSize < 64 * 100, "64 zero pages took " + zeroSize + " bytes");
        assertTrue(randomSize > 64 * 4096, "64 random pages took only " + randomSize + " bytes");
    }

    @Test
    void encode_snapshotNotStartingAtPageOne_isRejected() throws IOException {
        LtxEncoder enc = LtxEncoder.open(new ByteArrayOutputStream(),
                LtxHeader.builder().pageSize(512).commit(3).build());
        var e = assertThrows(IllegalArgumentException.class, () -> enc.writePage(2, new byte[512]));
        assertTrue(e.getMessage().contains("expected 1, got 2"), e.getMessage());
    }

    @Test
    void encode_snapshotMissingLastPage_isRejectedAtFinish() throws IOException {
        LtxEncoder enc = LtxEncoder.open(new ByteArrayOutputStream(),
                LtxHeader.builder().pageSize(512).commit(2).build());
        enc.writePage(1, new byte[512]);
        var e = assertThrows(IllegalStateException.class, enc::finish);
        assertTrue(e.getMessage().contains("ends at page 1"), e.getMessage());
    }

    @Test
    void encode_snapshotAcrossLockPage_requiresSkippingIt() throws IOException {
        int lock = LtxHeader.lockPgno(65536); // 16385
        LtxHeader h = LtxHeader.builder().noChecksum(true).pageSize(65536).commit(lock + 1).build();
        LtxEncoder enc = LtxEncoder.open(OutputStreamSink.INSTANCE, h);
        byte[] page = new byte[65536];
        for (int pgno = 1; pgno < lock; pgno++) {
            enc.writePage(pgno, page);
        }
        assertThrows(IllegalArgumentException.class, () -> enc.writePage(lock, page));
        enc.writePage(lock + 1, page);
        enc.finish();
        assertEquals(lock, enc.pageCount());
    }

    @Test
    void encode_pageBeyondCommitOrOutOfOrder_isRejected() throws IOException {
        LtxHeader h = LtxHeader.builder().pageSize(512).commit(5).txids(2, 2).preApplyChecksum(Checksums.FLAG)
                .build();
        LtxEncoder enc = LtxEncoder.open(new ByteArrayOutputStream(), h);
        assertThrows(IllegalArgumentException.class, () -> enc.writePage(6, new byte[512]));
        enc.writePage(3, new byte[512]);
        assertThrows(IllegalArgumentException.class, () -> enc.writePage(3, new byte[512]));
        assertThrows(IllegalArgumentException.class, () -> enc.writePage(4, new byte[511]));
    }

    @Test
    void finish_wrongSnapshotChecksum_isRejected() throws IOException {
        LtxEncoder enc = LtxEncoder.open(new ByteArrayOutputStream(),
                LtxHeader.builder().pageSize(512).commit(1).build());
        enc.writePage(1, new byte[512]);
        var e = assertThrows(IllegalArgumentException.class, () -> enc.finish(Checksums.FLAG | 1));
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    }

    @Test
    void finish_checksumInNoChecksumMode_isRejected() throws IOException {
        LtxEncoder enc = LtxEncoder.open(new ByteArrayOutputStream(),
                LtxHeader.builder().noChecksum(true).pageSize(512).commit(1).txids(2, 2).build());
        assertThrows(IllegalArgumentException.class, () -> enc.finish(Checksums.FLAG | 1));
    }

    @Test
    void decode_flippedByte_fails() throws IOException {
        long seed = LtxTestFiles.seed("decode_flippedByte_fails");
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] file = LtxTestFiles.snapshot(1024, LtxTestFiles.randomPages(rnd, 1024, 8));
        for (int round = 0; round < 200; round++) {
            byte[] bad = file.clone();
            int at = rnd.nextInt(bad.length);
            bad[at] ^= (byte) (1 + rnd.nextInt(255));
            assertThrows(LtxFormatException.class, () -> decodeAll(bad), "flipped byte at " + at + " seed " + seed);
        }
    }

    @Test
    void decode_truncatedTrailer_failsNamingOffset() throws IOException {
        byte[] file = LtxTestFiles.snapshot(512, new byte[][] {null, new byte[512]});
        byte[] cut = java.util.Arrays.copyOf(file, file.length - 5);
        LtxDecoder dec = LtxDecoder.open(new ByteArrayInputStream(cut));
        var e = assertThrows(LtxFormatException.class, dec::finish);
        assertTrue(e.getMessage().contains("truncated at offset " + (file.length - 5)), e.getMessage());
        assertTrue(e.getMessage().contains("trailer"), e.getMessage());
    }

    @Test
    void decode_anyTruncation_fails() throws IOException {
        SplittableRandom rnd = new SplittableRandom(LtxTestFiles.seed("decode_anyTruncation_fails"));
        byte[] file = LtxTestFiles.snapshot(512, LtxTestFiles.randomPages(rnd, 512, 3));
        for (int len = 0; len < file.length; len++) {
            byte[] cut = java.util.Arrays.copyOf(file, len);
            assertThrows(LtxFormatException.class, () -> decodeAll(cut), "length " + len);
        }
    }

    @Test
    void decode_changedFileChecksum_failsWithBothValuesInHex() throws IOException {
        byte[] file = LtxTestFiles.snapshot(512, new byte[][] {null, new byte[512]});
        file[file.length - 1] ^= 1;
        LtxVerification v = LtxVerifier.verify(new ByteArrayInputStream(file));
        assertTrue(v.problem().matches("file checksum mismatch: trailer says [0-9a-f]{16}, content hashes to "
                + "[0-9a-f]{16}"), v.problem());
    }

    @Test
    void decode_trailingGarbage_fails() throws IOException {
        byte[] file = LtxTestFiles.snapshot(512, new byte[][] {null, new byte[512]});
        byte[] longer = java.util.Arrays.copyOf(file, file.length + 1);
        assertTrue(LtxVerifier.verify(new ByteArrayInputStream(longer)).problem().contains("after the trailer"));
    }

    @Test
    void open_notLtx_failsNamingMagic() {
        byte[] junk = new byte[200];
        var e = assertThrows(LtxFormatException.class, () -> LtxDecoder.open(new ByteArrayInputStream(junk)));
        assertTrue(e.getMessage().contains("bad magic"), e.getMessage());
    }

    @Test
    void open_shortFile_failsAsTruncatedHeader() {
        var e = assertThrows(LtxFormatException.class,
                () -> LtxDecoder.open(new ByteArrayInputStream(new byte[] {'L', 'T', 'X', '1'})));
        assertTrue(e.getMessage().contains("truncated header"), e.getMessage());
    }

    private static LtxTrailer decodeAll(byte[] file) throws IOException {
        return LtxDecoder.open(new ByteArrayInputStream(file)).finish();
    }

    /** Discards everything. */
    static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
