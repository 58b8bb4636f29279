package io.litefleet.core.ltx;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Objects;

/**
 * Writes one LTX file to a stream, page by page, holding only one page frame and the page index (16 bytes per
 * page) in memory.
 *
 * <p>Usage: {@link #open} writes the header; {@link #writePage} each page in ascending page-number order;
 * {@link #finish(long)} writes the end-of-pages marker, the page index and the trailer. The encoder never closes
 * or flushes-and-closes the stream: the caller owns it (and usually gives a buffered one).
 *
 * <p>It enforces the rules ltx v0.5.2's encoder enforces, so a file it finishes is one the Go decoder accepts:
 * page numbers within {@code 1..commit}, never the lock page, strictly ascending; a snapshot (min TXID 1) holds
 * every page from 1 to its commit size, skipping only the lock page; the post-apply checksum suits the header's
 * checksum mode and, for a snapshot with checksums tracked, equals the rolling checksum of its pages. Misuse
 * throws {@link IllegalArgumentException} or {@link IllegalStateException} and leaves the stream with a partial
 * file; an {@link IOException} from the stream makes the encoder unusable.
 *
 * <p>Not thread-safe.
 */
public final class LtxEncoder {
    private final OutputStream out;
    private final LtxHeader header;
    private final PageFrames frames;
    private final byte[] frame;
    private final Crc64 crc = new Crc64();
    private final PageIndexBuffer index = new PageIndexBuffer();
    private final int lockPgno;
    private long offset;
    private int prevPgno;
    private long snapshotChecksum = Checksums.EMPTY_DATABASE;
    private LtxTrailer trailer;
    private boolean broken;

    private LtxEncoder(OutputStream out, LtxHeader header) {
        this.out = out;
        this.header = header;
        this.frames = new PageFrames(header.pageSize());
        this.frame = frames.newFrameBuffer();
        this.lockPgno = header.lockPgno();
    }

    /**
     * Writes {@code header} to {@code out} and returns an encoder for the pages.
     *
     * @throws IllegalArgumentException if the header has no checksum tracking and commit 0 (ltx cannot encode a
     *                                  deletion without checksums)
     */
    public static LtxEncoder open(OutputStream out, LtxHeader header) throws IOException {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(header, "header");
        if (header.noChecksum() && header.commit() == 0) {
            throw new IllegalArgumentException("a zero-page (deletion) file needs checksum tracking");
        }
        LtxEncoder enc = new LtxEncoder(out, header);
        enc.emit(header.toBytes(), LtxHeader.SIZE);
        return enc;
    }

    /** The header written by {@link #open}. */
    public LtxHeader header() {
        return header;
    }

    /** Pages written so far. */
    public int pageCount() {
        return index.size();
    }

    /** Bytes written to the stream so far. */
    public long bytesWritten() {
        return offset;
    }

    /**
     * Writes page {@code pgno}; {@code page} must be exactly one page long and is not retained.
     *
     * @throws IllegalArgumentException if the page breaks the ordering rules or has the wrong size
     */
    public void writePage(int pgno, byte[] page) throws IOException {
        checkWritable();
        if (page.length != header.pageSize()) {
            throw new IllegalArgumentException("page " + pgno + " is " + page.length + " bytes, expected "
                    + header.pageSize());
        }
        checkOrder(pgno);
        if (header.isSnapshot() && !header.noChecksum()) {
            snapshotChecksum = Checksums.combine(snapshotChecksum, Checksums.page(pgno, page));
        }
        int len = frames.encode(pgno, page, frame);
        long start = offset;
        // The file checksum covers the frame prefix and the page as it is, not its compressed form.
        crc.update(frame, 0, PageFrames.PREFIX_SIZE);
        crc.update(page);
        write(frame, len);
        index.add(pgno, start, len);
        prevPgno = pgno;
    }

