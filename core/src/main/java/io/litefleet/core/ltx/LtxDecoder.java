package io.litefleet.core.ltx;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Objects;

/**
 * Reads one LTX file from a stream, page by page, holding one compressed page and the page index (16 bytes per
 * page) in memory.
 *
 * <p>Usage: {@link #open} reads and validates the header; {@link #readPage} returns pages in file order until it
 * returns 0; {@link #finish} reads (and checks) the page index and trailer and verifies the file checksum. The
 * decoder buffers its input and reads ahead, so the stream must hold exactly this file; it never closes the
 * stream: the caller owns it.
 *
 * <p>Beyond what ltx v0.5.2's decoder checks (magic, header fields, CRC-64 file checksum, the rolling checksum of
 * a snapshot when tracked), it also rejects what ltx's encoder would never write: pages out of order or beyond
 * the commit size, the lock page, a snapshot missing pages, an LZ4 block that is not exactly one page, a page
 * index that disagrees with the frames read, a post-apply checksum that does not suit the checksum mode, and
 * bytes after the trailer. Every failure is an {@link LtxFormatException} naming the problem and byte offset.
 *
 * <p>Not thread-safe.
 */
public final class LtxDecoder {
    private final InputStream in;
    private final LtxHeader header;
    private final PageFrames frames;
    private final byte[] block;
    private final byte[] prefix = new byte[PageFrames.PREFIX_SIZE];
    private final Crc64 crc = new Crc64();
    private final PageIndexBuffer index = new PageIndexBuffer();
    private final int lockPgno;
    private long offset;
    private int prevPgno;
    private long snapshotChecksum = Checksums.EMPTY_DATABASE;
    private boolean pagesDone;
    private LtxTrailer trailer;
    private Lz4FramePage framed;

    private LtxDecoder(InputStream in, LtxHeader header) {
        this.in = in;
        this.header = header;
        this.frames = new PageFrames(header.pageSize());
        this.block = new byte[frames.maxCompressedSize()];
        this.lockPgno = header.lockPgno();
        this.offset = LtxHeader.SIZE;
    }

    /** Reads and validates the header from {@code in}. */
    public static LtxDecoder open(InputStream in) throws IOException {
        Objects.requireNonNull(in, "in");
        InputStream buffered = in instanceof BufferedInputStream || in instanceof ByteArrayInputStream ? in
                : new BufferedInputStream(in, 1 << 16);
        byte[] b = buffered.readNBytes(LtxHeader.SIZE);
        if (b.length < LtxHeader.SIZE) {
            throw new LtxFormatException("truncated header: file has " + b.length + " of " + LtxHeader.SIZE
                    + " bytes");
        }
        LtxDecoder dec = new LtxDecoder(buffered, LtxHeader.parse(b));
        dec.crc.update(b);
        return dec;
    }

    /** The validated header. */
    public LtxHeader header() {
        return header;
    }

    /** Pages read so far. */
    public int pageCount() {
        return index.size();
    }

    /** Bytes consumed from the file so far. */
    public long bytesRead() {
        return offset;
    }

    /**
     * Reads the next page into {@code page} (exactly one page long) and returns its page number, or returns 0 and
     * leaves {@code page} unspecified when the page block has ended.
     */
    public int readPage(byte[] page) throws IOException {
        if (page.length != header.pageSize()) {
            throw new IllegalArgumentException("buffer is " + page.length + " bytes, page size is "
                    + header.pageSize());
        }
        if (pagesDone) {
            return 0;
        }
        long start = offset;
        readFully(prefix, PageFrames.HEADER_SIZE, "page header");
        int pgno = PageFrames.getInt(prefix, 0);
        int flags = (prefix[4] & 0xFF) << 8 | (prefix[5] & 0xFF);
        if (pgno == 0 && flags == 0) {
            crc.update(prefix, 0, PageFrames.HEADER_SIZE);
            pagesDone = true;
            return 0;
        }
        checkFrameHeader(start, pgno, flags);
        if (flags == 0) {
            return readFramedPage(start, pgno, page);
        }
        readFully(prefix, PageFrames.HEADER_SIZE, 4, "size of page " + pgno);
        int size = PageFrames.getInt(prefix, PageFrames.HEADER_SIZE);
        if (size <= 0 || size > block.length) {
            throw new LtxFormatException("page " + pgno + " at offset " + start + ": compressed size "
                    + Integer.toUnsignedString(size) + " outside 1.." + block.length);
        }
        readFully(block, size, "data of page " + pgno);
        frames.decode(pgno, block, size, page);
        crc.update(prefix, 0, PageFrames.PREFIX_SIZE);
        crc.update(page);
        if (header.isSnapshot() && !header.noChecksum()) {
            snapshotChecksum = Checksums.combine(snapshotChecksum, Checksums.page(pgno, page));
        }
        index.add(pgno, start, PageFrames.PREFIX_SIZE + size);
        prevPgno = pgno;
        return pgno;
    }

    /**
     * A page as ltx v0.5.0/v0.5.1 wrote it (flags 0): an LZ4 frame right after the page header. Its file checksum
     * covers the page header and the page, without the frame bytes (there is no size prefix to cover).
     */
    private int readFramedPage(long start, int pgno, byte[] page) throws IOException {
        if (framed == null) {
            framed = new Lz4FramePage(header.pageSize());
        }
        offset += framed.read(in, pgno, offset, page);
        crc.update(prefix, 0, PageFrames.HEADER_SIZE);
        crc.update(page);
        if (header.isSnapshot() && !header.noChecksum()) {
            snapshotChecksum = Checksums.combine(snapshotChecksum, Checksums.page(pgno, page));
        }
        index.add(pgno, start, (int) (offset - start));
        prevPgno = pgno;
        return pgno;
    }

