package io.litefleet.core.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 24-byte header in front of every page in the WAL, as stored (not validated: whether it belongs to the
 * current generation and continues the checksum chain is for {@link WalReader} to decide).
 *
 * @param pageNumber page number, 1-based, unsigned 32-bit (0 is never valid)
 * @param commitSize for a commit frame the database size in pages after the commit, otherwise 0
 * @param salt1      copy of the header's salt-1 when the frame was written
 * @param salt2      copy of the header's salt-2 when the frame was written
 * @param checksum1  first word of the cumulative checksum up to and including this frame
 * @param checksum2  second word of the cumulative checksum up to and including this frame
 */
public record WalFrameHeader(long pageNumber, long commitSize, int salt1, int salt2, int checksum1,
        int checksum2) {
    /** Size of a frame header in bytes. */
    public static final int SIZE = 24;

    /** Checks that page number and commit size fit in an unsigned 32-bit word. */
    public WalFrameHeader {
        if (pageNumber < 0 || pageNumber > 0xFFFF_FFFFL || commitSize < 0 || commitSize > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("page number and commit size are unsigned 32-bit values");
        }
    }

    /**
     * Decodes the 24 bytes at {@code buffer}'s position (position unchanged); all fields are big-endian.
     *
     * @throws IllegalArgumentException if fewer than 24 bytes remain
     */
    public static WalFrameHeader decode(ByteBuffer buffer) {
        if (buffer.remaining() < SIZE) {
            throw new IllegalArgumentException("WAL frame header needs 24 bytes, got " + buffer.remaining());
        }
        ByteBuffer b = buffer.slice().order(ByteOrder.BIG_ENDIAN);
        return new WalFrameHeader(Integer.toUnsignedLong(b.getInt(0)), Integer.toUnsignedLong(b.getInt(4)),
                b.getInt(8), b.getInt(12), b.getInt(16), b.getInt(20));
    }

    /** Whether this frame ends a transaction. */
    public boolean isCommit() {
        return commitSize != 0;
    }
}