    private void checkOrder(int pgno) {
        if (pgno <= 0) {
            throw new IllegalArgumentException("page number must be positive: " + pgno);
        }
        if (pgno > header.commit()) {
            throw new IllegalArgumentException("page " + pgno + " is beyond commit size " + header.commit());
        }
        if (pgno == lockPgno) {
            throw new IllegalArgumentException("page " + pgno + " is the lock page and cannot be encoded");
        }
        if (!header.isSnapshot()) {
            if (pgno <= prevPgno) {
                throw new IllegalArgumentException("out-of-order page numbers: " + prevPgno + " then " + pgno);
            }
            return;
        }
        int expected = prevPgno == lockPgno - 1 ? prevPgno + 2 : prevPgno + 1;
        if (pgno != expected) {
            throw new IllegalArgumentException("snapshot pages must be sequential from 1 (skipping lock page "
                    + lockPgno + "): expected " + expected + ", got " + pgno);
        }
    }

    /**
     * Finishes a file whose post-apply checksum the encoder knows: a snapshot with checksums tracked (the rolling
     * checksum of its pages) or a file in no-checksum mode (zero).
     *
     * @throws IllegalStateException for an incremental file with checksums tracked; use {@link #finish(long)}
     */
    public LtxTrailer finish() throws IOException {
        if (header.noChecksum()) {
            return finish(0);
        }
        if (!header.isSnapshot()) {
            throw new IllegalStateException("an incremental file with checksums needs its post-apply checksum");
        }
        return finish(snapshotChecksum);
    }

    /**
     * Writes the end of the page block, the page index and the trailer with {@code postApplyChecksum} (0 in
     * no-checksum mode), and returns the trailer. Flushes the stream but does not close it.
     *
     * @throws IllegalArgumentException if the checksum does not suit the header or a snapshot lacks pages
     */
    public LtxTrailer finish(long postApplyChecksum) throws IOException {
        checkWritable();
        checkComplete(postApplyChecksum);
        byte[] end = new byte[PageFrames.HEADER_SIZE];
        emit(end, end.length);
        byte[] idx = index.encode();
        emit(idx, idx.length);
        byte[] post = new byte[8];
        long v = postApplyChecksum;
        for (int i = 7; i >= 0; i--, v >>>= 8) {
            post[i] = (byte) v;
        }
        crc.update(post);
        LtxTrailer t = new LtxTrailer(postApplyChecksum, Checksums.FLAG | crc.value());
        write(t.toBytes(), LtxTrailer.SIZE);
        out.flush();
        trailer = t;
        return t;
    }

    private void checkComplete(long postApply) {
        String problem = LtxTrailer.postApplyProblem(header, postApply);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (!header.isSnapshot()) {
            return;
        }
        int last = header.commit() == lockPgno ? lockPgno - 1 : header.commit();
        if (prevPgno != last) {
            throw new IllegalStateException("snapshot ends at page " + prevPgno + " but commit size is "
                    + header.commit());
        }
        if (!header.noChecksum() && postApply != snapshotChecksum) {
            throw new IllegalArgumentException("post-apply checksum " + Checksums.hex(postApply)
                    + " does not match the snapshot's pages " + Checksums.hex(snapshotChecksum));
        }
    }

    /** The page index written by {@link #finish}, in page order. */
    public List<PageIndexEntry> pageIndex() {
        if (trailer == null) {
            throw new IllegalStateException("page index is written by finish()");
        }
        return List.copyOf(index.entries());
    }

    private void checkWritable() {
        if (broken) {
            throw new IllegalStateException("encoder failed earlier; the output is incomplete");
        }
        if (trailer != null) {
            throw new IllegalStateException("encoder already finished");
        }
    }

    private void emit(byte[] b, int len) throws IOException {
        crc.update(b, 0, len);
        write(b, len);
    }

    private void write(byte[] b, int len) throws IOException {
        try {
            out.write(b, 0, len);
        } catch (IOException | RuntimeException e) {
            broken = true;
            throw e;
        }
        offset += len;
    }
}