    private void checkFrameHeader(long at, int pgno, int flags) throws LtxFormatException {
        String where = "page frame at offset " + at + ": ";
        if (flags != PageFrames.FLAG_SIZE && flags != 0) {
            throw new LtxFormatException(where + String.format("invalid page flags 0x%04x", flags));
        }
        if (pgno <= 0 || pgno > header.commit()) {
            throw new LtxFormatException(where + "page " + Integer.toUnsignedString(pgno)
                    + " outside 1..commit " + header.commit());
        }
        if (pgno == lockPgno) {
            throw new LtxFormatException(where + "lock page " + pgno + " must not be stored");
        }
        int expected = prevPgno == lockPgno - 1 ? prevPgno + 2 : prevPgno + 1;
        if (header.isSnapshot() ? pgno != expected : pgno <= prevPgno) {
            throw new LtxFormatException(where + "page " + pgno + " out of order after page " + prevPgno
                    + (header.isSnapshot() ? " in a snapshot" : ""));
        }
    }

    /**
     * Reads any unread pages, then the page index and the trailer, and verifies them (see the class comment).
     * Returns the trailer; a second call returns it again.
     */
    public LtxTrailer finish() throws IOException {
        if (trailer != null) {
            return trailer;
        }
        byte[] scratch = new byte[header.pageSize()];
        while (readPage(scratch) != 0) {
            // drain: the file checksum covers every page
        }
        checkSnapshotComplete();
        new PageIndexReader().verify();
        byte[] t = new byte[LtxTrailer.SIZE];
        readFully(t, LtxTrailer.SIZE, "trailer");
        crc.update(t, 0, 8);
        if (in.read() != -1) {
            throw new LtxFormatException("unexpected bytes after the trailer at offset " + offset);
        }
        trailer = checkTrailer(PageFrames.getLong(t, 0), PageFrames.getLong(t, 8));
        return trailer;
    }

    private void checkSnapshotComplete() throws LtxFormatException {
        if (!header.isSnapshot()) {
            return;
        }
        int last = header.commit() == lockPgno ? lockPgno - 1 : header.commit();
        if (prevPgno != last) {
            throw new LtxFormatException("snapshot ends at page " + prevPgno + " but commit size is "
                    + header.commit());
        }
    }

    private LtxTrailer checkTrailer(long postApply, long fileChecksum) throws LtxFormatException {
        long computed = Checksums.FLAG | crc.value();
        if (fileChecksum != computed) {
            throw new LtxFormatException("file checksum mismatch: trailer says " + Checksums.hex(fileChecksum)
                    + ", content hashes to " + Checksums.hex(computed));
        }
        String problem = LtxTrailer.postApplyProblem(header, postApply);
        if (problem != null) {
            throw new LtxFormatException("invalid trailer: " + problem);
        }
        if (header.isSnapshot() && !header.noChecksum() && postApply != snapshotChecksum) {
            throw new LtxFormatException("post-apply checksum mismatch: trailer says " + Checksums.hex(postApply)
                    + ", snapshot pages sum to " + Checksums.hex(snapshotChecksum));
        }
        return new LtxTrailer(postApply, fileChecksum);
    }

    /** The page index as read and verified by {@link #finish}, in page order. */
    public List<PageIndexEntry> pageIndex() {
        if (trailer == null) {
            throw new IllegalStateException("page index is read by finish()");
        }
        return List.copyOf(index.entries());
    }

    private void readFully(byte[] b, int len, String what) throws IOException {
        readFully(b, 0, len, what);
    }

    private void readFully(byte[] b, int off, int len, String what) throws IOException {
        int n = in.readNBytes(b, off, len);
        if (n < len) {
            throw new LtxFormatException("truncated at offset " + (offset + n) + ": file ends inside the " + what
                    + " (" + n + " of " + len + " bytes)");
        }
        offset += len;
    }

    private int readByte(String what) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new LtxFormatException("truncated at offset " + offset + ": file ends inside the " + what);
        }
        offset++;
        byte[] one = {(byte) b};
        crc.update(one, 0, 1);
        return b;
    }

    /** Reads the page index and compares it with the frames actually read. */
    private final class PageIndexReader {
        void verify() throws IOException {
            long start = offset;
            for (int i = 0;; i++) {
                long pgno = uvarint("page index");
                if (pgno == 0) {
                    checkCount(i);
                    break;
                }
                long off = uvarint("page index");
                long size = uvarint("page index");
                checkEntry(i, pgno, off, size);
            }
            long encoded = offset - start;
            byte[] len = new byte[8];
            readFully(len, 8, "page index size");
            crc.update(len);
            long stated = PageFrames.getLong(len, 0);
            if (stated != encoded) {
                throw new LtxFormatException("page index size field says " + stated + " bytes, index has "
                        + encoded);
            }
        }

        private void checkEntry(int i, long pgno, long off, long size) throws LtxFormatException {
            if (i >= index.size()) {
                throw new LtxFormatException("page index lists page " + pgno + " but only " + index.size()
                        + " pages were stored");
            }
            if (pgno != index.pgno(i) || off != index.offset(i) || size != index.frameSize(i)) {
                throw new LtxFormatException("page index entry " + i + " (page " + pgno + ", offset " + off
                        + ", size " + size + ") disagrees with the frame read (page " + index.pgno(i)
                        + ", offset " + index.offset(i) + ", size " + index.frameSize(i) + ")");
            }
        }

        private void checkCount(int listed) throws LtxFormatException {
            if (listed != index.size()) {
                throw new LtxFormatException("page index lists " + listed + " pages but " + index.size()
                        + " were stored");
            }
        }

        private long uvarint(String what) throws IOException {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = readByte(what);
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new LtxFormatException("varint overflow in " + what + " at offset " + offset);
        }
    }
}
