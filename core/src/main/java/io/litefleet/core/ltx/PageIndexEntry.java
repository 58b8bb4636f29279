package io.litefleet.core.ltx;

/**
 * One entry of an LTX page index: where the frame of page {@code pgno} starts in the file and how long it is
 * (page header, size prefix and compressed data). The index lets a reader fetch one page with a range read.
 *
 * @param pgno   page number, positive
 * @param offset byte offset of the page frame from the start of the file
 * @param size   length of the page frame in bytes
 */
public record PageIndexEntry(int pgno, long offset, long size) {
    /** Requires a positive page number, an offset past the header and a frame longer than its headers. */
    public PageIndexEntry {
        if (pgno <= 0) {
            throw new IllegalArgumentException("page number must be positive: " + Integer.toUnsignedString(pgno));
        }
        if (offset < LtxHeader.SIZE) {
            throw new IllegalArgumentException("page " + pgno + " offset " + offset + " is inside the header");
        }
        if (size <= PageFrames.HEADER_SIZE) {
            throw new IllegalArgumentException("page " + pgno + " frame size " + size + " is too small");
        }
    }
}
