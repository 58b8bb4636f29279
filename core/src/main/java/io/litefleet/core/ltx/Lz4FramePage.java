package io.litefleet.core.ltx;

import java.io.IOException;
import java.io.InputStream;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;

/**
 * Reads the page data of the older LTX page frame, as ltx v0.5.0 and v0.5.1 wrote it (every Litestream release
 * from v0.5.0 to v0.5.15): no size prefix, the page is one complete LZ4 <em>frame</em> (magic, descriptor, blocks,
 * end mark, optional content checksum). The frame is parsed by hand so that not one byte past its end is read (the
 * next page header follows at once), and every checksum the frame carries is verified.
 *
 * <p>Not thread-safe; one per decoder.
 */
final class Lz4FramePage {
    private static final int MAGIC = 0x184D2204;
    private static final LZ4SafeDecompressor LZ4 = LZ4Factory.safeInstance().safeDecompressor();
    private static final XXHashFactory XX = XXHashFactory.safeInstance();

    private final int pageSize;
    private final byte[] block;
    private final byte[] small = new byte[16];
    private long consumed;
    private long at;

    Lz4FramePage(int pageSize) {
        this.pageSize = pageSize;
        // Frames of one page hold blocks of at most the page (64 KiB max) or its worst-case compressed size.
        this.block = new byte[Math.max(pageSize, LZ4Factory.safeInstance().fastCompressor()
                .maxCompressedLength(pageSize)) + 16];
    }

    /**
     * Reads one frame from {@code in} into {@code page} (exactly one page of content) and returns the number of
     * bytes the frame took. {@code offset} is the frame's position in the file, for messages.
     */
    long read(InputStream in, int pgno, long offset, byte[] page) throws IOException {
        consumed = 0;
        at = offset;
        String what = "LZ4 frame of page " + pgno;
        readFully(in, small, 4, what);
        int magic = littleInt(small, 0);
        if (magic != MAGIC) {
            throw new LtxFormatException(String.format("page %d at offset %d: not an LZ4 frame (magic 0x%08x)", pgno,
                    offset, magic));
        }
        readFully(in, small, 2, what);
        int flg = small[0] & 0xFF;
        int bd = small[1] & 0xFF;
        if ((flg >>> 6) != 1 || (flg & 0x02) != 0 || (bd & 0x8F) != 0) {
            throw new LtxFormatException(String.format("page %d at offset %d: unsupported LZ4 frame descriptor "
                    + "FLG 0x%02x BD 0x%02x", pgno, offset, flg, bd));
        }
        boolean blockChecksum = (flg & 0x10) != 0;
        boolean contentSize = (flg & 0x08) != 0;
        boolean contentChecksum = (flg & 0x04) != 0;
        boolean dictionary = (flg & 0x01) != 0;
        int descriptor = 2 + (contentSize ? 8 : 0) + (dictionary ? 4 : 0);
        readFully(in, small, 2, descriptor - 2, what);
        if (dictionary) {
            throw new LtxFormatException("page " + pgno + " at offset " + offset + ": LZ4 frame needs a dictionary");
        }
        int hc = readByte(in, what);
        int expectedHc = (XX.hash32().hash(small, 0, descriptor, 0) >>> 8) & 0xFF;
        if (hc != expectedHc) {
            throw new LtxFormatException(String.format("page %d at offset %d: LZ4 frame header checksum 0x%02x, "
                    + "expected 0x%02x", pgno, offset, hc, expectedHc));
        }
        if (contentSize && littleLong(small, 2) != pageSize) {
            throw new LtxFormatException("page " + pgno + " at offset " + offset + ": LZ4 frame holds "
                    + littleLong(small, 2) + " bytes, expected a page of " + pageSize);
        }
        int filled = readBlocks(in, pgno, page, blockChecksum, what);
        if (filled != pageSize) {
            throw new LtxFormatException("page " + pgno + " at offset " + offset + ": LZ4 frame decompressed to "
                    + filled + " bytes, expected " + pageSize);
        }
        if (contentChecksum) {
            readFully(in, small, 4, what);
            int stated = littleInt(small, 0);
            int computed = XX.hash32().hash(page, 0, pageSize, 0);
            if (stated != computed) {
                throw new LtxFormatException(String.format("page %d at offset %d: LZ4 content checksum 0x%08x, "
                        + "content hashes to 0x%08x", pgno, offset, stated, computed));
            }
        }
        return consumed;
    }

    private int readBlocks(InputStream in, int pgno, byte[] page, boolean blockChecksum, String what)
            throws IOException {
        int filled = 0;
        while (true) {
            readFully(in, small, 4, what);
            int word = littleInt(small, 0);
            if (word == 0) {
                return filled; // end mark
            }
            boolean raw = (word & 0x80000000) != 0;
            int size = word & 0x7FFFFFFF;
            if (size > block.length) {
                throw new LtxFormatException("page " + pgno + " at offset " + at + ": LZ4 block of " + size
                        + " bytes is larger than a page frame can be");
            }
            readFully(in, block, size, what);
            if (blockChecksum) {
                readFully(in, small, 4, what);
                XXHash32 h = XX.hash32();
                if (littleInt(small, 0) != h.hash(block, 0, size, 0)) {
                    throw new LtxFormatException("page " + pgno + " at offset " + at + ": LZ4 block checksum "
                            + "mismatch");
                }
            }
            if (size == 0) {
                continue; // an empty raw block (Go's writer can emit one before the end mark)
            }
            if (raw) {
                if (filled + size > pageSize) {
                    throw new LtxFormatException("page " + pgno + " at offset " + at + ": LZ4 frame holds more than "
                            + "one page");
                }
                System.arraycopy(block, 0, page, filled, size);
                filled += size;
            } else {
                try {
                    filled += LZ4.decompress(block, 0, size, page, filled, pageSize - filled);
                } catch (LZ4Exception e) {
                    throw new LtxFormatException("page " + pgno + " at offset " + at + ": corrupt LZ4 block in a "
                            + "frame: " + e.getMessage(), e);
                }
            }
        }
    }

    private int readByte(InputStream in, String what) throws IOException {
        readFully(in, small, 15, 1, what);
        return small[15] & 0xFF;
    }

    private void readFully(InputStream in, byte[] b, int len, String what) throws IOException {
        readFully(in, b, 0, len, what);
    }

    private void readFully(InputStream in, byte[] b, int off, int len, String what) throws IOException {
        int n = in.readNBytes(b, off, len);
        if (n < len) {
            throw new LtxFormatException("truncated at offset " + (at + consumed + n) + ": file ends inside the "
                    + what);
        }
        consumed += len;
    }

    private static int littleInt(byte[] b, int off) {
        return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16 | (b[off + 3] & 0xFF) << 24;
    }

    private static long littleLong(byte[] b, int off) {
        return Integer.toUnsignedLong(littleInt(b, off)) | (long) littleInt(b, off + 4) << 32;
    }
}
