package io.litefleet.core.ltx;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * The page frame of LTX v3 as ltx v0.5.2 writes it: page number (4 bytes), flags (2 bytes, bit 0 = a size
 * prefix follows and the data is one LZ4 <em>block</em>), compressed size (4 bytes), then the LZ4 block of exactly
 * one page. A frame of six zero bytes ends the page block. Files from older ltx versions (v0.5.0, v0.5.1) without
 * the size flag carry LZ4 <em>frames</em> instead: {@link Lz4FramePage} reads those; this codec writes only blocks.
 *
 * <p>Uses lz4-java's pure-Java safe implementation (no JNI, no Unsafe). Instances are not thread-safe.
 */
final class PageFrames {
    /** Page number and flags. */
    static final int HEADER_SIZE = 6;
    /** Page header plus the compressed-size prefix. */
    static final int PREFIX_SIZE = HEADER_SIZE + 4;
    /** Flag bit 0: a size prefix follows and the data is an LZ4 block. */
    static final int FLAG_SIZE = 1;

    private static final LZ4Factory LZ4 = LZ4Factory.safeInstance();

    private final LZ4Compressor compressor = LZ4.fastCompressor();
    private final LZ4SafeDecompressor decompressor = LZ4.safeDecompressor();
    private final int pageSize;

    PageFrames(int pageSize) {
        this.pageSize = pageSize;
    }

    /** The largest LZ4 block one page can compress to. */
    int maxCompressedSize() {
        return compressor.maxCompressedLength(pageSize);
    }

    /** A buffer that holds any frame of this page size. */
    byte[] newFrameBuffer() {
        return new byte[PREFIX_SIZE + maxCompressedSize()];
    }

    /** Writes the whole frame of {@code page} into {@code frame} and returns its length. */
    int encode(int pgno, byte[] page, byte[] frame) {
        int n = compressor.compress(page, 0, pageSize, frame, PREFIX_SIZE, frame.length - PREFIX_SIZE);
        putInt(frame, 0, pgno);
        frame[4] = 0;
        frame[5] = (byte) FLAG_SIZE;
        putInt(frame, HEADER_SIZE, n);
        return PREFIX_SIZE + n;
    }

    /** Decompresses {@code block[0, len)} into {@code page}; fails unless it yields exactly one page. */
    void decode(int pgno, byte[] block, int len, byte[] page) throws LtxFormatException {
        int n;
        try {
            n = decompressor.decompress(block, 0, len, page, 0, pageSize);
        } catch (LZ4Exception e) {
            throw new LtxFormatException("page " + pgno + ": corrupt LZ4 block: " + e.getMessage(), e);
        }
        if (n != pageSize) {
            throw new LtxFormatException("page " + pgno + ": LZ4 block decompressed to " + n + " bytes, expected "
                    + pageSize);
        }
    }

    static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    static long getLong(byte[] b, int off) {
        return (long) getInt(b, off) << 32 | Integer.toUnsignedLong(getInt(b, off + 4));
    }

    static int getInt(byte[] b, int off) {
        return (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
    }
}
